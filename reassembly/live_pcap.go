//go:build pcap

package reassembly

import (
	"errors"
	"fmt"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
)

// pcapBuffer is the size of libpcap's capture buffer.
const pcapBuffer = 64 << 20

// pcapHandle captures through libpcap (gopacket's pcap binding, cgo).
type pcapHandle struct {
	h     *pcap.Handle
	about LiveInfo
}

// openLive opens iface with libpcap ("any" when empty) and applies
// Options.Filter, or the expression for the SMPP ports.
func openLive(iface string, o Options) (liveHandle, error) {
	if iface == "" {
		iface = "any"
	}
	fail := func(err error) error { return fmt.Errorf("reassembly: live capture on %s: %w", iface, err) }
	in, err := pcap.NewInactiveHandle(iface)
	if err != nil {
		return nil, fail(err)
	}
	defer in.CleanUp()
	for _, set := range []func() error{
		func() error { return in.SetSnapLen(o.Snaplen) },
		func() error { return in.SetPromisc(o.Promiscuous) },
		func() error { return in.SetTimeout(livePoll) },
		func() error { return in.SetImmediateMode(true) },
		// In immediate mode libpcap gives each packet a slot of snaplen
		// bytes: its default 2 MiB holds 8 at 256 KiB and drops bursts.
		func() error { return in.SetBufferSize(pcapBuffer) },
	} {
		if err := set(); err != nil {
			return nil, fail(err)
		}
	}
	h, err := in.Activate()
	if err != nil {
		return nil, fail(err)
	}
	expr := o.Filter
	if expr == "" {
		expr = portExpr(o.Ports, o.Heuristic)
	}
	if err := h.SetBPFFilter(expr); err != nil {
		h.Close()
		return nil, fail(fmt.Errorf("filter %q: %w", expr, err))
	}
	return &pcapHandle{h: h, about: LiveInfo{
		Interface: iface, LinkType: h.LinkType().String(), Snaplen: o.Snaplen, Filter: expr, Method: "libpcap",
	}}, nil
}

func (p *pcapHandle) read() ([]byte, gopacket.CaptureInfo, error) {
	data, ci, err := p.h.ZeroCopyReadPacketData()
	if errors.Is(err, pcap.NextErrorTimeoutExpired) {
		return nil, ci, errLiveTimeout
	}
	return data, ci, err
}

func (p *pcapHandle) linkType() layers.LinkType { return p.h.LinkType() }

func (p *pcapHandle) info() LiveInfo { return p.about }

func (p *pcapHandle) drops() (int64, int64, error) {
	s, err := p.h.Stats()
	if err != nil {
		return 0, 0, err
	}
	return int64(s.PacketsDropped), int64(s.PacketsIfDropped), nil
}

func (p *pcapHandle) close() { p.h.Close() }
