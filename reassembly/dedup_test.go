package reassembly

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/internal/capgen"
)

// mirrorOf writes, on g, copies of segs of c under the 4-tuple cli, srv,
// delay after each original, the way capgen's WithMirror does; seqDelta is
// added to the sequence and acknowledgement numbers of the copy, by side
// (a NAT that rewrites them).
func mirrorOf(g *gen, c *capgen.Conn, cli, srv netip.AddrPort, seqDelta [2]uint32, segs ...capgen.Segment) {
	g.t.Helper()
	for _, s := range segs {
		own, peer := seqDelta[0], seqDelta[1]
		if !s.FromClient {
			own, peer = peer, own
		}
		s.Seq += own
		s.Ack += peer
		_, err := g.w.WriteSegment(cli, srv, s)
		require.NoError(g.t, err)
	}
}

// TestMirrors checks the detection of a conversation captured twice under
// two 4-tuples, and that look-alikes are not taken for copies.
func TestMirrors(t *testing.T) {
	type expect struct {
		pdus      int // delivered
		streams   int64
		mirrors   int64
		dups      int64 // DuplicatePDUs
		delivered int64 // MirrorDelivered
		gaps      int
	}
	var session []gotPDU // the PDUs of the original in "NAT copy with a handshake"
	tests := []struct {
		name  string
		opts  Options
		build func(t *testing.T, g *gen)
		want  expect
		check func(t *testing.T, c *collector)
	}{
		{
			name: "NAT copy with a handshake",
			build: func(t *testing.T, g *gen) {
				c := g.conn(esme, smsc, true, capgen.WithMirror(natCli, natSrv, 5*time.Microsecond))
				session = g.session(c, [2]int{})
			},
			want: expect{pdus: 6, streams: 1, mirrors: 1, dups: 6},
			check: func(t *testing.T, c *collector) {
				pdus, _ := summarize(c)
				require.Equal(t, session, pdus, "the original's frames")
				for _, p := range c.pdus {
					require.Zero(t, p.Stream, "the first copy is kept")
					require.Contains(t, []netip.AddrPort{esme, smsc}, p.Src)
				}
			},
		},
		{
			name: "NAT copies kept with KeepDuplicates",
			opts: Options{KeepDuplicates: true},
			build: func(t *testing.T, g *gen) {
				c := g.conn(esme, smsc, true, capgen.WithMirror(natCli, natSrv, 5*time.Microsecond))
				g.session(c, [2]int{})
			},
			want: expect{pdus: 12, streams: 2},
		},
		{
			name: "three copies, mid-stream, server port translated too",
			opts: Options{Ports: []uint16{2775, 12028}},
			build: func(t *testing.T, g *gen) {
				c := g.conn(esme, smsc, false,
					capgen.WithMirror(natCli, netip.MustParseAddrPort("192.0.2.9:12028"), 3*time.Microsecond),
					capgen.WithMirror(netip.MustParseAddrPort("172.16.0.1:61000"), natSrv, 6*time.Microsecond))
				g.send(c, true, cat(submit(t, 9, "x")[7:], enq(t, 10)))
				g.send(c, false, enqResp(t, 10))
				g.send(c, true, submit(t, 11, "mid-stream"))
			},
			want: expect{pdus: 3, streams: 1, mirrors: 2, dups: 6, gaps: 2},
		},
		{
			name: "the copy comes first in one direction",
			build: func(t *testing.T, g *gen) {
				c := g.conn(esme, smsc, true)
				var all []capgen.Segment
				for i, x := range [][]byte{bindTRX(t, 1), bindTRXResp(t, 1), enq(t, 2), enqResp(t, 2)} {
					fromClient := i%2 == 0
					s := g.segs(c, fromClient, x)[0].At(g.next())
					all = append(all, s)
					if fromClient {
						_, err := c.Write(s) // the original, then the copy
						require.NoError(t, err)
						mirrorOf(g, c, natCli, natSrv, [2]uint32{}, s.At(s.Time.Add(time.Microsecond)))
					} else {
						mirrorOf(g, c, natCli, natSrv, [2]uint32{}, s) // the copy arrives first
						_, err := c.Write(s.At(s.Time.Add(time.Microsecond)))
						require.NoError(t, err)
					}
				}
				require.Len(t, all, 4)
			},
			want: expect{pdus: 4, streams: 1, mirrors: 1, dups: 4},
			check: func(t *testing.T, c *collector) {
				for _, p := range c.pdus {
					require.Zero(t, p.Stream)
				}
			},
		},
		{
			name: "the copy starts later and its first PDU comes first",
			build: func(t *testing.T, g *gen) {
				c := g.conn(esme, smsc, false)
				for i := range uint32(3) {
					g.send(c, true, enq(t, i+1)) // only the original sees these
				}
				for i := range uint32(3) {
					s := g.segs(c, true, enq(t, i+10))[0].At(g.next())
					mirrorOf(g, c, natCli, natSrv, [2]uint32{}, s) // the copy first
					_, err := c.Write(s.At(s.Time.Add(time.Microsecond)))
					require.NoError(t, err)
				}
			},
			// The copy's first PDU went out before its twin showed it to
			// be a copy; the other two are dropped.
			want: expect{pdus: 7, streams: 1, mirrors: 1, dups: 2, delivered: 1, gaps: 2},
		},
		{
			name: "the original lost a packet the copy has",
			build: func(t *testing.T, g *gen) {
				c := g.conn(esme, smsc, true)
				for i := range uint32(3) {
					s := g.segs(c, true, enq(t, i+1))[0].At(g.next())
					if i != 1 {
						_, err := c.Write(s)
						require.NoError(t, err)
					}
					mirrorOf(g, c, natCli, natSrv, [2]uint32{}, s.At(s.Time.Add(time.Microsecond)))
				}
			},
			// The original reports the loss; the copy's PDU is delivered.
			want: expect{pdus: 3, streams: 1, mirrors: 1, dups: 2, delivered: 1, gaps: 1},
			check: func(t *testing.T, c *collector) {
				require.Equal(t, ReasonLoss, c.gaps[0].Reason)
				// The copy's PDU waits for a twin until the end of the input.
				require.Equal(t, []int{0, 0, 1}, []int{c.pdus[0].Stream, c.pdus[1].Stream, c.pdus[2].Stream})
			},
		},
		{
			name: "directions guessed differently",
			opts: Options{Ports: []uint16{2775}},
			build: func(t *testing.T, g *gen) {
				// Mid-stream, the original's client is the side whose port
				// is not listed; in the copy the listed port is the other
				// side's, so its directions are swapped.
				c := g.conn(esme, smsc, false, capgen.WithMirror(netip.MustParseAddrPort("192.0.2.7:2775"), netip.MustParseAddrPort("192.0.2.9:9999"), time.Microsecond))
				g.send(c, true, enq(t, 1))
				g.send(c, false, enqResp(t, 1))
			},
			want: expect{pdus: 2, streams: 1, mirrors: 1, dups: 2, gaps: 2},
		},
		{
			name: "look-alikes: a pool of connections sending the same PDUs at once",
			build: func(t *testing.T, g *gen) {
				var cs []*capgen.Conn
				for i := range 4 {
					cs = append(cs, g.conn(netip.AddrPortFrom(esme.Addr(), uint16(41000+i)), smsc, false))
				}
				for _, x := range [][]byte{enq(t, 2437), enqResp(t, 2437), enq(t, 2438), enqResp(t, 2438), enq(t, 2439)} {
					at := g.next()
					for i, c := range cs {
						_, err := c.SendSegments(at.Add(time.Duration(i)*time.Microsecond), x[4] == 0, x, []int{})
						require.NoError(t, err)
					}
				}
			},
			want: expect{pdus: 20, streams: 4, gaps: 8},
		},
		{
			name: "look-alikes with the same sequence numbers but other PDUs",
			build: func(t *testing.T, g *gen) {
				a := g.conn(esme, smsc, true, capgen.WithISN(1000, 2000))
				b := g.conn(natCli, natSrv, true, capgen.WithISN(1000, 2000))
				for i := range uint32(3) {
					g.send(a, true, enq(t, i+1))
					g.send(b, true, enq(t, i+100))
				}
			},
			want: expect{pdus: 6, streams: 2},
		},
		{
			name: "copies further apart than MirrorWindow",
			opts: Options{MirrorWindow: time.Millisecond},
			build: func(t *testing.T, g *gen) {
				c := g.conn(esme, smsc, true)
				s := g.segs(c, true, enq(t, 1))[0].At(g.next())
				_, err := c.Write(s)
				require.NoError(t, err)
				mirrorOf(g, c, natCli, natSrv, [2]uint32{}, s.At(s.Time.Add(5*time.Millisecond)))
			},
			want: expect{pdus: 2, streams: 2, gaps: 1},
		},
		{
			name: "a NAT that rewrites sequence numbers is not recognised",
			build: func(t *testing.T, g *gen) {
				c := g.conn(esme, smsc, false)
				for i := range uint32(3) {
					s := g.segs(c, true, enq(t, i+1))[0].At(g.next())
					_, err := c.Write(s)
					require.NoError(t, err)
					mirrorOf(g, c, natCli, natSrv, [2]uint32{12345, 0}, s.At(s.Time.Add(time.Microsecond)))
				}
			},
			want: expect{pdus: 6, streams: 2, gaps: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGen(t, capgen.Options{})
			tt.build(t, g)
			col, st := g.run(tt.opts)
			require.Empty(t, col.problems)
			got := expect{
				pdus: len(col.pdus), streams: st.Streams, mirrors: st.MirrorStreams,
				dups: st.DuplicatePDUs, delivered: st.MirrorDelivered, gaps: len(col.gaps),
			}
			require.Equal(t, tt.want, got)
			require.EqualValues(t, len(col.pdus), st.PDUs)
			if tt.check != nil {
				tt.check(t, col)
			}
		})
	}
}

