package reassembly

import (
	"errors"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/ip4defrag"
	"github.com/gopacket/gopacket/ip6defrag"
	"github.com/gopacket/gopacket/layers"
)

// frag6Age is how long, in wall time, an incomplete IPv6 datagram is kept:
// gopacket's ip6defrag stamps fragments with the wall clock, not with
// their capture time.
const frag6Age = time.Minute

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
	resultTCP      decodeResult = iota // d.seg holds a segment, d.id its flow (see decode)
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
	ip6ext  layers.IPv6ExtensionSkipper // routing and destination options headers
	ip6frag layers.IPv6Fragment
	tcp     layers.TCP
	parsers map[gopacket.LayerType]*gopacket.DecodingLayerParser
	decoded []gopacket.LayerType
	defrag  *ip4defrag.IPv4Defragmenter
	defrag6 *ip6defrag.IPv6Defragmenter

	netFlow   gopacket.Flow
	id        flowID // netFlow and the TCP ports, on resultTCP
	truncated bool   // the capture cut the frame short
	lost      bool   // a layer lacks bytes its header announces (not just link padding)
	fragment  bool   // the frame was an IPv4 fragment
	err       error

	seg     segment // what direct framing reads of the segment, on resultTCP
	partial bool    // fastDecode left d.tcp and d.netFlow to completeTCP, decoding rawTCP
	rawTCP  []byte
}

func newLinkDecoder() *linkDecoder {
	d := &linkDecoder{
		parsers: make(map[gopacket.LayerType]*gopacket.DecodingLayerParser),
		decoded: make([]gopacket.LayerType, 0, 8),
		defrag:  ip4defrag.NewIPv4Defragmenter(),
		defrag6: ip6defrag.NewIPv6Defragmenter(),
	}
	for _, first := range []gopacket.LayerType{
		layers.LayerTypeEthernet, layers.LayerTypeLinuxSLL, layers.LayerTypeLinuxSLL2,
		layers.LayerTypeLoopback, layers.LayerTypeIPv4, layers.LayerTypeIPv6,
	} {
		p := gopacket.NewDecodingLayerParser(first)
		// A sparse container indexes decoders by layer type: no map lookup per layer.
		p.SetDecodingLayerContainer(gopacket.DecodingLayerSparse(nil))
		// The skipper claims every IPv6 extension header; the fragment
		// decoder, added after it, takes the fragment header back. The
		// hop-by-hop header is decoded by the IPv6 layer itself.
		for _, l := range []gopacket.DecodingLayer{&d.eth, &d.dot1q, &d.sll, &d.sll2, &d.loop, &d.ip4, &d.ip6, &d.ip6ext, &d.ip6frag, &d.tcp} {
			p.AddDecodingLayer(l)
		}
		p.IgnoreUnsupported = true
		d.parsers[first] = p
	}
	return d
}

// decode decodes one frame of link type lt captured at ci. On resultTCP,
// d.seg and d.id describe the segment, and d.tcp and d.netFlow do once
// completeTCP has been called. Its payload aliases data unless it was
// reassembled from fragments.
func (d *linkDecoder) decode(lt layers.LinkType, data []byte, ci *gopacket.CaptureInfo) decodeResult {
	d.truncated, d.lost, d.fragment, d.err = false, false, false, nil
	d.partial = false
	if d.fastDecode(lt, data, ci) {
		return resultTCP
	}
	res := d.decodeLayers(lt, data, ci)
	if res == resultTCP {
		d.id = flowKey{d.netFlow, uint16(d.tcp.SrcPort), uint16(d.tcp.DstPort)}.id()
		d.seg = segmentOf(&d.tcp)
	}
	return res
}

// decodeLayers is decode's general way, through gopacket's layer parsers.
func (d *linkDecoder) decodeLayers(lt layers.LinkType, data []byte, ci *gopacket.CaptureInfo) decodeResult {
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
	d.lost = p.Truncated
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
	if d.truncated && last != layers.LayerTypeTCP && mayCarryTCP(d.nextAfter(last)) {
		// The cut fell before the TCP header: the packet may have been
		// SMPP, but there is no telling which stream it belonged to.
		d.err = errCutBeforeTCP
		return resultError
	}
	if d.lost && last != layers.LayerTypeTCP {
		return resultNonTCP // a cut non-TCP packet
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
	case last == layers.LayerTypeIPv6Fragment && ip == layers.LayerTypeIPv6 &&
		(d.ip6frag.FragmentOffset != 0 || d.ip6frag.MoreFragments):
		return d.defragment6()
	}
	return resultNonTCP
}

