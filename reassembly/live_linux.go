//go:build linux && !pcap

package reassembly

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/afpacket"
	"github.com/gopacket/gopacket/layers"
)

// Hardware types (ARPHRD_*) whose AF_PACKET SOCK_RAW frames start with an
// Ethernet header.
const (
	arphrdEther    = 1
	arphrdLoopback = 772
)

// afHandle captures with gopacket's afpacket (TPACKET_V3 ring, no libpcap).
type afHandle struct {
	tp    *afpacket.TPacket
	lt    layers.LinkType
	about LiveInfo
}

// openLive opens an AF_PACKET socket on iface ("any" or "" for all
// interfaces) and attaches the port filter. Ethernet and loopback
// interfaces give Ethernet frames; the others, and "any", give IP packets
// (SOCK_DGRAM), recorded as LINKTYPE_RAW.
func openLive(iface string, o Options) (liveHandle, error) {
	if o.Filter != "" {
		return nil, ErrFilterNeedsPcap
	}
	all := iface == "" || iface == "any"
	sock, lt := afpacket.SocketDgram, layers.LinkTypeRaw
	loIndex, bound := 0, false
	opts := []any{afpacket.OptPollTimeout(livePoll)}
	if all {
		loIndex = loopbackIndex()
	} else {
		ifi, err := net.InterfaceByName(iface)
		if err != nil {
			return nil, fmt.Errorf("reassembly: live capture on %s: %w", iface, err)
		}
		if t := hardwareType(iface); t == arphrdEther || t == arphrdLoopback {
			sock, lt = afpacket.SocketRaw, layers.LinkTypeEthernet
		}
		if ifi.Flags&net.FlagLoopback != 0 {
			loIndex, bound = ifi.Index, true
		}
		opts = append(opts, afpacket.OptInterface(iface))
	}
	opts = append(opts, afpacket.OptSocketType(sock))
	tp, err := afpacket.NewTPacket(opts...)
	if err != nil {
		if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
			return nil, fmt.Errorf("reassembly: live capture on %s: %w (needs root or CAP_NET_RAW)", iface, err)
		}
		return nil, fmt.Errorf("reassembly: live capture on %s: %w", iface, err)
	}
	prog, err := portFilter(o.Ports, lt == layers.LinkTypeEthernet, uint32(o.Snaplen), loIndex, bound)
	if err == nil {
		var raw []bpfRaw
		if raw, err = assemble(prog); err == nil {
			err = tp.SetBPF(raw)
		}
	}
	if err == nil && o.Promiscuous {
		err = tp.SetPromiscuous(true)
	}
	if err != nil {
		tp.Close()
		return nil, fmt.Errorf("reassembly: live capture on %s: %w", iface, err)
	}
	if all {
		iface = "any"
	}
	expr := portExpr(o.Ports, o.Heuristic || len(o.Ports) > maxFilterPorts)
	return &afHandle{tp: tp, lt: lt, about: LiveInfo{
		Interface: iface, LinkType: lt.String(), Snaplen: o.Snaplen, Filter: expr, Method: "AF_PACKET",
	}}, nil
}

func (h *afHandle) read() ([]byte, gopacket.CaptureInfo, error) {
	data, ci, err := h.tp.ZeroCopyReadPacketData()
	if errors.Is(err, afpacket.ErrTimeout) {
		return nil, ci, errLiveTimeout
	}
	return data, ci, err
}

func (h *afHandle) linkType() layers.LinkType { return h.lt }

func (h *afHandle) info() LiveInfo { return h.about }

func (h *afHandle) drops() (int64, int64, error) {
	v1, v3, err := h.tp.SocketStats()
	if err != nil {
		return 0, 0, err
	}
	return int64(v1.Drops() + v3.Drops()), 0, nil
}

func (h *afHandle) close() { h.tp.Close() }

// hardwareType reads the ARPHRD_* type of an interface from sysfs, or -1.
func hardwareType(iface string) int {
	b, err := os.ReadFile("/sys/class/net/" + iface + "/type")
	if err != nil {
		return -1
	}
	t, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return -1
	}
	return t
}

// loopbackIndex returns the index of the first loopback interface, or 0.
func loopbackIndex() int {
	ifs, err := net.Interfaces()
	if err != nil {
		return 0
	}
	for _, ifi := range ifs {
		if ifi.Flags&net.FlagLoopback != 0 {
			return ifi.Index
		}
	}
	return 0
}
