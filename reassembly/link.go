package reassembly

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/ip4defrag"
	"github.com/gopacket/gopacket/layers"
)

// Link types that pcap files use for raw IP besides LINKTYPE_RAW (101):
// DLT_RAW is 12 on most systems and 14 on OpenBSD.
const (
	linkTypeRawDLT12 layers.LinkType = 12
	linkTypeRawDLT14 layers.LinkType = 14
)

// layerTypeRawIP marks link types whose first layer is IPv4 or IPv6,
// chosen per packet by the version nibble.
var layerTypeRawIP = gopacket.LayerTypeZero

// linkFirstLayer returns the layer a link type's frames start with.
func linkFirstLayer(lt layers.LinkType) (gopacket.LayerType, bool) {
	switch lt {
	case layers.LinkTypeEthernet:
		return layers.LayerTypeEthernet, true
	case layers.LinkTypeLinuxSLL:
		return layers.LayerTypeLinuxSLL, true
	case layers.LinkTypeLinuxSLL2:
		return layers.LayerTypeLinuxSLL2, true
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		return layers.LayerTypeLoopback, true
	case layers.LinkTypeIPv4:
		return layers.LayerTypeIPv4, true
	case layers.LinkTypeIPv6:
		return layers.LayerTypeIPv6, true
	case layers.LinkTypeRaw, linkTypeRawDLT12, linkTypeRawDLT14:
		return layerTypeRawIP, true
	}
	return gopacket.LayerTypeZero, false
}

// decodeResult says what a frame held.
type decodeResult uint8

const (
	resultTCP      decodeResult = iota // d.tcp holds a segment; d.netFlow its addresses
	resultNonTCP                       // not TCP over IP, or unsupported
	resultFragment                     // an IPv4 fragment of a datagram not yet complete
	resultError                        // a layer failed to decode (d.err)
)

// linkDecoder decodes frames into preallocated layers. It is not safe for
// concurrent use; the layers alias the frame's bytes.
type linkDecoder struct {
	eth     layers.Ethernet
	dot1q   layers.Dot1Q
	sll     layers.LinuxSLL
	sll2    layers.LinuxSLL2
	loop    layers.Loopback
	ip4     layers.IPv4
	ip6     layers.IPv6
	tcp     layers.TCP
	parsers map[gopacket.LayerType]*gopacket.DecodingLayerParser
	decoded []gopacket.LayerType
	defrag  *ip4defrag.IPv4Defragmenter

	netFlow   gopacket.Flow
	truncated bool // the capture cut the frame short
	fragment  bool // the frame was an IPv4 fragment
	err       error
}

func newLinkDecoder() *linkDecoder {
	d := &linkDecoder{
		parsers: make(map[gopacket.LayerType]*gopacket.DecodingLayerParser),
		decoded: make([]gopacket.LayerType, 0, 8),
		defrag:  ip4defrag.NewIPv4Defragmenter(),
	}
	for _, first := range []gopacket.LayerType{
		layers.LayerTypeEthernet, layers.LayerTypeLinuxSLL, layers.LayerTypeLinuxSLL2,
		layers.LayerTypeLoopback, layers.LayerTypeIPv4, layers.LayerTypeIPv6,
	} {
		p := gopacket.NewDecodingLayerParser(first)
		// A sparse container indexes decoders by layer type: no map lookup per layer.
		p.SetDecodingLayerContainer(gopacket.DecodingLayerSparse(nil))
		for _, l := range []gopacket.DecodingLayer{&d.eth, &d.dot1q, &d.sll, &d.sll2, &d.loop, &d.ip4, &d.ip6, &d.tcp} {
			p.AddDecodingLayer(l)
		}
		p.IgnoreUnsupported = true
		d.parsers[first] = p
	}
	return d
}

// decode decodes one frame of link type lt captured at ci. On resultTCP,
// d.tcp and d.netFlow describe the segment; its payload aliases data unless
// it was reassembled from fragments.
func (d *linkDecoder) decode(lt layers.LinkType, data []byte, ci gopacket.CaptureInfo) decodeResult {
	d.truncated, d.fragment, d.err = false, false, nil
	first, ok := linkFirstLayer(lt)
	if !ok {
		return resultNonTCP
	}
	if first == layerTypeRawIP {
		if len(data) == 0 {
			return resultNonTCP
		}
		switch data[0] >> 4 {
		case 4:
			first = layers.LayerTypeIPv4
		case 6:
			first = layers.LayerTypeIPv6
		default:
			return resultNonTCP
		}
	}
	p := d.parsers[first]
	err := p.DecodeLayers(data, &d.decoded)
	d.truncated = p.Truncated || ci.CaptureLength < ci.Length
	var ip, last gopacket.LayerType
	for _, t := range d.decoded {
		if t == layers.LayerTypeIPv4 || t == layers.LayerTypeIPv6 {
			ip = t
		}
		last = t
	}
	if err != nil {
		d.err = err
		return resultError
	}
	switch {
	case last == layers.LayerTypeTCP && ip == layers.LayerTypeIPv4:
		d.netFlow = d.ip4.NetworkFlow()
		return resultTCP
	case last == layers.LayerTypeTCP && ip == layers.LayerTypeIPv6:
		d.netFlow = d.ip6.NetworkFlow()
		return resultTCP
	case last == layers.LayerTypeIPv4 && d.ip4.Protocol == layers.IPProtocolTCP &&
		(d.ip4.Flags&layers.IPv4MoreFragments != 0 || d.ip4.FragOffset != 0):
		return d.defragment(ci)
	}
	return resultNonTCP
}

// defragment hands an IPv4 fragment to the defragmenter. ip4defrag keeps a
// pointer to the layer it is given and reads its payload when the datagram
// completes, so it gets a copy: d.ip4 and the frame buffer are reused.
func (d *linkDecoder) defragment(ci gopacket.CaptureInfo) decodeResult {
	d.fragment = true
	in := d.ip4
	in.Contents = nil
	in.Payload = append([]byte(nil), d.ip4.Payload...)
	in.SrcIP = append([]byte(nil), d.ip4.SrcIP...)
	in.DstIP = append([]byte(nil), d.ip4.DstIP...)
	in.Options = nil
	out, err := d.defrag.DefragIPv4WithTimestamp(&in, ci.Timestamp)
	if err != nil {
		d.err = err
		return resultError
	}
	if out == nil {
		return resultFragment
	}
	if err := d.tcp.DecodeFromBytes(out.Payload, gopacket.NilDecodeFeedback); err != nil {
		d.err = err
		return resultError
	}
	d.netFlow = out.NetworkFlow()
	return resultTCP
}
