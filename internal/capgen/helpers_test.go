package capgen

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"sort"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/stretchr/testify/require"
)

// Endpoints and a start time shared by the tests.
var (
	t0      = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	client4 = netip.MustParseAddrPort("10.0.0.1:40000")
	server4 = netip.MustParseAddrPort("10.0.0.2:2775")
	client6 = netip.MustParseAddrPort("[2001:db8::1]:40000")
	server6 = netip.MustParseAddrPort("[2001:db8::2]:2775")
)

// captured is one packet read back from a capture.
type captured struct {
	ci   gopacket.CaptureInfo
	data []byte
	pkt  gopacket.Packet
}

// tcp returns the packet's TCP layer or nil.
func (c captured) tcp() *layers.TCP {
	l, _ := c.pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
	return l
}

// ip4 returns the packet's IPv4 layer or nil.
func (c captured) ip4() *layers.IPv4 {
	l, _ := c.pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	return l
}

// capture is a capture file read back.
type capture struct {
	link    layers.LinkType
	snaplen uint32
	pkts    []captured
}

// tcpPkts returns the packets that carry TCP, in file order.
func (c capture) tcpPkts() []captured {
	var out []captured
	for _, p := range c.pkts {
		if p.tcp() != nil {
			out = append(out, p)
		}
	}
	return out
}

// newTestWriter returns a Writer into a buffer.
func newTestWriter(t *testing.T, o Options) (*Writer, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, o)
	require.NoError(t, err)
	return w, &buf
}

// newTestConn returns a connection on w or fails the test.
func newTestConn(t *testing.T, w *Writer, client, server netip.AddrPort, opts ...ConnOption) *Conn {
	t.Helper()
	c, err := w.NewConn(client, server, opts...)
	require.NoError(t, err)
	return c
}

// readBack closes w and decodes everything it wrote.
func readBack(t *testing.T, w *Writer, buf *bytes.Buffer) capture {
	t.Helper()
	require.NoError(t, w.Close())
	return readCapture(t, buf.Bytes(), w.Options().Format)
}

// packetSource is what pcapgo's two readers have in common.
type packetSource interface {
	ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	LinkType() layers.LinkType
}

// readCapture decodes a pcap or pcapng file with pcapgo and gopacket.
func readCapture(t *testing.T, b []byte, f Format) capture {
	t.Helper()
	var (
		src packetSource
		out capture
	)
	switch f {
	case PCAP:
		r, err := pcapgo.NewReader(bytes.NewReader(b))
		require.NoError(t, err)
		src, out.snaplen = r, r.Snaplen()
	case PCAPNG:
		r, err := pcapgo.NewNgReader(bytes.NewReader(b), pcapgo.DefaultNgReaderOptions)
		require.NoError(t, err)
		src = r
	}
	out.link = src.LinkType()
	for {
		data, ci, err := src.ReadPacketData()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		pkt := gopacket.NewPacket(data, out.link, gopacket.Default)
		out.pkts = append(out.pkts, captured{ci: ci, data: data, pkt: pkt})
	}
	return out
}

// requireValid checks that a packet decoded cleanly and that its IPv4
// header checksum and TCP checksum are correct.
func requireValid(t *testing.T, p captured) {
	t.Helper()
	require.Nil(t, p.pkt.ErrorLayer(), "decode error in %v", p.pkt)
	if ip := p.ip4(); ip != nil {
		require.Equal(t, uint16(0xffff), onesSum(ip.Contents), "IPv4 header checksum")
	}
	if tcp := p.tcp(); tcp != nil && p.ci.CaptureLength == p.ci.Length {
		netLayer := p.pkt.NetworkLayer()
		require.NoError(t, tcp.SetNetworkLayerForChecksum(netLayer))
		// The sum over a segment that includes a correct checksum folds to 0.
		sum, err := tcp.ComputeChecksum()
		require.NoError(t, err)
		require.Zero(t, sum, "TCP checksum")
	}
}

// onesSum is the folded ones'-complement sum of b (0xffff for a header
// with a correct checksum).
func onesSum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return uint16(sum)
}

// fromPort reports whether p was sent from port.
func fromPort(p captured, port uint16) bool {
	return uint16(p.tcp().SrcPort) == port
}

// assemble rebuilds one direction's byte stream from the TCP packets sent
// from srcPort, starting at sequence number base, tolerating reordering,
// duplicates and overlaps (which must agree). It stops at the first hole and
// returns the bytes and whether any byte was missing before the highest one
// seen.
func assemble(t *testing.T, pkts []captured, srcPort uint16, base uint32) (stream []byte, hole bool) {
	t.Helper()
	got := map[uint32]byte{}
	var maxOff uint32
	for _, p := range pkts {
		tcp := p.tcp()
		if tcp == nil || !fromPort(p, srcPort) || len(tcp.Payload) == 0 {
			continue
		}
		off := tcp.Seq - base // modulo 2^32: wraparound is fine
		for i, b := range tcp.Payload {
			o := off + uint32(i)
			if prev, ok := got[o]; ok {
				require.Equal(t, prev, b, "overlapping bytes disagree at offset %d", o)
			}
			got[o] = b
			maxOff = max(maxOff, o+1)
		}
	}
	offs := make([]uint32, 0, len(got))
	for o := range got {
		offs = append(offs, o)
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
	for i, o := range offs {
		if o != uint32(i) {
			return stream, true
		}
		stream = append(stream, got[o])
	}
	return stream, uint32(len(stream)) < maxOff
}

// pattern returns n deterministic, non-repeating-looking bytes.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// flagsOf converts a decoded TCP header back to Flags.
func flagsOf(tcp *layers.TCP) Flags {
	var f Flags
	for _, x := range []struct {
		set  bool
		flag Flags
	}{{tcp.FIN, FIN}, {tcp.SYN, SYN}, {tcp.RST, RST}, {tcp.PSH, PSH}, {tcp.ACK, ACK}, {tcp.URG, URG}, {tcp.ECE, ECE}, {tcp.CWR, CWR}} {
		if x.set {
			f |= x.flag
		}
	}
	return f
}

// requireIncreasing checks that timestamps strictly increase.
func requireIncreasing(t *testing.T, pkts []captured) {
	t.Helper()
	for i := 1; i < len(pkts); i++ {
		require.True(t, pkts[i].ci.Timestamp.After(pkts[i-1].ci.Timestamp),
			"frame %d at %v not after frame %d at %v", i+1, pkts[i].ci.Timestamp, i, pkts[i-1].ci.Timestamp)
	}
}

// mustAddrPort parses an ip:port or fails the test.
func mustAddrPort(t *testing.T, s string) netip.AddrPort {
	t.Helper()
	ap, err := netip.ParseAddrPort(s)
	require.NoError(t, err)
	return ap
}
