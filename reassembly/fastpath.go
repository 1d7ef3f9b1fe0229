package reassembly

import (
	"encoding/binary"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// fastDecode decodes the frame nearly every capture is made of, a whole
// unfragmented IPv4 datagram without options carrying TCP, behind Ethernet
// (one 802.1Q tag at most), Linux cooked (SLL) or no link header, without
// the generic layer parser: it reads the link and IP headers in place, and
// of TCP only what direct framing reads (d.seg, see decodeSegment). The
// rest, d.tcp and d.netFlow, waits for completeTCP. It returns false,
// having changed nothing the general path relies on, for every other
// frame (other link or network types, IP options, fragments, truncation,
// damage), which then goes the general way and gets the same treatment as
// before. A test checks that both ways agree on every frame they both
// accept.
func (d *linkDecoder) fastDecode(lt layers.LinkType, data []byte, ci *gopacket.CaptureInfo) bool {
	if ci.CaptureLength < ci.Length {
		return false
	}
	switch lt {
	case layers.LinkTypeEthernet:
		if len(data) < 14 {
			return false
		}
		off, typ := 12, binary.BigEndian.Uint16(data[12:])
		if typ == uint16(layers.EthernetTypeDot1Q) {
			if len(data) < 18 {
				return false
			}
			off, typ = 16, binary.BigEndian.Uint16(data[16:])
		}
		if typ != uint16(layers.EthernetTypeIPv4) {
			return false
		}
		data = data[off+2:]
	case layers.LinkTypeLinuxSLL:
		// The address length must fit the 8-octet field (as the SLL layer checks).
		if len(data) < 16 || binary.BigEndian.Uint16(data[4:]) > 8 || binary.BigEndian.Uint16(data[14:]) != uint16(layers.EthernetTypeIPv4) {
			return false
		}
		data = data[16:]
	case layers.LinkTypeIPv4, layers.LinkTypeRaw, linkTypeRawDLT12, linkTypeRawDLT14:
	default:
		return false
	}
	// IPv4: version 4, a 20-octet header, the whole datagram captured (link
	// padding after it is ignored, as the IPv4 layer does), TCP, neither a
	// fragment nor the first of several.
	if len(data) < 20 || data[0] != 0x45 || data[9] != uint8(layers.IPProtocolTCP) {
		return false
	}
	total := int(binary.BigEndian.Uint16(data[2:]))
	if total < 20 || total > len(data) || binary.BigEndian.Uint16(data[6:])&0x3fff != 0 {
		return false
	}
	tcp := data[20:total]
	seg, ok := decodeSegment(tcp)
	if !ok {
		return false
	}
	d.seg, d.rawTCP, d.partial = seg, tcp, true
	d.id.set(data[12:16], data[16:20], layers.EndpointIPv4, binary.BigEndian.Uint16(tcp[0:]), binary.BigEndian.Uint16(tcp[2:]))
	return true
}

// completeTCP decodes d.tcp and d.netFlow for a segment fastDecode took.
// Direct framing reads neither, and takes most segments of a healthy
// capture, so that they are decoded for the segments handed to the
// assembler only. It does nothing after the general way, which decodes
// them.
func (d *linkDecoder) completeTCP() {
	if !d.partial {
		return
	}
	d.partial = false
	// It cannot fail: gopacket refuses only what decodeSegment refuses
	// (TestDecodeSegmentAgrees).
	_ = d.tcp.DecodeFromBytes(d.rawTCP, gopacket.NilDecodeFeedback)
	// d.id holds the addresses, as flowID.set placed them.
	d.netFlow = gopacket.NewFlow(layers.EndpointIPv4, d.id[0:4], d.id[16:20])
}

// segment is what direct framing reads of a TCP segment.
type segment struct {
	seq     uint32
	flags   uint8 // the header's flags octet: tcpFIN, tcpSYN, tcpRST, ...
	payload []byte
}

// segmentOf returns the segment that gopacket decoded into tcp.
func segmentOf(tcp *layers.TCP) segment {
	var f uint8
	for i, set := range [8]bool{tcp.FIN, tcp.SYN, tcp.RST, tcp.PSH, tcp.ACK, tcp.URG, tcp.ECE, tcp.CWR} {
		if set {
			f |= 1 << i
		}
	}
	return segment{seq: tcp.Seq, flags: f, payload: tcp.Payload}
}

// decodeSegment decodes TCP segment b as gopacket's TCP.DecodeFromBytes
// decodes it into what segmentOf reads, and reports whether that decoder
// accepts b, which only a segment shorter than 20 octets or a data offset
// below 5 or past its end makes it refuse (a malformed option only ends
// the options). That decoder reads every option as well, which costs as
// much as the rest of a bare ACK's decoding, and direct framing, which
// takes most segments, reads none.
func decodeSegment(b []byte) (segment, bool) {
	if len(b) < 20 {
		return segment{}, false
	}
	start := int(b[12]>>4) * 4 // the data offset, in octets
	if start < 20 || start > len(b) {
		return segment{}, false
	}
	return segment{seq: binary.BigEndian.Uint32(b[4:]), flags: b[13], payload: b[start:]}, true
}
