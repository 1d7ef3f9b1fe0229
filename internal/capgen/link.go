package capgen

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"net"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Linux cooked-capture constants.
const (
	sllPacketHost     = 0 // addressed to the capturing host
	sllPacketOutgoing = 4 // sent by the capturing host
	sllHardwareEther  = 1 // ARPHRD_ETHER
	sll2IfIndex       = 2 // a typical eth0
)

// macFor derives a stable, locally administered unicast MAC address from an
// IP address, so that each simulated host has its own link address.
func macFor(a netip.Addr) net.HardwareAddr {
	h := fnv.New64a()
	b := a.Unmap().AsSlice()
	_, _ = h.Write(b) // hash.Hash writes never fail
	sum := h.Sum64()
	mac := make(net.HardwareAddr, 6)
	mac[0] = 0x02
	for i := 1; i < 6; i++ {
		mac[i] = byte(sum >> (8 * (i - 1)))
	}
	return mac
}

// broadcastMAC is the Ethernet broadcast address.
func broadcastMAC() net.HardwareAddr {
	return net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
}

// linkHeader describes the link layer of one frame.
type linkHeader struct {
	etype    layers.EthernetType
	src, dst net.HardwareAddr
	// outgoing marks frames sent by the capturing host (the client side);
	// it only shows in the Linux cooked headers' packet type.
	outgoing bool
}

// linkLayers returns the serializable layers that precede the network layer
// for the Writer's link type.
func (w *Writer) linkLayers(h linkHeader) ([]gopacket.SerializableLayer, error) {
	switch w.opts.Link {
	case Ethernet:
		return []gopacket.SerializableLayer{
			&layers.Ethernet{SrcMAC: h.src, DstMAC: h.dst, EthernetType: h.etype},
		}, nil
	case Ethernet802_1Q:
		return []gopacket.SerializableLayer{
			&layers.Ethernet{SrcMAC: h.src, DstMAC: h.dst, EthernetType: layers.EthernetTypeDot1Q},
			&layers.Dot1Q{VLANIdentifier: w.opts.VLAN, Type: h.etype},
		}, nil
	case QinQ:
		return []gopacket.SerializableLayer{
			&layers.Ethernet{SrcMAC: h.src, DstMAC: h.dst, EthernetType: layers.EthernetTypeQinQ},
			&layers.Dot1Q{VLANIdentifier: w.opts.OuterVLAN, Type: layers.EthernetTypeDot1Q},
			&layers.Dot1Q{VLANIdentifier: w.opts.VLAN, Type: h.etype},
		}, nil
	case LinuxSLL:
		return []gopacket.SerializableLayer{&sllHeader{h: h}}, nil
	case LinuxSLL2:
		return []gopacket.SerializableLayer{&sll2Header{h: h}}, nil
	case Null:
		switch h.etype {
		case layers.EthernetTypeIPv4:
			return []gopacket.SerializableLayer{&layers.Loopback{Family: layers.ProtocolFamilyIPv4}}, nil
		case layers.EthernetTypeIPv6:
			return []gopacket.SerializableLayer{&layers.Loopback{Family: layers.ProtocolFamilyIPv6BSD}}, nil
		}
	case RawIP:
		if h.etype == layers.EthernetTypeIPv4 || h.etype == layers.EthernetTypeIPv6 {
			return nil, nil
		}
	}
	return nil, fmt.Errorf("capgen: link type %v cannot carry ethertype %v", w.opts.Link, h.etype)
}

// sllPacketType is the cooked-header packet type for h.
func sllPacketType(h linkHeader) uint8 {
	if h.outgoing {
		return sllPacketOutgoing
	}
	return sllPacketHost
}

// sllHeader serializes a 16-byte LINKTYPE_LINUX_SLL header (gopacket only
// decodes it).
type sllHeader struct{ h linkHeader }

// LayerType implements gopacket.SerializableLayer.
func (s *sllHeader) LayerType() gopacket.LayerType { return layers.LayerTypeLinuxSLL }

// SerializeTo implements gopacket.SerializableLayer.
func (s *sllHeader) SerializeTo(b gopacket.SerializeBuffer, _ gopacket.SerializeOptions) error {
	buf, err := b.PrependBytes(16)
	if err != nil {
		return err
	}
	clear(buf)
	binary.BigEndian.PutUint16(buf[0:], uint16(sllPacketType(s.h)))
	binary.BigEndian.PutUint16(buf[2:], sllHardwareEther)
	binary.BigEndian.PutUint16(buf[4:], uint16(len(s.h.src)))
	copy(buf[6:14], s.h.src)
	binary.BigEndian.PutUint16(buf[14:], uint16(s.h.etype))
	return nil
}

// sll2Header serializes a 20-byte LINKTYPE_LINUX_SLL2 header.
type sll2Header struct{ h linkHeader }

// LayerType implements gopacket.SerializableLayer.
func (s *sll2Header) LayerType() gopacket.LayerType { return layers.LayerTypeLinuxSLL2 }

// SerializeTo implements gopacket.SerializableLayer.
func (s *sll2Header) SerializeTo(b gopacket.SerializeBuffer, _ gopacket.SerializeOptions) error {
	buf, err := b.PrependBytes(20)
	if err != nil {
		return err
	}
	clear(buf)
	binary.BigEndian.PutUint16(buf[0:], uint16(s.h.etype))
	// buf[2:4] is reserved (zero).
	binary.BigEndian.PutUint32(buf[4:], sll2IfIndex)
	binary.BigEndian.PutUint16(buf[8:], sllHardwareEther)
	buf[10] = sllPacketType(s.h)
	buf[11] = uint8(len(s.h.src))
	copy(buf[12:20], s.h.src)
	return nil
}
