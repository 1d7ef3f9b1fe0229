package capgen

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// defaultTTL is the IPv4 TTL / IPv6 hop limit of a Segment with TTL 0.
const defaultTTL = 64

// maxIPPacket is the largest IPv4 total length / IPv6 payload length.
const maxIPPacket = 65535

// serializeOptions are used for every packet: lengths and checksums are
// always computed, so every packet is valid unless the caller edits bytes.
func serializeOptions() gopacket.SerializeOptions {
	return gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
}

// checkPair validates a source/destination pair of one packet. Its errors
// carry no package prefix; callers add context.
func checkPair(src, dst netip.Addr) error {
	if !src.IsValid() || !dst.IsValid() {
		return fmt.Errorf("invalid address %v -> %v", src, dst)
	}
	if src.Is4() != dst.Is4() {
		return fmt.Errorf("address families differ: %v -> %v", src, dst)
	}
	return nil
}

// ipLayer builds the network layer from src to dst carrying proto. The
// IPv4 DF bit is set, as Linux does with path MTU discovery.
func ipLayer(src, dst netip.Addr, proto layers.IPProtocol, id uint16, ttl uint8) (gopacket.NetworkLayer, gopacket.SerializableLayer, layers.EthernetType) {
	if ttl == 0 {
		ttl = defaultTTL
	}
	if src.Is4() {
		ip := &layers.IPv4{
			Version: 4, Id: id, Flags: layers.IPv4DontFragment, TTL: ttl, Protocol: proto,
			SrcIP: src.AsSlice(), DstIP: dst.AsSlice(),
		}
		return ip, ip, layers.EthernetTypeIPv4
	}
	ip := &layers.IPv6{
		Version: 6, NextHeader: proto, HopLimit: ttl,
		SrcIP: src.AsSlice(), DstIP: dst.AsSlice(),
	}
	return ip, ip, layers.EthernetTypeIPv6
}

// ipLength is the value of the length field of an IP packet from a carrying
// n bytes of transport header and payload: the IPv4 total length, or the
// IPv6 payload length.
func ipLength(a netip.Addr, n int) int {
	if a.Is4() {
		return 20 + n
	}
	return n
}

// tcpHeaderLen is the length of the TCP header tcpLayer builds for seg.
func tcpHeaderLen(seg Segment) int {
	if seg.MSS != 0 {
		return 24
	}
	return 20
}

// tcpLayer builds the TCP header of seg from sport to dport.
func tcpLayer(seg Segment, sport, dport uint16) *layers.TCP {
	tcp := &layers.TCP{
		SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport),
		Seq: seg.Seq, Ack: seg.Ack, Window: seg.Window,
		FIN: seg.Flags.Has(FIN), SYN: seg.Flags.Has(SYN), RST: seg.Flags.Has(RST),
		PSH: seg.Flags.Has(PSH), ACK: seg.Flags.Has(ACK), URG: seg.Flags.Has(URG),
		ECE: seg.Flags.Has(ECE), CWR: seg.Flags.Has(CWR),
	}
	if seg.MSS != 0 {
		opt := layers.TCPOption{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: make([]byte, 2)}
		binary.BigEndian.PutUint16(opt.OptionData, seg.MSS)
		tcp.Options = []layers.TCPOption{opt}
	}
	return tcp
}

// endpoints orients a segment: it returns the source and destination of seg
// given the connection's client and server.
func endpoints(client, server netip.AddrPort, fromClient bool) (src, dst netip.AddrPort) {
	if fromClient {
		return client, server
	}
	return server, client
}

