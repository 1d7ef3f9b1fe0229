package capgen

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"
)

// writeSampleConversation writes a small but complete capture on w: a TCP
// conversation (handshake, data both ways, close), a UDP datagram and, when
// the link can carry it, an ARP request. It returns the request and response
// payloads.
func writeSampleConversation(t *testing.T, w *Writer, ipv6 bool) (req, resp []byte) {
	t.Helper()
	cli, srv := client4, server4
	if ipv6 {
		cli, srv = client6, server6
	}
	c := newTestConn(t, w, cli, srv)
	req, resp = pattern(3000), pattern(40)
	require.NoError(t, c.Handshake(t0))
	_, err := c.Send(t0.Add(time.Millisecond), true, req)
	require.NoError(t, err)
	_, err = c.Send(t0.Add(2*time.Millisecond), false, resp)
	require.NoError(t, err)
	require.NoError(t, c.Close(t0.Add(3*time.Millisecond), true))
	_, err = w.WriteUDP(t0.Add(4*time.Millisecond), cli, srv, []byte("dns?"))
	require.NoError(t, err)
	if !ipv6 && w.Options().Link != Null && w.Options().Link != RawIP {
		_, err = w.WriteARP(t0.Add(5*time.Millisecond), cli.Addr(), srv.Addr())
		require.NoError(t, err)
	}
	return req, resp
}

func TestLinkTypesAndFormats(t *testing.T) {
	wantLink := map[LinkType]layers.LinkType{
		Ethernet: layers.LinkTypeEthernet, Ethernet802_1Q: layers.LinkTypeEthernet, QinQ: layers.LinkTypeEthernet,
		LinuxSLL: layers.LinkTypeLinuxSLL, LinuxSLL2: layers.LinkTypeLinuxSLL2,
		Null: layers.LinkTypeNull, RawIP: layers.LinkTypeRaw,
	}
	for _, link := range LinkTypes() {
		for _, format := range []Format{PCAP, PCAPNG} {
			for _, ipv6 := range []bool{false, true} {
				t.Run(fmt.Sprintf("%v/%v/ipv6=%v", link, format, ipv6), func(t *testing.T) {
					w, buf := newTestWriter(t, Options{Link: link, Format: format, VLAN: 42, OuterVLAN: 7})
					req, resp := writeSampleConversation(t, w, ipv6)
					frames := w.Frames()
					got := readBack(t, w, buf)

					require.Equal(t, wantLink[link], got.link)
					require.Len(t, got.pkts, frames)
					// 3 handshake + 3 request segments + 2 ACKs + 1 response + 1 ACK + 4 close.
					require.Len(t, got.tcpPkts(), 14)
					requireIncreasing(t, got.pkts)
					for _, p := range got.pkts {
						requireValid(t, p)
					}
					cli, srv := client4, server4
					if ipv6 {
						cli, srv = client6, server6
					}
					stream, hole := assemble(t, got.pkts, cli.Port(), got.tcpPkts()[0].tcp().Seq+1)
					require.False(t, hole)
					require.Equal(t, req, stream)
					stream, hole = assemble(t, got.pkts, srv.Port(), got.tcpPkts()[1].tcp().Seq+1)
					require.False(t, hole)
					require.Equal(t, resp, stream)

					var udp, arp int
					for _, p := range got.pkts {
						if p.pkt.Layer(layers.LayerTypeUDP) != nil {
							udp++
						}
						if p.pkt.Layer(layers.LayerTypeARP) != nil {
							arp++
						}
					}
					require.Equal(t, 1, udp)
					if !ipv6 && link != Null && link != RawIP {
						require.Equal(t, 1, arp)
					}
					requireLinkDetails(t, link, got.pkts[0])
				})
			}
		}
	}
}

// requireLinkDetails checks the link header of the first packet (the
// client's SYN) for each link type.
func requireLinkDetails(t *testing.T, link LinkType, p captured) {
	t.Helper()
	var tags []uint16
	for _, l := range p.pkt.Layers() {
		if d, ok := l.(*layers.Dot1Q); ok {
			tags = append(tags, d.VLANIdentifier)
		}
	}
	switch link {
	case Ethernet:
		require.NotNil(t, p.pkt.Layer(layers.LayerTypeEthernet))
		require.Empty(t, tags)
	case Ethernet802_1Q:
		require.Equal(t, []uint16{42}, tags)
		require.Equal(t, layers.EthernetTypeDot1Q, p.pkt.Layer(layers.LayerTypeEthernet).(*layers.Ethernet).EthernetType)
	case QinQ:
		require.Equal(t, []uint16{7, 42}, tags)
		require.Equal(t, layers.EthernetTypeQinQ, p.pkt.Layer(layers.LayerTypeEthernet).(*layers.Ethernet).EthernetType)
	case LinuxSLL:
		sll := p.pkt.Layer(layers.LayerTypeLinuxSLL).(*layers.LinuxSLL)
		require.Equal(t, layers.LinuxSLLPacketTypeOutgoing, sll.PacketType)
		require.Len(t, sll.Addr, 6)
	case LinuxSLL2:
		sll := p.pkt.Layer(layers.LayerTypeLinuxSLL2).(*layers.LinuxSLL2)
		require.Equal(t, layers.LinuxSLL2PacketTypeOutgoing, sll.PacketType)
		require.Equal(t, uint32(sll2IfIndex), sll.InterfaceIndex)
	case Null:
		require.NotNil(t, p.pkt.Layer(layers.LayerTypeLoopback))
	case RawIP:
		require.Equal(t, p.pkt.NetworkLayer().LayerContents(), p.data[:len(p.pkt.NetworkLayer().LayerContents())])
	}
}

