package reassembly

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"hash/fnv"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/stretchr/testify/require"
)

// SMPP command ids used by the tests.
const (
	idSubmitSM        = 0x00000004
	idSubmitSMResp    = 0x80000004
	idEnquireLink     = 0x00000015
	idEnquireLinkResp = 0x80000015
	idGenericNack     = 0x80000000
)

// pdu builds an SMPP PDU with a correct command_length.
func pdu(id, seq uint32, body []byte) []byte {
	b := make([]byte, 16, 16+len(body))
	binary.BigEndian.PutUint32(b[0:], uint32(16+len(body))) // command_length
	binary.BigEndian.PutUint32(b[4:], id)                   // command_id
	binary.BigEndian.PutUint32(b[8:], 0)                    // command_status
	binary.BigEndian.PutUint32(b[12:], seq)                 // sequence_number
	return append(b, body...)
}

// submitSM builds a submit_sm of n octets (n >= 33) with a body that holds
// no plausible SMPP header.
func submitSM(seq uint32, n int) []byte {
	body := bytes.Repeat([]byte{'x'}, n-16)
	return pdu(idSubmitSM, seq, body)
}

func enquireLink(seq uint32) []byte     { return pdu(idEnquireLink, seq, nil) }
func enquireLinkResp(seq uint32) []byte { return pdu(idEnquireLinkResp, seq, nil) }

func cat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

var (
	t0      = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	client  = netip.MustParseAddrPort("10.0.0.1:40000")
	server  = netip.MustParseAddrPort("10.0.0.2:2775")
	client6 = netip.MustParseAddrPort("[2001:db8::1]:40000")
	server6 = netip.MustParseAddrPort("[2001:db8::2]:2775")
	smppOn  = Options{Ports: []uint16{2775}}
)

// seg is one TCP segment to write.
type seg struct {
	src, dst      netip.AddrPort
	seq, ack      uint32
	syn, fin, rst bool
	noACK         bool
	payload       []byte
}

// frame is one captured frame.
type frame struct {
	data []byte
	ci   gopacket.CaptureInfo
}

// capture builds a capture in memory, one frame per millisecond.
type capture struct {
	t      testing.TB
	link   layers.LinkType
	snap   int // bytes kept of each frame; 0 keeps all
	ts     time.Time
	frames []frame
}

func newCapture(t testing.TB, link layers.LinkType) *capture {
	return &capture{t: t, link: link, ts: t0}
}

// tick advances the capture clock by d.
func (c *capture) tick(d time.Duration) { c.ts = c.ts.Add(d) }

// add writes s as the next frame.
func (c *capture) add(s seg) {
	c.t.Helper()
	c.addFrame(s.src.Addr().Is6(), c.ipTCP(s))
}

// addFrame appends a frame holding the IP packet pkt.
func (c *capture) addFrame(v6 bool, pkt []byte) {
	data := c.link2(v6, pkt)
	ci := gopacket.CaptureInfo{Timestamp: c.ts, CaptureLength: len(data), Length: len(data)}
	if c.snap > 0 && len(data) > c.snap {
		data, ci.CaptureLength = data[:c.snap], c.snap
	}
	c.frames = append(c.frames, frame{data, ci})
	c.tick(time.Millisecond)
}

// ipTCP serialises the IP and TCP layers of s.
func (c *capture) ipTCP(s seg) []byte {
	c.t.Helper()
	tcp := &layers.TCP{
		SrcPort: layers.TCPPort(s.src.Port()), DstPort: layers.TCPPort(s.dst.Port()),
		Seq: s.seq, Ack: s.ack, SYN: s.syn, FIN: s.fin, RST: s.rst, ACK: !s.noACK,
		PSH: len(s.payload) > 0, Window: 65535,
	}
	var ip gopacket.SerializableLayer
	if s.src.Addr().Is6() {
		ip6 := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolTCP,
			SrcIP: net.IP(s.src.Addr().AsSlice()), DstIP: net.IP(s.dst.Addr().AsSlice())}
		require.NoError(c.t, tcp.SetNetworkLayerForChecksum(ip6))
		ip = ip6
	} else {
		ip4 := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolTCP,
			SrcIP: net.IP(s.src.Addr().AsSlice()), DstIP: net.IP(s.dst.Addr().AsSlice())}
		require.NoError(c.t, tcp.SetNetworkLayerForChecksum(ip4))
		ip = ip4
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	require.NoError(c.t, gopacket.SerializeLayers(buf, opts, ip, tcp, gopacket.Payload(s.payload)))
	return append([]byte(nil), buf.Bytes()...)
}

