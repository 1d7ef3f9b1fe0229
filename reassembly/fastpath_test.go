package reassembly

import (
	"math/rand/v2"
	"os"
	"path/filepath"
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
		require.Equal(t, general.netFlow, fast.netFlow, "frame %d", i)
		g, q := general.tcp, fast.tcp
		require.Equal(t, []any{g.SrcPort, g.DstPort, g.Seq, g.Ack, g.DataOffset, g.FIN, g.SYN, g.RST, g.PSH, g.ACK, g.URG, g.ECE, g.CWR, g.NS, g.Window, g.Urgent},
			[]any{q.SrcPort, q.DstPort, q.Seq, q.Ack, q.DataOffset, q.FIN, q.SYN, q.RST, q.PSH, q.ACK, q.URG, q.ECE, q.CWR, q.NS, q.Window, q.Urgent}, "frame %d", i)
		require.Equal(t, g.Contents, q.Contents, "frame %d", i)
		require.Equal(t, g.Payload, q.Payload, "frame %d", i)
		require.Equal(t, len(g.Options), len(q.Options), "frame %d", i)
		// The direct table's key, packed from the frame's bytes, is the one
		// packed from the flow when a connection leaves the assembler.
		require.Equal(t, flowKey{general.netFlow, uint16(g.SrcPort), uint16(g.DstPort)}.id(), fast.id, "frame %d", i)
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
