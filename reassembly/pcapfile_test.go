package reassembly

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"
)

// resyncCapture writes a session whose PDUs each travel in a frame of
// their own: the handshake (frames 1-3), then ten enquire_link and
// enquire_link_resp PDUs (frames 4-13).
func resyncCapture(t *testing.T) *capture {
	c := newCapture(t, layers.LinkTypeEthernet)
	k := c.conn(client, server)
	k.handshake()
	for i := range uint32(5) {
		k.send(c2s, enquireLink(i+1))
		k.send(s2c, enquireLinkResp(i+1))
	}
	return c
}

// pcapRecordStarts returns the offset of every record header of a
// little-endian pcap file.
func pcapRecordStarts(b []byte) []int {
	var out []int
	for off := 24; off+16 <= len(b); off += 16 + int(binary.LittleEndian.Uint32(b[off+8:])) {
		out = append(out, off)
	}
	return out
}

// ngBlockStarts returns the offset of every block of a little-endian
// pcapng file.
func ngBlockStarts(b []byte) []int {
	var out []int
	for off := 0; off+12 <= len(b); off += int(binary.LittleEndian.Uint32(b[off+4:])) {
		out = append(out, off)
	}
	return out
}

// pcapBigEndianNanos rewrites a little-endian microsecond pcap file as a
// big-endian nanosecond one.
func pcapBigEndianNanos(b []byte) []byte {
	le, be := binary.LittleEndian, binary.BigEndian
	out := be.AppendUint32(nil, magicPcapNano)
	out = be.AppendUint16(out, le.Uint16(b[4:]))  // version major
	out = be.AppendUint16(out, le.Uint16(b[6:]))  // version minor
	out = be.AppendUint32(out, le.Uint32(b[8:]))  // thiszone
	out = be.AppendUint32(out, le.Uint32(b[12:])) // sigfigs
	out = be.AppendUint32(out, le.Uint32(b[16:])) // snaplen
	out = be.AppendUint32(out, le.Uint32(b[20:])) // link type
	for _, off := range pcapRecordStarts(b) {
		n := int(le.Uint32(b[off+8:]))
		out = be.AppendUint32(out, le.Uint32(b[off:]))        // seconds
		out = be.AppendUint32(out, le.Uint32(b[off+4:])*1000) // nanoseconds
		out = be.AppendUint32(out, uint32(n))                 // captured length
		out = be.AppendUint32(out, le.Uint32(b[off+12:]))     // original length
		out = append(out, b[off+16:off+16+n]...)
	}
	return out
}

// pcapngBigEndian rewrites the section header, interface description and
// enhanced packet blocks of a little-endian pcapng file in big-endian
// order (option values are copied as they are, but for if_tsoffset).
func pcapngBigEndian(t *testing.T, b []byte) []byte {
	le, be := binary.LittleEndian, binary.BigEndian
	var out []byte
	options := func(body []byte, typ uint32) {
		for len(body) >= 4 {
			code, n := le.Uint16(body), int(le.Uint16(body[2:]))
			out = be.AppendUint16(be.AppendUint16(out, code), uint16(n))
			v := body[4 : 4+(n+3)&^3]
			if typ == ngBlockIDB && code == 14 && n == 8 {
				out = be.AppendUint64(out, le.Uint64(v))
			} else {
				out = append(out, v...)
			}
			body = body[4+(n+3)&^3:]
		}
	}
	for _, off := range ngBlockStarts(b) {
		typ, n := le.Uint32(b[off:]), int(le.Uint32(b[off+4:]))
		body := b[off+8 : off+n-4]
		out = be.AppendUint32(be.AppendUint32(out, typ), uint32(n))
		switch typ {
		case ngBlockSHB:
			out = be.AppendUint32(out, ngByteOrderMagic)
			out = be.AppendUint16(be.AppendUint16(out, le.Uint16(body[4:])), le.Uint16(body[6:]))
			out = be.AppendUint64(out, le.Uint64(body[8:]))
			options(body[16:], typ)
		case ngBlockIDB:
			out = be.AppendUint16(be.AppendUint16(out, le.Uint16(body)), 0)
			out = be.AppendUint32(out, le.Uint32(body[4:]))
			options(body[8:], typ)
		case ngBlockEPB:
			for i := 0; i < 20; i += 4 {
				out = be.AppendUint32(out, le.Uint32(body[i:]))
			}
			capLen := int(le.Uint32(body[12:]))
			out = append(out, body[20:20+(capLen+3)&^3]...)
			options(body[20+(capLen+3)&^3:], typ)
		default:
			t.Fatalf("block type %#x", typ)
		}
		out = be.AppendUint32(out, uint32(n))
	}
	return out
}