// link2 returns the frame carrying the IPv4 or IPv6 packet pkt.
func (c *capture) link2(v6 bool, pkt []byte) []byte {
	c.t.Helper()
	et := layers.EthernetTypeIPv4
	if v6 {
		et = layers.EthernetTypeIPv6
	}
	mac1 := net.HardwareAddr{0x02, 0, 0, 0, 0, 1}
	mac2 := net.HardwareAddr{0x02, 0, 0, 0, 0, 2}
	ser := func(ls ...gopacket.SerializableLayer) []byte { // Ethernet pads frames to 60 bytes
		buf := gopacket.NewSerializeBuffer()
		ls = append(ls, gopacket.Payload(pkt))
		require.NoError(c.t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{}, ls...))
		return append([]byte(nil), buf.Bytes()...)
	}
	raw := func(h []byte) []byte { return append(h, pkt...) }
	switch c.link {
	case layers.LinkTypeEthernet:
		return ser(&layers.Ethernet{SrcMAC: mac1, DstMAC: mac2, EthernetType: et})
	case linkTypeTestDot1Q:
		return ser(&layers.Ethernet{SrcMAC: mac1, DstMAC: mac2, EthernetType: layers.EthernetTypeDot1Q},
			&layers.Dot1Q{VLANIdentifier: 100, Type: et})
	case linkTypeTestQinQ:
		return ser(&layers.Ethernet{SrcMAC: mac1, DstMAC: mac2, EthernetType: layers.EthernetTypeQinQ},
			&layers.Dot1Q{VLANIdentifier: 10, Type: layers.EthernetTypeDot1Q},
			&layers.Dot1Q{VLANIdentifier: 100, Type: et})
	case layers.LinkTypeLinuxSLL:
		h := make([]byte, 16)
		binary.BigEndian.PutUint16(h[0:], 4)           // packet type: outgoing
		binary.BigEndian.PutUint16(h[2:], 1)           // ARPHRD_ETHER
		binary.BigEndian.PutUint16(h[4:], 6)           // address length
		copy(h[6:14], mac1)                            // address, padded to 8
		binary.BigEndian.PutUint16(h[14:], uint16(et)) // protocol
		return raw(h)
	case layers.LinkTypeLinuxSLL2:
		h := make([]byte, 20)
		binary.BigEndian.PutUint16(h[0:], uint16(et)) // protocol
		binary.BigEndian.PutUint32(h[4:], 3)          // interface index (2:4 reserved)
		binary.BigEndian.PutUint16(h[8:], 1)          // ARPHRD_ETHER
		h[10] = 4                                     // packet type: outgoing
		h[11] = 6                                     // address length
		copy(h[12:20], mac1)                          // address, padded to 8
		return raw(h)
	case layers.LinkTypeNull:
		h := make([]byte, 4)
		af := uint32(2) // AF_INET
		if v6 {
			af = 24 // AF_INET6 on NetBSD/OpenBSD; others use 28 or 30
		}
		binary.LittleEndian.PutUint32(h, af) // host byte order of the capturing machine
		return raw(h)
	case layers.LinkTypeLoop:
		h := make([]byte, 4)
		af := uint32(2)
		if v6 {
			af = 24
		}
		binary.BigEndian.PutUint32(h, af) // always network byte order
		return raw(h)
	}
	return raw(nil) // raw IP link types
}

// Link types of the capture builder that are not file link types: they
// write Ethernet files with VLAN tags.
const (
	linkTypeTestDot1Q layers.LinkType = 0xfff0
	linkTypeTestQinQ  layers.LinkType = 0xfff1
)

