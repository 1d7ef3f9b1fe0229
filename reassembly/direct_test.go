package reassembly

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"
)

// directScenario writes a capture of a few interleaved connections with
// what real links do to segments: random cuts, reordering, loss,
// duplicates, overlapping retransmissions, bare ACKs, keep-alives, FINs and
// RSTs mid-conversation, idle pauses, the clock stepping back, connections
// captured without their handshake, port reuse and truncated frames.
func directScenario(t testing.TB, seed uint64) *capture {
	rng := rand.New(rand.NewPCG(seed, 7))
	c := newCapture(t, layers.LinkTypeEthernet)
	if rng.IntN(8) == 0 {
		c.snap = 200 + rng.IntN(1200)
	}
	type live struct {
		k       *tconn
		pending []seg // written later: reordering
		closed  [2]bool
		seqNo   uint32
	}
	newConn := func(i int) *live {
		cli := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 1, byte(i)}), uint16(40000+rng.IntN(3)))
		k := c.conn(cli, server)
		if rng.IntN(5) != 0 {
			k.handshake()
		}
		return &live{k: k}
	}
	conns := make([]*live, 1+rng.IntN(4))
	for i := range conns {
		conns[i] = newConn(i)
	}
	flush := func(l *live) {
		for _, s := range l.pending {
			c.add(s)
		}
		l.pending = l.pending[:0]
	}
	steps := 40 + rng.IntN(160)
	for range steps {
		i := rng.IntN(len(conns))
		l := conns[i]
		d := Dir(rng.IntN(2))
		k := l.k
		switch a := rng.IntN(100); {
		case a < 50: // PDUs in random segments, some held back to reorder
			var b []byte
			for range 1 + rng.IntN(4) {
				l.seqNo++
				if rng.IntN(3) == 0 {
					b = append(b, enquireLink(l.seqNo)...)
				} else {
					b = append(b, submitSM(l.seqNo, 40+rng.IntN(1500))...)
				}
			}
			for off := 0; off < len(b); {
				n := min(1+rng.IntN(1400), len(b)-off)
				s := k.seg(d, b[off:off+n])
				off += n
				switch r := rng.IntN(100); {
				case l.closed[d]:
				case r < 8:
					l.pending = append(l.pending, s)
				case r < 11: // lost
				case r < 15:
					c.add(s)
					c.add(s)
				case r < 19 && n > 2: // overlapping retransmission: first part, then all
					part := s
					part.payload = s.payload[:n/2]
					c.add(part)
					c.add(s)
				default:
					c.add(s)
				}
			}
			if rng.IntN(3) == 0 {
				flush(l)
			}
		case a < 62: // bare ACK
			c.add(seg{src: k.ends[d], dst: k.ends[d^1], seq: k.seq[d], ack: k.seq[d^1]})
		case a < 66: // keep-alive: one byte before the next
			c.add(seg{src: k.ends[d], dst: k.ends[d^1], seq: k.seq[d] - 1, ack: k.seq[d^1], payload: []byte{0}})
		case a < 69: // window probe ahead with no data
			c.add(seg{src: k.ends[d], dst: k.ends[d^1], seq: k.seq[d] + 100, ack: k.seq[d^1]})
		case a < 73:
			flush(l)
			k.fin(d)
			l.closed[d] = true
			if l.closed[0] && l.closed[1] || rng.IntN(3) == 0 {
				conns[i] = newConn(i) // port reuse, sometimes while the old one is half open
			}
		case a < 75:
			flush(l)
			c.add(seg{src: k.ends[d], dst: k.ends[d^1], seq: k.seq[d], ack: k.seq[d^1], rst: true})
			conns[i] = newConn(i)
		case a < 80: // pauses: loss timeout, idle close
			c.tick(time.Duration(rng.IntN(4000)) * time.Millisecond)
		case a < 82:
			c.tick(time.Duration(20+rng.IntN(20)) * time.Second)
		case a < 84: // a hole the sender never fills, sometimes half the sequence space wide
			k.seq[d] += uint32(1 + rng.IntN(3000))
			switch rng.IntN(6) {
			case 0:
				k.seq[d] += 1<<31 + uint32(rng.IntN(1<<20))
			case 1: // to just before the wrap: the next segment's end wraps
				k.seq[d] = 1<<32 - 1 - uint32(rng.IntN(100))
			}
		case a < 86: // a spurious SYN on an established half
			c.add(seg{src: k.ends[d], dst: k.ends[d^1], seq: k.seq[d] + uint32(rng.IntN(3)) - 1, syn: true, noACK: true})
		case a < 88: // the capture clock steps back (merged captures, NTP)
			c.tick(-time.Duration(rng.IntN(30)) * time.Second)
		default:
			flush(l)
		}
	}
	for _, l := range conns {
		flush(l)
	}
	return c
}

// directCaptures returns the files the comparison runs on besides the
// scenarios: the committed captures and the public ones when present.
func directCaptures(t *testing.T) []string {
	var files []string
	for _, g := range []string{
		filepath.Join("..", "pcaps", "*.pcap*"),
		filepath.Join("..", "..", "shared", "pcaps", "public", "*.pcap*"),
	} {
		m, err := filepath.Glob(g)
		require.NoError(t, err)
		files = append(files, m...)
	}
	return files
}