// TestTwinGen checks the generation table: the newest entry per key, the
// chain to older ones, growth past the size it was given, and a reset
// that leaves nothing behind and sizes it for what the last one took.
func TestTwinGen(t *testing.T) {
	g := newTwinGen()
	c := &conn{}
	const n = 20000 // several rehashes, and a filter sized for far fewer
	for round := range 3 {
		for i := range n {
			key := pduKey(enquireLink(uint32(i%5000+1)), uint32(i%5000))
			g.add(twinEntry{key: key, seq: uint32(i), c: c})
		}
		for i := range 5000 {
			key := pduKey(enquireLink(uint32(i+1)), uint32(i))
			require.True(t, g.mayHave(key))
			idx, _ := g.find(key)
			var seqs []uint32
			for idx >= 0 {
				seqs = append(seqs, g.entries[idx].seq)
				idx = g.entries[idx].prev
			}
			require.Equal(t, []uint32{uint32(i + 15000), uint32(i + 10000), uint32(i + 5000), uint32(i)}, seqs, "round %d key %d", round, i)
		}
		for i := range 5000 { // keys never added: the filter may say maybe, the table no
			key := pduKey(enquireLink(uint32(i+1)), uint32(i+1_000_000))
			idx, _ := g.find(key)
			require.Equal(t, int32(-1), idx)
		}
		sizes := []int{0, 300, n}
		g.reset(sizes[round])
		require.Empty(t, g.entries)
		require.Equal(t, make([]int32, len(g.slots)), g.slots)
		require.Equal(t, make([]uint64, len(g.filter)), g.filter)
		bits := max(minFilterBits, min(maxFilterBits, bitsFor(sizes[round]*filterBitsPerEntry)))
		require.Len(t, g.filter, 1<<bits/64, "round %d", round)
		require.Equal(t, uint(64-bits), g.shift)
		require.GreaterOrEqual(t, len(g.slots), max(minSlots, 2*sizes[round]))
	}
}