// TestResyncPcap damages one record header of a pcap file in each way a
// header can be damaged, and checks that the reader goes on at the next
// record: one Problem naming the last good frame, the offset and the
// octets skipped; every PDU not in the damaged record delivered, at the
// frame it has in the undamaged file.
func TestResyncPcap(t *testing.T) {
	c := resyncCapture(t)
	clean := c.pcap()
	recs := pcapRecordStarts(clean)
	require.Len(t, recs, 13)
	const k = 6 // the damaged record: frame 7, the second enquire_link_resp
	put := func(b []byte, off int, v uint32) []byte {
		b = slices.Clone(b)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	recLen := recs[k+1] - recs[k]
	tests := []struct {
		name     string
		data     []byte
		lost     []int // frames whose PDUs are not delivered
		sentinel error
		frame    int      // of the problem
		says     []string // in the problem
		skipped  int64
		frames   bool // the PDUs after the damage keep their frame numbers
	}{
		{
			name: "captured length above the packet's length", data: put(clean, recs[k]+12, 1),
			lost: []int{7}, sentinel: ErrDamagedFile, frame: 6, skipped: int64(recLen), frames: true,
			says: []string{fmt.Sprintf("damaged record at offset %d", recs[k]), "above the packet's length 1", fmt.Sprintf("skipped %d octets (1 record)", recLen)},
		},
		{
			name: "captured length above any snap length", data: put(clean, recs[k]+8, 0x7ffffff0),
			lost: []int{7}, sentinel: ErrDamagedFile, frame: 6, skipped: int64(recLen), frames: true,
			says: []string{"captured length 2147483632 above the largest record read"},
		},
		{
			name: "both lengths damaged", data: put(put(clean, recs[k]+8, 0x00a00052), recs[k]+12, 0x00a00052),
			lost: []int{7}, sentinel: ErrDamagedFile, frame: 6, skipped: int64(recLen), frames: true,
			says: []string{"(1 record)"},
		},
		{
			name: "both lengths short by 8", data: put(put(clean, recs[k]+8, uint32(recLen-16-8)), recs[k]+12, uint32(recLen-16-8)),
			lost: []int{7}, sentinel: ErrDamagedFile, frame: 6, skipped: int64(recLen), frames: true,
			says: []string{fmt.Sprintf("damaged record at offset %d", recs[k]), "not the packet's", "(1 record)"},
		},
		{
			// Read as cut by the snap length: the damage shows at the next
			// header, read 8 octets early.
			name: "captured length short by 8", data: put(clean, recs[k]+8, uint32(recLen-16-8)),
			lost: []int{7}, sentinel: ErrDamagedFile, frame: 7, skipped: 8, frames: true,
			says: []string{fmt.Sprintf("damaged record at offset %d", recs[k+1]-8), "skipped 8 octets (0 records)"},
		},
		{
			name: "timestamp damaged", data: put(clean, recs[k], binary.LittleEndian.Uint32(clean[recs[k]:])+10*365*86400),
			sentinel: ErrDamagedFile, frame: 6, frames: true,
			says: []string{"out of place", "read with the time of the record before it"},
		},
		{
			name: "timestamp fraction out of range", data: put(clean, recs[k]+4, 2_000_000),
			sentinel: ErrDamagedFile, frame: 6, frames: true,
			says: []string{"timestamp fraction 2000000 out of range"},
		},
		{
			name:     "junk between records",
			data:     slices.Concat(clean[:recs[k]], bytes.Repeat([]byte{0xab}, 301), clean[recs[k]:]),
			sentinel: ErrDamagedFile, frame: 6, skipped: 301,
			says: []string{fmt.Sprintf("damaged record at offset %d", recs[k]), "skipped 301 octets"},
		},
		{
			name: "the last record's header", data: put(clean, recs[12]+12, 1),
			lost: []int{13}, sentinel: ErrTruncatedFile, frame: 12, frames: true,
			says: []string{"no valid record in the"},
		},
		{
			name: "gzip", data: gzipped(t, put(clean, recs[k]+12, 1)),
			lost: []int{7}, sentinel: ErrDamagedFile, frame: 6, skipped: int64(recLen), frames: true,
			says: []string{fmt.Sprintf("damaged record at offset %d", recs[k])},
		},
		{
			name: "big-endian, nanoseconds", data: pcapBigEndianNanos(put(clean, recs[k]+12, 1)),
			lost: []int{7}, sentinel: ErrDamagedFile, frame: 6, skipped: int64(recLen), frames: true,
			says: []string{fmt.Sprintf("damaged record at offset %d", recs[k])},
		},
	}
	want, _ := runCapture(t, c, smppOn)
	require.Len(t, want.pdus, 10)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkResync(t, want, tt.data, tt.lost, tt.sentinel, tt.frame, tt.says, tt.skipped, tt.frames)
		})
	}
	t.Run("timestamp damaged: the time of the record before", func(t *testing.T) {
		data := put(clean, recs[k], binary.LittleEndian.Uint32(clean[recs[k]:])+10*365*86400)
		col, _, err := runFiles(t, smppOn, writeFile(t, "d.pcap", data))
		require.NoError(t, err)
		require.Equal(t, c.frames[k-1].ci.Timestamp, col.pdus[3].Time)
	})
}