func (c *capture) fileLink() layers.LinkType {
	if c.link == linkTypeTestDot1Q || c.link == linkTypeTestQinQ {
		return layers.LinkTypeEthernet
	}
	return c.link
}

// pcap returns the capture as a pcap file.
func (c *capture) pcap() []byte {
	c.t.Helper()
	var b bytes.Buffer
	w := pcapgo.NewWriter(&b)
	require.NoError(c.t, w.WriteFileHeader(65535, c.fileLink()))
	for _, f := range c.frames {
		require.NoError(c.t, w.WritePacket(f.ci, f.data))
	}
	return b.Bytes()
}

// pcapng returns the capture as a pcapng file.
func (c *capture) pcapng() []byte {
	c.t.Helper()
	var b bytes.Buffer
	w, err := pcapgo.NewNgWriter(&b, c.fileLink())
	require.NoError(c.t, err)
	for _, f := range c.frames {
		require.NoError(c.t, w.WritePacket(f.ci, f.data))
	}
	require.NoError(c.t, w.Flush())
	return b.Bytes()
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return out.Bytes()
}

// tconn writes segments of one TCP connection, tracking sequence numbers.
type tconn struct {
	c       *capture
	ends    [2]netip.AddrPort // by Dir: the sender
	seq     [2]uint32         // next sequence number by Dir
	isn     [2]uint32
	started [2]bool
}

// conn starts a connection. Its initial sequence numbers are derived from
// the 4-tuple, as different as a real stack's random ones.
func (c *capture) conn(cli, srv netip.AddrPort) *tconn {
	h := fnv.New64a()
	_, _ = h.Write([]byte(cli.String() + ">" + srv.String()))
	sum := h.Sum64()
	isn := [2]uint32{uint32(sum), uint32(sum >> 32)}
	return &tconn{c: c, ends: [2]netip.AddrPort{cli, srv}, seq: [2]uint32{isn[0] + 1, isn[1] + 1}, isn: isn}
}

// handshake writes SYN, SYN-ACK and ACK.
func (k *tconn) handshake() {
	k.c.add(seg{src: k.ends[0], dst: k.ends[1], seq: k.isn[0], syn: true, noACK: true})
	k.c.add(seg{src: k.ends[1], dst: k.ends[0], seq: k.isn[1], ack: k.seq[0], syn: true})
	k.c.add(seg{src: k.ends[0], dst: k.ends[1], seq: k.seq[0], ack: k.seq[1]})
}

// seg returns the next data segment from d without writing it.
func (k *tconn) seg(d Dir, payload []byte) seg {
	s := seg{src: k.ends[d], dst: k.ends[d^1], seq: k.seq[d], ack: k.seq[d^1], payload: payload}
	k.seq[d] += uint32(len(payload))
	return s
}

// send writes one segment per payload from d.
func (k *tconn) send(d Dir, payloads ...[]byte) {
	for _, p := range payloads {
		k.c.add(k.seg(d, p))
	}
}

// split writes b from d in segments cut at the given offsets.
func (k *tconn) split(d Dir, b []byte, cuts ...int) {
	prev := 0
	for _, cut := range append(cuts, len(b)) {
		k.send(d, b[prev:cut])
		prev = cut
	}
}

// fin writes a FIN from d.
func (k *tconn) fin(d Dir) {
	k.c.add(seg{src: k.ends[d], dst: k.ends[d^1], seq: k.seq[d], ack: k.seq[d^1], fin: true})
	k.seq[d]++
}

// writeFile writes b to a file in t's temporary directory.
func writeFile(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, b, 0o644))
	return p
}

// runFiles runs files with o and returns what the Handler got.
func runFiles(t testing.TB, o Options, files ...string) (*collector, Stats, error) {
	t.Helper()
	var c collector
	st, err := Run(context.Background(), files, o, &c)
	return &c, st, err
}

// runCapture writes c as a pcap file and runs it.
func runCapture(t testing.TB, c *capture, o Options) (*collector, Stats) {
	t.Helper()
	col, st, err := runFiles(t, o, writeFile(t, "c.pcap", c.pcap()))
	require.NoError(t, err)
	return col, st
}