// TestBitsFor checks bitsFor against its definition.
func TestBitsFor(t *testing.T) {
	for n := -1; n <= 5000; n++ {
		b := bitsFor(n)
		require.GreaterOrEqual(t, 1<<b, n, "n %d", n)
		if b > 0 {
			require.Less(t, 1<<(b-1), n, "n %d", n)
		}
	}
}

// TestTwinWindow checks that PDUs are remembered for at least one
// MirrorWindow of capture time and forgotten after two.
func TestTwinWindow(t *testing.T) {
	r := newRunner(Options{MirrorWindow: 10 * time.Millisecond}, &collector{})
	d := r.dd
	a, b := &conn{mirror: mirrorAlone}, &conn{mirror: mirrorNew}
	key := pduKey(enquireLink(1), 7)
	ms := int64(time.Millisecond)
	d.rotate(0)
	d.insert(a, key, 7, 9*ms, c2s)
	for _, tt := range []struct {
		now, t int64
		found  bool
	}{
		{9 * ms, 9 * ms, true},
		{15 * ms, 18 * ms, true},  // one rotation: in the previous generation
		{19 * ms, 20 * ms, false}, // remembered, but 11 ms apart
		{25 * ms, 25 * ms, false}, // two rotations: forgotten
	} {
		d.rotate(tt.now)
		require.Equal(t, tt.found, d.twin(b, key, 7, tt.t, nil, 0) != nil, "now %d", tt.now/ms)
	}
}