// checkResync runs data and compares what it gives with want, the run of
// the undamaged file.
func checkResync(t *testing.T, want *collector, data []byte, lost []int, sentinel error, frame int, says []string, skipped int64, frames bool) {
	t.Helper()
	name := writeFile(t, "damaged", data)
	col, st, err := runFiles(t, smppOn, name)
	require.NoError(t, err)
	var problems []Problem
	for _, p := range col.problems {
		if !errors.Is(p.Err, ErrSnapLen) { // a record read too short is also cut
			problems = append(problems, p)
		}
	}
	require.Len(t, problems, 1, "problems: %v", col.problems)
	p := problems[0]
	require.ErrorIs(t, &p, sentinel)
	require.Equal(t, frame, p.Frame)
	require.Equal(t, name, p.File)
	msg := p.Error()
	t.Log(msg)
	require.Contains(t, msg, fmt.Sprintf("%s: ", name))
	require.Contains(t, msg, fmt.Sprintf("after frame %d", frame))
	for _, s := range says {
		require.Contains(t, msg, s)
	}
	if sentinel == ErrDamagedFile {
		require.Equal(t, skipped, st.CaptureBytesSkipped)
	}
	type key struct {
		dir  Dir
		data string
	}
	got := map[key]int{}
	for _, q := range col.pdus {
		got[key{q.Dir, string(q.Data)}] = q.Frame
	}
	for _, q := range want.pdus {
		f, ok := got[key{q.Dir, string(q.Data)}]
		if slices.Contains(lost, q.Frame) {
			require.False(t, ok, "PDU of the damaged frame %d delivered", q.Frame)
			continue
		}
		require.True(t, ok, "PDU of frame %d not delivered", q.Frame)
		if frames {
			require.Equal(t, q.Frame, f, "frame numbers stay in step with the file's records")
		}
	}
}

