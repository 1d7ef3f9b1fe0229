package reassembly

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"
)

// fastFrames returns frames to compare the two ways of decoding on: every
// link type the tests generate, the committed demo capture, the public
// captures when present, and damaged copies of Ethernet, 802.1Q and SLL
// frames (every octet of the first 64 set to a few telling values).
func fastFrames(t *testing.T) (frames []frame, lts []layers.LinkType) {
	add := func(b []byte) {
		f, l := readFrames(t, b)
		frames, lts = append(frames, f...), append(lts, l...)
	}
	for _, lt := range []layers.LinkType{layers.LinkTypeEthernet, linkTypeTestDot1Q, linkTypeTestQinQ,
		layers.LinkTypeLinuxSLL, layers.LinkTypeLinuxSLL2, layers.LinkTypeNull, layers.LinkTypeRaw,
		linkTypeRawDLT12, layers.LinkTypeIPv4} {
		add(simple(t, lt, client, server).pcapng())
		add(simple(t, lt, client6, server6).pcapng())
	}
	if b, err := os.ReadFile(filepath.Join("..", "pcaps", "demo.pcap")); err == nil {
		add(b)
	}
	if paths, _ := filepath.Glob(filepath.Join("..", "..", "shared", "pcaps", "public", "*.pcap*")); len(paths) > 0 {
		for _, p := range paths {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			add(b)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n := len(frames)
	for i := range n {
		switch lts[i] {
		case layers.LinkTypeEthernet, layers.LinkTypeLinuxSLL:
		default:
			continue
		}
		for pos := 0; pos < min(64, len(frames[i].data)); pos++ {
			for _, v := range []byte{0x00, 0x01, 0x06, 0x08, 0x20, 0x45, 0x46, 0x81, 0xff, byte(rng.Uint32())} {
				d := append([]byte(nil), frames[i].data...)
				d[pos] = v
				frames, lts = append(frames, frame{d, frames[i].ci}), append(lts, lts[i])
			}
		}
		for cut := 1; cut < len(frames[i].data); cut += 7 {
			d := frames[i].data[:cut]
			ci := frames[i].ci
			ci.CaptureLength = cut
			frames, lts = append(frames, frame{d, ci}, frame{d, frames[i].ci}), append(lts, lts[i], lts[i])
		}
	}
	return frames, lts
}

// TestFastDecodeAgrees: every frame the fast way accepts, the layer parsers
// decode to the same TCP segment and addresses, with nothing cut or lost.
func TestFastDecodeAgrees(t *testing.T) {
	frames, lts := fastFrames(t)
	fast, general := newLinkDecoder(), newLinkDecoder()
	accepted := 0
	for i, f := range frames {
		if !fast.fastDecode(lts[i], f.data, &f.ci) {
			continue
		}
		accepted++
		res := general.decodeLayers(lts[i], f.data, &f.ci)
		require.Equal(t, resultTCP, res, "frame %d (%s): fast way accepted what the parsers give %v (%v)", i, lts[i], res, general.err)
		require.False(t, general.truncated || general.lost, "frame %d: the parsers found it cut", i)
		require.Equal(t, segmentOf(&general.tcp), fast.seg, "frame %d", i)
		fast.completeTCP()
		require.Equal(t, general.netFlow, fast.netFlow, "frame %d", i)
		requireSameTCP(t, &general.tcp, &fast.tcp, "frame %d", i)
		// The direct table's key, packed from the frame's bytes, is the one
		// packed from the flow when a connection leaves the assembler.
		require.Equal(t, flowKey{general.netFlow, uint16(general.tcp.SrcPort), uint16(general.tcp.DstPort)}.id(), fast.id, "frame %d", i)
	}
	t.Logf("%d of %d frames taken the fast way", accepted, len(frames))
	require.Greater(t, accepted, len(frames)/4, "the fast way should take most undamaged IPv4 frames")
}

// BenchmarkLinkDecode compares the two ways on an Ethernet/IPv4/TCP frame.
func BenchmarkLinkDecode(b *testing.B) {
	c := simple(b, layers.LinkTypeEthernet, client, server)
	frames, _ := readFrames(b, c.pcap())
	f := frames[len(frames)-1]
	d := newLinkDecoder()
	for _, way := range []struct {
		name string
		fn   func(layers.LinkType, []byte, *gopacket.CaptureInfo) decodeResult
	}{{"fast", d.decode}, {"layers", d.decodeLayers}} {
		b.Run(way.name, func(b *testing.B) {
			for b.Loop() {
				if way.fn(layers.LinkTypeEthernet, f.data, &f.ci) != resultTCP {
					b.Fatal("not TCP")
				}
			}
		})
	}
}

// requireSameTCP fails unless got is what gopacket decoded into want:
// every exported field, and the ports behind TransportFlow. Padding is
// compared by content: gopacket keeps an empty non-nil one once it had one.
func requireSameTCP(t testing.TB, want, got *layers.TCP, msgAndArgs ...any) {
	t.Helper()
	fields := func(t *layers.TCP) []any {
		return []any{t.SrcPort, t.DstPort, t.Seq, t.Ack, t.DataOffset, t.FIN, t.SYN, t.RST, t.PSH, t.ACK,
			t.URG, t.ECE, t.CWR, t.NS, t.Window, t.Checksum, t.Urgent, t.Contents, t.Payload, t.Options, t.Multipath}
	}
	require.Equal(t, fields(want), fields(got), msgAndArgs...)
	require.True(t, bytes.Equal(want.Padding, got.Padding), msgAndArgs...)
	require.Equal(t, want.TransportFlow(), got.TransportFlow(), msgAndArgs...)
}

// tcpSegments are TCP segments (header and payload) that reach every
// branch of gopacket's decoder that decodeSegment and completeTCP stand in
// for.
var tcpSegments = []struct {
	name   string
	hex    string
	accept bool // by gopacket
}{
	// ports 2775 > 40000, seq, ack, data offset 5, flags, window, checksum, urgent pointer
	{"bare ACK", "0ad79c40 00000064 000000c8 5010 faf0 1234 0000", true},
	{"PSH ACK with data", "0ad79c40 00000064 000000c8 5018 faf0 1234 0000 00000010 80000004 00000000 00000001", true},
	{"every flag, NS too", "0ad79c40 00000064 000000c8 51ff ffff ffff ffff", true},
	{"ECE, ACK, RST, FIN", "0ad79c40 00000064 000000c8 5055 0001 0002 0003", true},
	{"NS, CWR, URG, PSH, SYN", "0ad79c40 00000064 000000c8 51aa 0001 0002 0003", true},
	{"SYN with MSS, SACK permitted, timestamps, NOP, window scale",
		"9c400ad7 00000063 00000000 a002 faf0 0000 0000 020405b4 0402 080a00000001 00000000 01 030307", true},
	{"timestamps (data offset 8)", "0ad79c40 00000064 000000c8 8010 faf0 0000 0000 0101080a 00000001 00000002", true},
	{"five options: past gopacket's inline four", "0ad79c40 00000064 000000c8 8010 faf0 0000 0000 01010101 01080a00 00000100 000002", true},
	{"end of options, then padding", "0ad79c40 00000064 000000c8 7010 faf0 0000 0000 01000000 deadbeef", true},
	{"option length 1: options end there", "0ad79c40 00000064 000000c8 6010 faf0 0000 0000 02010000", true},
	{"option longer than the options", "0ad79c40 00000064 000000c8 6010 faf0 0000 0000 0108ffff", true},
	{"option kind with no length octet", "0ad79c40 00000064 000000c8 6010 faf0 0000 0000 01010102", true},
	{"MPTCP MP_CAPABLE", "0ad79c40 00000064 000000c8 8010 faf0 0000 0000 1e0c0081 01020304 05060708", true},
	{"MPTCP option too short", "0ad79c40 00000064 000000c8 6010 faf0 0000 0000 1e020000", true},
	{"data offset 4", "0ad79c40 00000064 000000c8 4010 faf0 0000 0000", false},
	{"data offset 0", "0ad79c40 00000064 000000c8 0010 faf0 0000 0000", false},
	{"data offset past the segment", "0ad79c40 00000064 000000c8 f010 faf0 0000 0000 01010101", false},
	{"data offset to the very end", "0ad79c40 00000064 000000c8 6010 faf0 0000 0000 01010101", true},
	{"19 octets", "0ad79c40 00000064 000000c8 5010 faf0 0000 00", false},
	{"empty", "", false},
}

// TestDecodeSegmentAgrees: decodeSegment accepts the segments gopacket's
// decoder accepts, and decodes them as it does; completeTCP then decodes
// the rest as it does.
func TestDecodeSegmentAgrees(t *testing.T) {
	for _, tc := range tcpSegments {
		t.Run(tc.name, func(t *testing.T) {
			b, err := hex.DecodeString(strings.ReplaceAll(tc.hex, " ", ""))
			require.NoError(t, err)
			require.Equal(t, tc.accept, checkDecodeSegment(t, b))
		})
	}
}

// FuzzDecodeSegment checks decodeSegment and completeTCP against
// gopacket's TCP decoder on arbitrary segments.
func FuzzDecodeSegment(f *testing.F) {
	for _, tc := range tcpSegments {
		b, err := hex.DecodeString(strings.ReplaceAll(tc.hex, " ", ""))
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 0xffff-20 {
			return // no IPv4 datagram holds it
		}
		checkDecodeSegment(t, b)
	})
}

// checkDecodeSegment decodes segment seg, in an IPv4 frame, the fast way,
// into a decoder that decoded another segment before (options, padding
// and MPTCP included), and requires the result of gopacket's decoder. It
// reports whether the fast way took the frame.
func checkDecodeSegment(t testing.TB, seg []byte) bool {
	t.Helper()
	var want layers.TCP
	wantErr := want.DecodeFromBytes(seg, gopacket.NilDecodeFeedback)

	frame := append([]byte{
		0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0, // version, IHL; total length; id; DF; TTL; TCP; checksum
		10, 20, 1, 10, 10, 20, 0, 1, // source 10.20.1.10, destination 10.20.0.1
	}, seg...)
	binary.BigEndian.PutUint16(frame[2:], uint16(len(frame)))
	ci := gopacket.CaptureInfo{CaptureLength: len(frame), Length: len(frame)}

	d := newLinkDecoder()
	stale, err := hex.DecodeString("9c400ad7000000630000000090c2faf000000000" + "1e0c0081010203040506070801000000" + "ff")
	require.NoError(t, err)
	require.NoError(t, d.tcp.DecodeFromBytes(stale, gopacket.NilDecodeFeedback))
	require.True(t, d.tcp.Multipath && len(d.tcp.Padding) > 0, "the stale segment should leave state behind")

	ok := d.fastDecode(layers.LinkTypeIPv4, frame, &ci)
	require.Equal(t, wantErr == nil, ok, "fast way took it: %v; gopacket: %v", ok, wantErr)
	if !ok {
		require.False(t, d.partial)
		return false
	}
	require.Equal(t, segmentOf(&want), d.seg)
	require.Equal(t, flowKey{gopacket.NewFlow(layers.EndpointIPv4, frame[12:16], frame[16:20]), uint16(want.SrcPort), uint16(want.DstPort)}.id(), d.id)
	require.True(t, d.partial)
	d.completeTCP()
	require.False(t, d.partial)
	requireSameTCP(t, &want, &d.tcp)
	require.Equal(t, gopacket.NewFlow(layers.EndpointIPv4, frame[12:16], frame[16:20]), d.netFlow)
	return true
}

// TestSegmentOf: segmentOf puts each of gopacket's flags back in its bit
// of the flags octet.
func TestSegmentOf(t *testing.T) {
	for bit := range 8 {
		b, err := hex.DecodeString("0ad79c40000000640000000050000000000000000102")
		require.NoError(t, err)
		b[13] = 1 << bit
		var tcp layers.TCP
		require.NoError(t, tcp.DecodeFromBytes(b, gopacket.NilDecodeFeedback))
		require.Equal(t, segment{seq: 100, flags: 1 << bit, payload: []byte{1, 2}}, segmentOf(&tcp), "bit %d", bit)
	}
}
