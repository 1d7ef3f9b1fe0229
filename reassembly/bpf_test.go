package reassembly

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
)

// udpPacket serialises a UDP datagram from src to dst over IPv4 or IPv6.
func udpPacket(t testing.TB, src, dst netip.AddrPort) []byte {
	udp := &layers.UDP{SrcPort: layers.UDPPort(src.Port()), DstPort: layers.UDPPort(dst.Port())}
	var ip gopacket.SerializableLayer
	if src.Addr().Is6() {
		ip6 := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolUDP, SrcIP: net.IP(src.Addr().AsSlice()), DstIP: net.IP(dst.Addr().AsSlice())}
		require.NoError(t, udp.SetNetworkLayerForChecksum(ip6))
		ip = ip6
	} else {
		ip4 := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: net.IP(src.Addr().AsSlice()), DstIP: net.IP(dst.Addr().AsSlice())}
		require.NoError(t, udp.SetNetworkLayerForChecksum(ip4))
		ip = ip4
	}
	buf := gopacket.NewSerializeBuffer()
	require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ip, udp, gopacket.Payload("hello")))
	return append([]byte(nil), buf.Bytes()...)
}

// TestPortFilter runs the kernel filter in x/net/bpf's virtual machine
// over frames of each link shape the capture can give.
func TestPortFilter(t *testing.T) {
	const snap = 65535
	web := netip.MustParseAddrPort("10.0.0.2:80")
	web6 := netip.MustParseAddrPort("[2001:db8::2]:80")
	type pkt struct {
		name string
		ip   func(c *capture) (bool, []byte) // v6, the IP packet
		keep bool                            // with ports 2775 and 3000
		tcp  bool                            // with no ports (the heuristic)
	}
	tcp4 := func(src, dst netip.AddrPort) func(c *capture) (bool, []byte) {
		return func(c *capture) (bool, []byte) {
			return src.Addr().Is6(), c.ipTCP(seg{src: src, dst: dst, seq: 1, payload: []byte("x")})
		}
	}
	pkts := []pkt{
		{"tcp to 2775", tcp4(client, server), true, true},
		{"tcp from 2775", tcp4(server, client), true, true},
		{"tcp to 3000", tcp4(client, netip.MustParseAddrPort("10.0.0.2:3000")), true, true},
		{"tcp to 80", tcp4(client, web), false, true},
		{"tcp6 to 2775", tcp4(client6, server6), true, true},
		{"tcp6 to 80", tcp4(client6, web6), false, true},
		{"udp to 2775", func(c *capture) (bool, []byte) { return false, udpPacket(t, client, server) }, false, false},
		{"udp6 to 2775", func(c *capture) (bool, []byte) { return true, udpPacket(t, client6, server6) }, false, false},
		{"ipv4 options", func(c *capture) (bool, []byte) {
			p := c.ipTCP(seg{src: client, dst: web, seq: 1})
			opt := append([]byte(nil), p[:20]...)
			opt = append(opt, 1, 1, 1, 0) // NOP NOP NOP EOL: IHL 6
			opt[0] = 0x46
			binary.BigEndian.PutUint16(opt[2:], uint16(len(p)+4))
			tcp := append([]byte(nil), p[20:]...)
			binary.BigEndian.PutUint16(tcp[2:], 2775) // the destination port, behind the options
			return false, append(opt, tcp...)
		}, true, true},
		{"ipv4 fragment after the first", func(c *capture) (bool, []byte) {
			p := c.ipTCP(seg{src: client, dst: web, seq: 1, payload: make([]byte, 64)})
			binary.BigEndian.PutUint16(p[6:], 3) // offset 24
			return false, p
		}, true, true},
		{"ipv6 hop-by-hop", func(c *capture) (bool, []byte) {
			s := seg{src: client6, dst: web6, seq: 1}
			return true, c.ip6(s, []byte{ext6HopByHop}, byte(layers.IPProtocolTCP), c.tcpBytes(s))
		}, true, true},
	}
	links := []layers.LinkType{layers.LinkTypeEthernet, linkTypeTestDot1Q, layers.LinkTypeRaw}
	for _, ports := range [][]uint16{{2775, 3000}, nil} {
		for _, lt := range links {
			prog, err := portFilter(ports, lt != layers.LinkTypeRaw, snap, 0, false)
			require.NoError(t, err)
			vm, err := bpf.NewVM(prog)
			require.NoError(t, err)
			for _, p := range pkts {
				t.Run(fmt.Sprintf("%v/%v/%s", ports, lt, p.name), func(t *testing.T) {
					c := newCapture(t, lt)
					v6, ip := p.ip(c)
					frame := c.link2(v6, ip)
					n, err := vm.Run(frame)
					require.NoError(t, err)
					keep := p.keep
					if ports == nil {
						keep = p.tcp
					}
					if keep {
						require.Equal(t, snap, n) // bytes to keep: the VM does not cut to the frame
					} else {
						require.Zero(t, n)
					}
				})
			}
		}
	}
	t.Run("non-IP frames", func(t *testing.T) {
		prog, err := portFilter([]uint16{2775}, true, snap, 0, false)
		require.NoError(t, err)
		vm, err := bpf.NewVM(prog)
		require.NoError(t, err)
		arp := make([]byte, 42)
		binary.BigEndian.PutUint16(arp[12:], 0x0806)
		n, err := vm.Run(arp)
		require.NoError(t, err)
		require.Zero(t, n)
		qinq := make([]byte, 60)
		binary.BigEndian.PutUint16(qinq[12:], etherQinQ)
		binary.BigEndian.PutUint16(qinq[16:], etherDot1Q)
		n, err = vm.Run(qinq)
		require.NoError(t, err)
		require.Equal(t, snap, n, "two VLAN tags: user space decides")
	})
	t.Run("many ports", func(t *testing.T) {
		var many []uint16
		for p := range uint16(maxFilterPorts) {
			many = append(many, 10000+p)
		}
		prog, err := portFilter(many, true, snap, 7, false)
		require.NoError(t, err, "jumps stay in range")
		_, err = assemble(prog)
		require.NoError(t, err)
		prog, err = portFilter(append(many, 2775), true, snap, 0, false)
		require.NoError(t, err)
		vm, err := bpf.NewVM(prog)
		require.NoError(t, err)
		c := newCapture(t, layers.LinkTypeEthernet)
		frame := c.link2(false, c.ipTCP(seg{src: client, dst: web, seq: 1}))
		n, err := vm.Run(frame)
		require.NoError(t, err)
		require.Equal(t, snap, n, "above the limit, all TCP is kept")
	})
	t.Run("loopback prefix assembles", func(t *testing.T) {
		for _, bound := range []bool{true, false} {
			prog, err := portFilter([]uint16{2775}, true, snap, 1, bound)
			require.NoError(t, err)
			_, err = assemble(prog)
			require.NoError(t, err)
		}
	})
}

func TestPortExpr(t *testing.T) {
	tests := []struct {
		ports []uint16
		any   bool
		want  string
	}{
		{[]uint16{2775}, false, "tcp and (port 2775)"},
		{[]uint16{2775, 2776}, false, "tcp and (port 2775 or port 2776)"},
		{[]uint16{2775}, true, "tcp"},
		{nil, false, "tcp"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, portExpr(tt.ports, tt.any))
	}
}