func putBE(b []byte, off int, v uint32) []byte {
	b = slices.Clone(b)
	binary.BigEndian.PutUint32(b[off:], v)
	return b
}

// TestResyncPcapng damages one block of a pcapng file in each way, as
// TestResyncPcap does for pcap.
func TestResyncPcapng(t *testing.T) {
	c := resyncCapture(t)
	clean := c.pcapng()
	blocks := ngBlockStarts(clean)
	require.Len(t, blocks, 15) // section header, interface, 13 packets
	const k = 6                // the damaged packet: frame 7
	at := blocks[k+2]
	n := blocks[k+3] - at
	put := func(b []byte, off int, v uint32) []byte {
		b = slices.Clone(b)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	last := blocks[14]
	tests := []struct {
		name     string
		data     []byte
		lost     []int
		sentinel error
		frame    int
		says     []string
		skipped  int64
		frames   bool
	}{
		{
			name: "total length at the end differs", data: put(clean, at+n-4, uint32(n+4)),
			lost: []int{7}, sentinel: ErrDamagedFile, frame: 6, skipped: int64(n), frames: true,
			says: []string{fmt.Sprintf("damaged block at offset %d", at), fmt.Sprintf("total length %d at its start, %d at its end", n, n+4), fmt.Sprintf("skipped %d octets (1 block)", n)},
		},
		{
			name: "total length at the start far too large", data: put(clean, at+4, 0x00f00000),
			lost: []int{7}, sentinel: ErrDamagedFile, frame: 6, skipped: int64(n), frames: true,
			says: []string{"total length 15728640, above 4194304"},
		},
		{
			name: "total length at the start a little off", data: put(clean, at+4, uint32(n+8)),
			lost: []int{7}, sentinel: ErrDamagedFile, frame: 6, skipped: int64(n), frames: true,
		},
		{
			name: "packet for an interface not described", data: put(clean, at+8, 5),
			lost: []int{7}, sentinel: ErrDamagedFile, frame: 6, skipped: int64(n), frames: true,
			says: []string{"packet block for interface 5, of 1 described", "(1 block)"},
		},
		{
			name: "captured length beyond its block", data: put(clean, at+20, 0xffff),
			lost: []int{7}, sentinel: ErrDamagedFile, frame: 6, skipped: int64(n), frames: true,
			says: []string{"captured length 65535 in a block of"},
		},
		{
			name:     "junk between blocks",
			data:     slices.Concat(clean[:at], bytes.Repeat([]byte{0xab}, 301), clean[at:]),
			sentinel: ErrDamagedFile, frame: 6, skipped: 301,
			says: []string{"skipped 301 octets"},
		},
		{
			name: "the last block's total length", data: put(clean, len(clean)-4, 12),
			lost: []int{13}, sentinel: ErrTruncatedFile, frame: 12, frames: true,
			says: []string{fmt.Sprintf("block at offset %d", last), "no valid block in the"},
		},
		{
			name: "big-endian", data: putBE(pcapngBigEndian(t, clean), at+n-4, uint32(n+4)),
			lost: []int{7}, sentinel: ErrDamagedFile, frame: 6, skipped: int64(n), frames: true,
			says: []string{fmt.Sprintf("damaged block at offset %d", at)},
		},
	}
	want, _ := runCapture(t, c, smppOn)
	t.Run("big-endian, undamaged", func(t *testing.T) {
		col, _, err := runFiles(t, smppOn, writeFile(t, "be.pcapng", pcapngBigEndian(t, clean)))
		require.NoError(t, err)
		require.Empty(t, col.problems)
		require.Len(t, col.pdus, len(want.pdus))
		for i := range col.pdus {
			require.Equal(t, want.pdus[i].Data, col.pdus[i].Data)
			require.Equal(t, want.pdus[i].Frame, col.pdus[i].Frame)
			require.Equal(t, want.pdus[i].Time, col.pdus[i].Time)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkResync(t, want, tt.data, tt.lost, tt.sentinel, tt.frame, tt.says, tt.skipped, tt.frames)
		})
	}
}

// TestResyncMemoryBounded: 8 MiB of junk after a damaged header, then the
// rest of the file, is scanned with a bounded window, and the records
// after it are read.
func TestResyncMemoryBounded(t *testing.T) {
	c := resyncCapture(t)
	junk := make([]byte, 8<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range junk {
		junk[i] = byte(r.Uint32())
	}
	for _, format := range []string{"pcap", "pcapng"} {
		t.Run(format, func(t *testing.T) {
			b, starts, k := c.pcap(), pcapRecordStarts(c.pcap()), 6
			if format == "pcapng" {
				b, starts, k = c.pcapng(), ngBlockStarts(c.pcapng()), 8
			}
			data := slices.Concat(b[:starts[k]], junk, b[starts[k]:])
			name := writeFile(t, "junk."+format, data)
			data = nil
			var col *collector
			var st Stats
			peak := peakHeap(func() {
				var err error
				col, st, err = runFiles(t, smppOn, name)
				require.NoError(t, err)
			})
			t.Logf("%s: peak heap +%.1f MiB", format, float64(peak)/(1<<20))
			require.Len(t, col.pdus, 10)
			require.Len(t, col.problems, 1)
			require.ErrorIs(t, &col.problems[0], ErrDamagedFile)
			require.EqualValues(t, len(junk), st.CaptureBytesSkipped)
			require.Less(t, peak, uint64(8<<20), "the window holds resyncKeep octets and a record chain, not the junk")
		})
	}
}

// TestLookahead checks that the window grows with the bytes that come,
// not with what is asked for, and keeps the bytes it has not consumed.
func TestLookahead(t *testing.T) {
	src := make([]byte, 300_000)
	for i := range src {
		src[i] = byte(i * 7)
	}
	l := lookahead{r: bytes.NewReader(src[:1000])}
	b := l.peek(1 << 30) // a length from a damaged file
	require.Len(t, b, 1000)
	require.LessOrEqual(t, cap(l.buf), 2*lookaheadMin)
	ended, err := l.ended()
	require.True(t, ended)
	require.NoError(t, err)

	l = lookahead{r: iotestOneByte{bytes.NewReader(src)}}
	off := 0
	for _, step := range []struct{ peek, discard int }{{10, 3}, {100_000, 50_000}, {200_000, 0}, {16, 149_997}, {1 << 20, 100}} {
		b := l.peek(step.peek)
		require.Equal(t, src[off:off+min(step.peek, len(src)-off)], b[:min(step.peek, len(b))])
		require.EqualValues(t, off, l.off)
		l.discard(step.discard)
		off += step.discard
	}
	require.LessOrEqual(t, cap(l.buf), 2*len(src))
}

// iotestOneByte reads one byte at a time.
type iotestOneByte struct{ r io.Reader }

func (o iotestOneByte) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	return o.r.Read(b[:1])
}

// TestFramePlausible checks the link and IP header test that candidate
// records must pass after damage.
func TestFramePlausible(t *testing.T) {
	c := newCapture(t, layers.LinkTypeEthernet)
	k := c.conn(client, server)
	k.send(c2s, enquireLink(1))
	eth := c.frames[0].data
	ip := eth[14:]
	tests := []struct {
		name string
		lt   layers.LinkType
		b    []byte
		orig int
		ok   bool
	}{
		{"Ethernet, IPv4", layers.LinkTypeEthernet, eth, len(eth), true},
		{"Ethernet, cut by the snap length", layers.LinkTypeEthernet, eth[:40], len(eth), true},
		{"Ethernet, padded", layers.LinkTypeEthernet, append(slices.Clone(eth), make([]byte, 20)...), len(eth) + 20, true},
		{"Ethernet, original length far above the IP length", layers.LinkTypeEthernet, eth, len(eth) + 500, false},
		{"Ethernet, IP length above the original length", layers.LinkTypeEthernet, eth, len(eth) - 10, false},
		{"Ethernet, too short", layers.LinkTypeEthernet, eth[:10], len(eth), false},
		{"Ethernet, zeros", layers.LinkTypeEthernet, make([]byte, 60), 60, false},
		{"raw IPv4", layers.LinkTypeRaw, ip, len(ip), true},
		{"raw, version 5", layers.LinkTypeRaw, append([]byte{0x50}, ip[1:]...), len(ip), false},
		{"unknown link type", 189, []byte{1, 2, 3}, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.ok, framePlausible(tt.lt, tt.b, tt.orig))
		})
	}
}

