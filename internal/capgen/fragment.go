package capgen

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// FragmentGap separates consecutive IP fragments of one segment.
const FragmentGap = 2 * time.Microsecond

// FragmentSegment renders seg between client and server as exactly n IPv4
// fragments (n >= 1) without writing them. The TCP header and payload, with
// a checksum over the whole segment, are split at multiples of 8 bytes into
// pieces of nearly equal size; all fragments share seg.IPID, all but the last
// have the More Fragments flag, and none has Don't Fragment. Fragment i has
// timestamp seg.Time + i*FragmentGap; reorder or drop the returned packets
// freely before writing them with WritePacket. n may not exceed the number
// of 8-byte blocks of the segment. IPv6 connections are rejected.
func (w *Writer) FragmentSegment(client, server netip.AddrPort, seg Segment, n int) ([]Packet, error) {
	src, dst := endpoints(client, server, seg.FromClient)
	sa, da := src.Addr().Unmap(), dst.Addr().Unmap()
	if err := checkPair(sa, da); err != nil {
		return nil, fmt.Errorf("capgen: fragment: %w", err)
	}
	if !sa.Is4() {
		return nil, fmt.Errorf("capgen: fragmentation is IPv4 only, got %v", sa)
	}
	if n := ipLength(sa, tcpHeaderLen(seg)+len(seg.Payload)); n > maxIPPacket {
		return nil, fmt.Errorf("capgen: segment of %d payload bytes does not fit an IP packet", len(seg.Payload))
	}
	netLayer, ip, _ := ipLayer(sa, da, layers.IPProtocolTCP, seg.IPID, seg.TTL)
	tcp := tcpLayer(seg, src.Port(), dst.Port())
	if err := tcp.SetNetworkLayerForChecksum(netLayer); err != nil {
		return nil, fmt.Errorf("capgen: tcp checksum layer: %w", err)
	}
	whole, err := serialize([]gopacket.SerializableLayer{ip, tcp, gopacket.Payload(seg.Payload)})
	if err != nil {
		return nil, fmt.Errorf("capgen: serialize segment %v: %w", seg, err)
	}
	body := whole[20:] // TCP header and payload
	blocks := (len(body) + 7) / 8
	if n < 1 || n > blocks {
		return nil, fmt.Errorf("capgen: cannot split %d bytes into %d fragments (1-%d)", len(body), n, blocks)
	}
	link, err := w.linkLayers(linkHeader{etype: layers.EthernetTypeIPv4, src: macFor(sa), dst: macFor(da), outgoing: seg.FromClient})
	if err != nil {
		return nil, err
	}
	pkts := make([]Packet, 0, n)
	off := 0
	for i := range n {
		size := blocks / n
		if i < blocks%n {
			size++
		}
		end := min(off+size*8, len(body))
		frag := &layers.IPv4{
			Version: 4, Id: seg.IPID, TTL: ttlOrDefault(seg.TTL), Protocol: layers.IPProtocolTCP,
			FragOffset: uint16(off / 8), SrcIP: sa.AsSlice(), DstIP: da.AsSlice(),
		}
		if i < n-1 {
			frag.Flags = layers.IPv4MoreFragments
		}
		data, err := serialize(append(append([]gopacket.SerializableLayer(nil), link...), frag, gopacket.Payload(body[off:end])))
		if err != nil {
			return nil, fmt.Errorf("capgen: serialize fragment %d: %w", i, err)
		}
		pkts = append(pkts, Packet{Time: seg.Time.Add(time.Duration(i) * FragmentGap), Data: data})
		off = end
	}
	return pkts, nil
}

// Fragment renders seg on this connection as n IPv4 fragments without
// writing them (see Writer.FragmentSegment). Mirrors do not apply.
func (c *Conn) Fragment(seg Segment, n int) ([]Packet, error) {
	pkts, err := c.w.FragmentSegment(c.client, c.server, seg, n)
	if err != nil {
		return nil, fmt.Errorf("%w (connection %v)", err, c)
	}
	return pkts, nil
}

// WriteFragmented writes seg as n IPv4 fragments in order and returns their
// frame numbers.
func (c *Conn) WriteFragmented(seg Segment, n int) ([]int, error) {
	pkts, err := c.Fragment(seg, n)
	if err != nil {
		return nil, err
	}
	frames := make([]int, 0, n)
	for _, p := range pkts {
		f, err := c.w.WritePacket(p)
		if err != nil {
			return frames, err
		}
		frames = append(frames, f)
	}
	return frames, nil
}
