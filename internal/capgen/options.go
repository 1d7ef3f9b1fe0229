package capgen

import (
	"fmt"

	"github.com/gopacket/gopacket/layers"
)

// LinkType selects the link-layer encapsulation of every packet a Writer
// writes, and the link type recorded in the file header.
type LinkType int

// The supported link types. The zero value is Ethernet.
const (
	// Ethernet is plain Ethernet II (LINKTYPE_ETHERNET).
	Ethernet LinkType = iota
	// Ethernet802_1Q is Ethernet with one 802.1Q VLAN tag (Options.VLAN).
	Ethernet802_1Q
	// QinQ is Ethernet with an 802.1ad outer tag (Options.OuterVLAN, TPID
	// 0x88a8) followed by an 802.1Q inner tag (Options.VLAN).
	QinQ
	// LinuxSLL is the Linux "cooked" capture header v1 (LINKTYPE_LINUX_SLL),
	// as written by tcpdump -i any.
	LinuxSLL
	// LinuxSLL2 is the Linux cooked capture header v2 (LINKTYPE_LINUX_SLL2).
	LinuxSLL2
	// Null is the BSD loopback header (LINKTYPE_NULL): a 4-byte address
	// family in host (little-endian) byte order.
	Null
	// RawIP has no link header: each packet starts with the IP header
	// (LINKTYPE_RAW).
	RawIP
)

// LinkTypes lists every supported LinkType, in declaration order.
func LinkTypes() []LinkType {
	return []LinkType{Ethernet, Ethernet802_1Q, QinQ, LinuxSLL, LinuxSLL2, Null, RawIP}
}

// String returns the link type's name.
func (l LinkType) String() string {
	switch l {
	case Ethernet:
		return "Ethernet"
	case Ethernet802_1Q:
		return "Ethernet802_1Q"
	case QinQ:
		return "QinQ"
	case LinuxSLL:
		return "LinuxSLL"
	case LinuxSLL2:
		return "LinuxSLL2"
	case Null:
		return "Null"
	case RawIP:
		return "RawIP"
	}
	return fmt.Sprintf("LinkType(%d)", int(l))
}

// PcapLinkType returns the LINKTYPE_ value written to the file header for l,
// and false if l is not a supported link type.
func (l LinkType) PcapLinkType() (layers.LinkType, bool) {
	switch l {
	case Ethernet, Ethernet802_1Q, QinQ:
		return layers.LinkTypeEthernet, true
	case LinuxSLL:
		return layers.LinkTypeLinuxSLL, true
	case LinuxSLL2:
		return layers.LinkTypeLinuxSLL2, true
	case Null:
		return layers.LinkTypeNull, true
	case RawIP:
		return layers.LinkTypeRaw, true
	}
	return 0, false
}

// Format is the capture file format.
type Format int

// The supported file formats. The zero value is PCAP.
const (
	// PCAP is the classic libpcap format (little-endian, version 2.4).
	PCAP Format = iota
	// PCAPNG is pcapng with one section and one interface.
	PCAPNG
)

// String returns the format's name.
func (f Format) String() string {
	switch f {
	case PCAP:
		return "pcap"
	case PCAPNG:
		return "pcapng"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Defaults applied by NewWriter to zero-valued Options fields.
const (
	DefaultSnaplen   = 262144
	DefaultMSS       = 1460 // IPv4: 1500-byte MTU minus 40 bytes of headers
	DefaultMSS6      = 1440 // IPv6: 1500-byte MTU minus 60 bytes of headers
	DefaultVLAN      = 100
	DefaultOuterVLAN = 10
	// MaxMSS is the largest MSS that still fits an IPv4 packet.
	MaxMSS = 65535 - 40
)

// Options configures a Writer. The zero value writes microsecond pcap over
// Ethernet with the defaults above.
type Options struct {
	// Link is the link-layer encapsulation.
	Link LinkType
	// VLAN is the VLAN ID of the single tag (Ethernet802_1Q) or of the inner
	// tag (QinQ); 0 selects DefaultVLAN. Must be at most 4095.
	VLAN uint16
	// OuterVLAN is the VLAN ID of the outer QinQ tag; 0 selects
	// DefaultOuterVLAN. Must be at most 4095.
	OuterVLAN uint16
	// Format is the file format.
	Format Format
	// Snaplen is the capture length limit; 0 selects DefaultSnaplen. A packet
	// longer than Snaplen is cut to it: its record has CaptureLength ==
	// Snaplen and Length == the original length, like a real capture.
	Snaplen uint32
	// MSS is the maximum TCP payload per segment that Conn.Send uses and that
	// SYNs announce; 0 selects DefaultMSS for IPv4 and DefaultMSS6 for IPv6
	// connections. A ConnOption can override it per connection.
	MSS int
	// Nanosecond keeps nanosecond timestamps (a nanosecond pcap, or full
	// resolution pcapng records). By default timestamps are truncated to
	// microseconds in both formats.
	Nanosecond bool
}

// normalize validates o and fills in defaults.
func (o Options) normalize() (Options, error) {
	if _, ok := o.Link.PcapLinkType(); !ok {
		return o, fmt.Errorf("capgen: unsupported link type %v", o.Link)
	}
	if o.Format != PCAP && o.Format != PCAPNG {
		return o, fmt.Errorf("capgen: unsupported format %v", o.Format)
	}
	if o.VLAN == 0 {
		o.VLAN = DefaultVLAN
	}
	if o.OuterVLAN == 0 {
		o.OuterVLAN = DefaultOuterVLAN
	}
	if o.VLAN > 4095 || o.OuterVLAN > 4095 {
		return o, fmt.Errorf("capgen: VLAN IDs %d/%d out of range 0-4095", o.VLAN, o.OuterVLAN)
	}
	if o.Snaplen == 0 {
		o.Snaplen = DefaultSnaplen
	}
	if o.MSS < 0 || o.MSS > MaxMSS {
		return o, fmt.Errorf("capgen: MSS %d out of range 1-%d", o.MSS, MaxMSS)
	}
	return o, nil
}