// TestFramePlausibleFastWay: framePlausible's inline way for Ethernet and
// IPv4 answers as linkPlausible does, on frames damaged in the octets
// either looks at and with original lengths around the IP length.
func TestFramePlausibleFastWay(t *testing.T) {
	c := newCapture(t, layers.LinkTypeEthernet)
	c.conn(client, server).send(c2s, enquireLink(1))
	eth := c.frames[0].data
	rng := rand.New(rand.NewPCG(3, 4))
	fast := 0
	for pos := 0; pos < 40; pos++ {
		for _, v := range []byte{0x00, 0x01, 0x05, 0x06, 0x08, 0x40, 0x45, 0x4f, 0x81, 0xff, byte(rng.Uint32())} {
			b := slices.Clone(eth)
			b[pos] = v
			for _, cut := range []int{0, 10, 14, 33, 34, len(b)} {
				for orig := len(b) - 30; orig < len(b)+80; orig += 7 {
					want := linkPlausible(layers.LinkTypeEthernet, b[:cut], orig)
					require.Equal(t, want, framePlausible(layers.LinkTypeEthernet, b[:cut], orig), "octet %d = %#x, cut %d, orig %d", pos, v, cut, orig)
					if want && b[12] == 0x08 && b[13] == 0 {
						fast++
					}
				}
			}
		}
	}
	require.Positive(t, fast, "no plausible frame took the inline way")
}