// RenderSegment builds the frame for seg on the connection between client
// and server (seg.FromClient picks the direction) without writing it.
// Callers may edit the bytes (to corrupt a checksum, say) and write them
// with WritePacket.
func (w *Writer) RenderSegment(client, server netip.AddrPort, seg Segment) (Packet, error) {
	src, dst := endpoints(client, server, seg.FromClient)
	sa, da := src.Addr().Unmap(), dst.Addr().Unmap()
	if err := checkPair(sa, da); err != nil {
		return Packet{}, fmt.Errorf("capgen: segment: %w", err)
	}
	tcp := tcpLayer(seg, src.Port(), dst.Port())
	if n := ipLength(sa, tcpHeaderLen(seg)+len(seg.Payload)); n > maxIPPacket {
		return Packet{}, fmt.Errorf("capgen: segment of %d payload bytes does not fit an IP packet", len(seg.Payload))
	}
	netLayer, ip, etype := ipLayer(sa, da, layers.IPProtocolTCP, seg.IPID, seg.TTL)
	if err := tcp.SetNetworkLayerForChecksum(netLayer); err != nil {
		return Packet{}, fmt.Errorf("capgen: tcp checksum layer: %w", err)
	}
	link, err := w.linkLayers(linkHeader{etype: etype, src: macFor(sa), dst: macFor(da), outgoing: seg.FromClient})
	if err != nil {
		return Packet{}, err
	}
	data, err := serialize(append(link, ip, tcp, gopacket.Payload(seg.Payload)))
	if err != nil {
		return Packet{}, fmt.Errorf("capgen: serialize segment %v: %w", seg, err)
	}
	return Packet{Time: seg.Time, Data: data}, nil
}

// WriteSegment renders seg between client and server and writes it,
// returning its frame number. It keeps no state: this is the primitive for
// packets outside any Conn, such as a NAT copy under another 4-tuple.
func (w *Writer) WriteSegment(client, server netip.AddrPort, seg Segment) (int, error) {
	p, err := w.RenderSegment(client, server, seg)
	if err != nil {
		return 0, err
	}
	return w.WritePacket(p)
}

// WriteUDP writes one UDP datagram from src to dst and returns its frame
// number. It gives tests a non-TCP packet on the same link.
func (w *Writer) WriteUDP(t time.Time, src, dst netip.AddrPort, payload []byte) (int, error) {
	sa, da := src.Addr().Unmap(), dst.Addr().Unmap()
	if err := checkPair(sa, da); err != nil {
		return 0, fmt.Errorf("capgen: UDP: %w", err)
	}
	if n := ipLength(sa, 8+len(payload)); n > maxIPPacket {
		return 0, fmt.Errorf("capgen: UDP payload of %d bytes does not fit an IP packet", len(payload))
	}
	netLayer, ip, etype := ipLayer(sa, da, layers.IPProtocolUDP, 0, 0)
	udp := &layers.UDP{SrcPort: layers.UDPPort(src.Port()), DstPort: layers.UDPPort(dst.Port())}
	if err := udp.SetNetworkLayerForChecksum(netLayer); err != nil {
		return 0, fmt.Errorf("capgen: udp checksum layer: %w", err)
	}
	link, err := w.linkLayers(linkHeader{etype: etype, src: macFor(sa), dst: macFor(da), outgoing: true})
	if err != nil {
		return 0, err
	}
	data, err := serialize(append(link, ip, udp, gopacket.Payload(payload)))
	if err != nil {
		return 0, fmt.Errorf("capgen: serialize UDP: %w", err)
	}
	return w.WritePacket(Packet{Time: t, Data: data})
}

// WriteARP writes a broadcast ARP request ("who has target? tell sender")
// for IPv4 addresses and returns its frame number. Link types without an
// ethertype (Null, RawIP) cannot carry ARP and return an error.
func (w *Writer) WriteARP(t time.Time, sender, target netip.Addr) (int, error) {
	sender, target = sender.Unmap(), target.Unmap()
	if !sender.Is4() || !target.Is4() {
		return 0, fmt.Errorf("capgen: ARP needs IPv4 addresses, got %v and %v", sender, target)
	}
	mac := macFor(sender)
	arp := &layers.ARP{
		AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4,
		HwAddressSize: 6, ProtAddressSize: 4, Operation: layers.ARPRequest,
		SourceHwAddress: mac, SourceProtAddress: sender.AsSlice(),
		DstHwAddress: make([]byte, 6), DstProtAddress: target.AsSlice(),
	}
	link, err := w.linkLayers(linkHeader{etype: layers.EthernetTypeARP, src: mac, dst: broadcastMAC(), outgoing: true})
	if err != nil {
		return 0, err
	}
	data, err := serialize(append(link, arp))
	if err != nil {
		return 0, fmt.Errorf("capgen: serialize ARP: %w", err)
	}
	return w.WritePacket(Packet{Time: t, Data: data})
}

// serialize runs gopacket.SerializeLayers and returns a copy of the bytes.
func serialize(ls []gopacket.SerializableLayer) ([]byte, error) {
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, serializeOptions(), ls...); err != nil {
		return nil, err
	}
	return append([]byte(nil), buf.Bytes()...), nil
}