// defragment hands an IPv4 fragment to the defragmenter. ip4defrag keeps a
// pointer to the layer it is given and reads its payload when the datagram
// completes, so it gets a copy: d.ip4 and the frame buffer are reused.
func (d *linkDecoder) defragment(ci *gopacket.CaptureInfo) decodeResult {
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

// errCutBeforeTCP says that a packet was cut before its TCP header.
var errCutBeforeTCP = errors.New("cut before its TCP header")

// nextAfter returns the layer that the decoded layer t announces next.
func (d *linkDecoder) nextAfter(t gopacket.LayerType) gopacket.LayerType {
	var l gopacket.DecodingLayer
	switch t {
	case layers.LayerTypeEthernet:
		l = &d.eth
	case layers.LayerTypeDot1Q:
		l = &d.dot1q
	case layers.LayerTypeLinuxSLL:
		l = &d.sll
	case layers.LayerTypeLinuxSLL2:
		l = &d.sll2
	case layers.LayerTypeLoopback:
		l = &d.loop
	case layers.LayerTypeIPv4:
		l = &d.ip4
	case layers.LayerTypeIPv6:
		l = &d.ip6
	case layers.LayerTypeIPv6HopByHop, layers.LayerTypeIPv6Routing, layers.LayerTypeIPv6Destination:
		l = &d.ip6ext
	case layers.LayerTypeIPv6Fragment:
		l = &d.ip6frag
	default:
		return gopacket.LayerTypeZero
	}
	return l.NextLayerType()
}

// mayCarryTCP says whether a packet whose next layer is t may hold TCP.
func mayCarryTCP(t gopacket.LayerType) bool {
	switch t {
	case layers.LayerTypeTCP, layers.LayerTypeIPv4, layers.LayerTypeIPv6, layers.LayerTypeDot1Q,
		layers.LayerTypeIPv6HopByHop, layers.LayerTypeIPv6Routing, layers.LayerTypeIPv6Destination,
		layers.LayerTypeIPv6Fragment, gopacket.LayerTypeFragment:
		return true
	}
	return false
}

// errFragment6 reports a reassembled IPv6 datagram that is not TCP.
var errFragment6 = errors.New("reassembled IPv6 datagram is not TCP")

// defragment6 hands an IPv6 fragment to the defragmenter. Like ip4defrag,
// ip6defrag keeps pointers into what it is given: it gets copies. A
// datagram whose first fragment does not carry TCP still goes in, as the
// protocol is known only once the extension headers after the fragment
// header have been read.
func (d *linkDecoder) defragment6() decodeResult {
	d.fragment = true
	ip := d.ip6
	ip.Contents, ip.Payload, ip.HopByHop = nil, nil, nil
	ip.SrcIP = append([]byte(nil), d.ip6.SrcIP...)
	ip.DstIP = append([]byte(nil), d.ip6.DstIP...)
	fg := d.ip6frag
	fg.Contents = nil
	fg.Payload = append([]byte(nil), d.ip6frag.Payload...)
	out := d.defrag6.DefragIPv6(&ip, &fg)
	if out == nil {
		return resultFragment
	}
	next, payload := out.NextHeader, out.Payload
	for next == layers.IPProtocolIPv6Destination || next == layers.IPProtocolIPv6Routing {
		if len(payload) < 8 || len(payload) < 8+8*int(payload[1]) {
			d.err = errFragment6
			return resultError
		}
		next, payload = layers.IPProtocol(payload[0]), payload[8+8*int(payload[1]):]
	}
	if next != layers.IPProtocolTCP {
		return resultNonTCP
	}
	if err := d.tcp.DecodeFromBytes(payload, gopacket.NilDecodeFeedback); err != nil {
		d.err = err
		return resultError
	}
	d.netFlow = out.NetworkFlow()
	return resultTCP
}

// discardFragments gives up the datagrams whose first fragment came
// before t (all of them when t is zero) and returns how many there were.
// IPv6 datagrams age by the wall clock (see frag6Age).
func (d *linkDecoder) discardFragments(t time.Time) int {
	all := t.IsZero()
	if all {
		t = time.Unix(1<<40, 0)
	}
	wall := time.Now().Add(-frag6Age)
	if all {
		wall = t
	}
	return d.defrag.DiscardOlderThan(t) + d.defrag6.DiscardOlderThan(wall)
}