// TestReadersOnRandomDamage reads captures damaged at random (octets
// changed, inserted, removed, the file cut) to the end: no panic, every
// read makes progress, and the frames counted never run ahead of what the
// file can hold.
func TestReadersOnRandomDamage(t *testing.T) {
	c := resyncCapture(t)
	for _, format := range []string{"pcap", "pcapng"} {
		clean := c.pcap()
		if format == "pcapng" {
			clean = c.pcapng()
		}
		for seed := range uint64(300) {
			r := rand.New(rand.NewPCG(seed, 7))
			b := slices.Clone(clean)
			for range 1 + r.IntN(8) {
				i := 24 + r.IntN(len(b)-24)
				switch r.IntN(4) {
				case 0:
					b[i] ^= byte(1 + r.IntN(255))
				case 1:
					b = slices.Insert(b, i, make([]byte, 1+r.IntN(40))...)
				case 2:
					b = slices.Delete(b, i, min(len(b), i+1+r.IntN(40)))
				case 3:
					b = b[:i]
				}
				if len(b) <= 24 {
					break
				}
			}
			src, err := newSource("x", bytes.NewReader(b))
			if err != nil {
				continue // the file header itself was damaged
			}
			frames := 0
			for range len(b) {
				var rec record
				err := src.read(&rec)
				if d := rec.damage; d != nil {
					require.Positive(t, d.skipped+boolInt(d.retimed), "seed %d: damage noted with nothing skipped", seed)
					frames += d.records
				}
				if err != nil {
					break
				}
				frames++
			}
			require.LessOrEqual(t, frames, len(b)/16, "%s seed %d: more frames than the file can hold", format, seed)
		}
	}
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
