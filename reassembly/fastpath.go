package reassembly

import (
	"encoding/binary"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// fastDecode decodes the frame nearly every capture is made of, a whole
// unfragmented IPv4 datagram without options carrying TCP, behind Ethernet
// (one 802.1Q tag at most), Linux cooked (SLL) or no link header, without
// the generic layer parser: it reads the link and IP headers in place and
// leaves only TCP to gopacket. It returns false, having changed nothing
// the general path relies on, for every other frame (other link or network
// types, IP options, fragments, truncation, damage), which then goes the
// general way and gets the same treatment as before. A test checks that
// both ways agree on every frame they both accept.
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
	if err := d.tcp.DecodeFromBytes(data[20:total], gopacket.NilDecodeFeedback); err != nil {
		return false
	}
	d.netFlow = gopacket.NewFlow(layers.EndpointIPv4, data[12:16], data[16:20])
	d.id.set(data[12:16], data[16:20], layers.EndpointIPv4, uint16(d.tcp.SrcPort), uint16(d.tcp.DstPort))
	return true
}