func TestSnaplenCutsPackets(t *testing.T) {
	tests := []struct {
		name    string
		format  Format
		snaplen uint32
		payload int
		wantCut bool
	}{
		{"pcap cut", PCAP, 96, 1000, true},
		{"pcapng cut", PCAPNG, 96, 1000, true},
		{"fits exactly", PCAP, 54 + 100, 100, false},
		{"default snaplen", PCAP, 0, 1400, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, buf := newTestWriter(t, Options{Format: tt.format, Snaplen: tt.snaplen})
			c := newTestConn(t, w, client4, server4)
			frames, err := c.SendSegments(t0, true, pattern(tt.payload), []int{})
			require.NoError(t, err)
			got := readBack(t, w, buf)
			if tt.format == PCAP {
				want := tt.snaplen
				if want == 0 {
					want = DefaultSnaplen
				}
				require.Equal(t, want, got.snaplen)
			}
			p := got.pkts[frames[0]-1]
			full := 14 + 20 + 20 + tt.payload
			require.Equal(t, full, p.ci.Length)
			if tt.wantCut {
				require.Equal(t, int(tt.snaplen), p.ci.CaptureLength)
				require.Less(t, p.ci.CaptureLength, p.ci.Length)
			} else {
				require.Equal(t, full, p.ci.CaptureLength)
			}
			require.Len(t, p.data, p.ci.CaptureLength)
		})
	}
}

func TestTimestampPrecision(t *testing.T) {
	at := t0.Add(1234567 * time.Nanosecond)
	tests := []struct {
		format     Format
		nanosecond bool
		want       time.Time
	}{
		{PCAP, false, t0.Add(1234 * time.Microsecond)},
		{PCAPNG, false, t0.Add(1234 * time.Microsecond)},
		{PCAP, true, at},
		{PCAPNG, true, at},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/ns=%v", tt.format, tt.nanosecond), func(t *testing.T) {
			w, buf := newTestWriter(t, Options{Format: tt.format, Nanosecond: tt.nanosecond})
			_, err := w.WriteUDP(at, client4, server4, []byte{1})
			require.NoError(t, err)
			require.True(t, tt.want.Equal(w.Last()))
			got := readBack(t, w, buf)
			require.Len(t, got.pkts, 1)
			require.True(t, tt.want.Equal(got.pkts[0].ci.Timestamp), "got %v want %v", got.pkts[0].ci.Timestamp, tt.want)
		})
	}
}

func TestWriterErrors(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"bad link", Options{Link: LinkType(99)}},
		{"bad format", Options{Format: Format(5)}},
		{"VLAN too big", Options{Link: Ethernet802_1Q, VLAN: 4096}},
		{"outer VLAN too big", Options{Link: QinQ, OuterVLAN: 5000}},
		{"negative MSS", Options{MSS: -1}},
		{"MSS too big", Options{MSS: MaxMSS + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewWriter(&bytes.Buffer{}, tt.opts)
			require.ErrorContains(t, err, "capgen:")
		})
	}

	w, _ := newTestWriter(t, Options{})
	_, err := w.WriteUDP(time.Time{}, client4, server4, nil)
	require.ErrorContains(t, err, "timestamp")
	_, err = w.WriteUDP(t0, client4, server6, nil)
	require.ErrorContains(t, err, "families")
	require.NoError(t, w.Close())
	require.NoError(t, w.Close())
	_, err = w.WriteUDP(t0, client4, server4, nil)
	require.ErrorContains(t, err, "after Close")

	raw, _ := newTestWriter(t, Options{Link: RawIP})
	_, err = raw.WriteARP(t0, client4.Addr(), server4.Addr())
	require.ErrorContains(t, err, "cannot carry")
}

func TestWritePacketRaw(t *testing.T) {
	w, buf := newTestWriter(t, Options{})
	c := newTestConn(t, w, client4, server4)
	seg := c.AckSegment(t0, true)
	p, err := c.RenderSegment(seg)
	require.NoError(t, err)
	p.Data[len(p.Data)-1] ^= 0xff // WritePacket must not "fix" edited bytes
	f, err := w.WritePacket(p)
	require.NoError(t, err)
	require.Equal(t, 1, f)
	got := readBack(t, w, buf)
	require.Equal(t, p.Data, got.pkts[0].data)
}

func TestDeterministicOutput(t *testing.T) {
	run := func(opts ...ConnOption) []byte {
		w, buf := newTestWriter(t, Options{Format: PCAPNG})
		c := newTestConn(t, w, client4, server4, opts...)
		require.NoError(t, c.Handshake(t0))
		_, err := c.Send(t0.Add(time.Millisecond), true, pattern(5000))
		require.NoError(t, err)
		require.NoError(t, w.Close())
		return buf.Bytes()
	}
	require.Equal(t, run(), run())
	require.Equal(t, run(WithSeed(7)), run(WithSeed(7)))
	require.NotEqual(t, run(), run(WithSeed(7)))

	w, _ := newTestWriter(t, Options{})
	a := newTestConn(t, w, client4, server4)
	b := newTestConn(t, w, client4, server4, WithSeed(1))
	require.NotEqual(t, a.ISN(true), b.ISN(true))
	require.NotEqual(t, a.ISN(true), a.ISN(false))
}