// sameRun requires the two runs' records and counters to be equal.
func sameRun(t *testing.T, name string, want, got *collector, ws, gs Stats) {
	t.Helper()
	require.Equal(t, want.events, got.events, "%s: order of PDUs and gaps", name)
	require.Equal(t, len(want.pdus), len(got.pdus), name)
	for i := range want.pdus {
		require.Equal(t, *want.pdus[i], *got.pdus[i], "%s: PDU %d", name, i)
	}
	require.Equal(t, want.gaps, got.gaps, "%s: gaps", name)
	require.Equal(t, len(want.problems), len(got.problems), "%s: problems", name)
	for i := range want.problems {
		require.Equal(t, want.problems[i].Error(), got.problems[i].Error(), "%s: problem %d", name, i)
	}
	ws.directLeaves, ws.directRejoins = 0, 0
	gs.directLeaves, gs.directRejoins = 0, 0
	require.Equal(t, ws, gs, "%s: counters", name)
}

// TestDirectFramingAgrees: framing in-order segments directly, outside
// gopacket's assembler, changes nothing: every PDU (bytes, frames, times,
// offsets), gap, problem and counter is what the assembler alone gives, on
// real captures and on 400 random scenarios (SMPPDUMP_DIRECT_SEEDS for more) of what links do to segments.
// The scenarios must make connections leave the assembler and rejoin it,
// or the comparison would prove nothing. Each scenario runs twice: the
// output must not depend on the order of Go maps.
func TestDirectFramingAgrees(t *testing.T) {
	var leaves, rejoins int64
	for _, file := range directCaptures(t) {
		for _, o := range []Options{smppOn, {Ports: []uint16{2775}, Heuristic: true}} {
			ref := o
			ref.noDirect = true
			want, ws, werr := runFiles(t, ref, file)
			got, gs, gerr := runFiles(t, o, file)
			require.Equal(t, fmt.Sprint(werr), fmt.Sprint(gerr), file)
			sameRun(t, file, want, got, ws, gs)
			leaves += gs.directLeaves
			rejoins += gs.directRejoins
		}
	}
	seeds := uint64(400)
	if n, err := strconv.ParseUint(os.Getenv("SMPPDUMP_DIRECT_SEEDS"), 10, 64); err == nil {
		seeds = n // a longer run: SMPPDUMP_DIRECT_SEEDS=20000
	}
	for seed := range seeds {
		c := directScenario(t, seed)
		path := writeFile(t, "s.pcap", c.pcap())
		o := Options{Ports: []uint16{2775}, LossTimeout: time.Second, FlushIdle: 15 * time.Second}
		if seed%3 == 0 {
			o.Heuristic = true
		}
		switch seed % 7 {
		case 1:
			o.MaxStreams = 2 // connections refused, and tracked again once others close
		case 2:
			o.MaxBufferedPagesPerConn = 3 // out-of-order data given up at the memory cap
		case 3:
			o.Limit = 50
		case 4:
			o.KeepDuplicates = true
		}
		ref := o
		ref.noDirect = true
		want, ws, werr := runFiles(t, ref, path)
		got, gs, gerr := runFiles(t, o, path)
		require.NoError(t, werr)
		require.NoError(t, gerr)
		sameRun(t, fmt.Sprintf("seed %d", seed), want, got, ws, gs)
		again, as, _ := runFiles(t, ref, path) // and the same every run
		sameRun(t, fmt.Sprintf("seed %d, again", seed), want, again, ws, as)
		leaves += gs.directLeaves
		rejoins += gs.directRejoins
	}
	t.Logf("connections left the assembler %d times, rejoined %d times", leaves, rejoins)
	require.Greater(t, leaves, int64(1000))
	require.Greater(t, rejoins, int64(500))
}

// TestDirectFramingUsed: on a clean long conversation nearly every packet
// is framed directly (the connection leaves once, early, and stays out).
func TestDirectFramingUsed(t *testing.T) {
	c := newCapture(t, layers.LinkTypeEthernet)
	k := c.conn(client, server)
	k.handshake()
	for i := range uint32(2000) {
		k.send(c2s, submitSM(i+1, 100))
		k.send(s2c, enquireLinkResp(i+1))
	}
	k.fin(c2s)
	k.fin(s2c)
	col, st := runCapture(t, c, smppOn)
	require.Len(t, col.pdus, 4000)
	require.Equal(t, int64(1), st.directLeaves)
	require.Equal(t, int64(1), st.directRejoins, "the FIN brings it back")
}

// FuzzDirectFraming: whatever the capture bytes, direct framing gives what
// the assembler alone gives. Seeded with random scenarios.
func FuzzDirectFraming(f *testing.F) {
	for seed := range uint64(20) {
		f.Add(directScenario(f, seed).pcap())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		path := writeFile(t, "f.pcap", b)
		o := Options{Ports: []uint16{2775}, Heuristic: len(b)%2 == 0, LossTimeout: time.Second, FlushIdle: 15 * time.Second}
		ref := o
		ref.noDirect = true
		want, ws, werr := runFiles(t, ref, path)
		got, gs, gerr := runFiles(t, o, path)
		require.Equal(t, fmt.Sprint(werr), fmt.Sprint(gerr))
		sameRun(t, "fuzz", want, got, ws, gs)
	})
}
