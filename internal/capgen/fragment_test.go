package capgen

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/ip4defrag"
	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"
)

func TestFragmentsReassemble(t *testing.T) {
	tests := []struct {
		link     LinkType
		size, n  int
		reversed bool
	}{
		{Ethernet, 100, 1, false},
		{Ethernet, 100, 2, false},
		{Ethernet, 100, 3, true},
		{Ethernet, 1400, 5, false},
		{QinQ, 1000, 4, true},
		{RawIP, 37, 7, false},
		{LinuxSLL2, 3000, 3, false},
		{Null, 16, 4, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/size=%d/n=%d/reversed=%v", tt.link, tt.size, tt.n, tt.reversed), func(t *testing.T) {
			w, buf := newTestWriter(t, Options{Link: tt.link})
			c := newTestConn(t, w, client4, server4)
			payload := pattern(tt.size)
			segs, err := c.Segments(t0, true, payload, []int{})
			require.NoError(t, err)
			pkts, err := c.Fragment(segs[0], tt.n)
			require.NoError(t, err)
			require.Len(t, pkts, tt.n)
			if tt.reversed {
				slices.Reverse(pkts)
				for i := range pkts {
					pkts[i].Time = t0.Add(time.Duration(i) * FragmentGap)
				}
			}
			for _, p := range pkts {
				_, err := w.WritePacket(p)
				require.NoError(t, err)
			}
			got := readBack(t, w, buf)
			require.Len(t, got.pkts, tt.n)

			defrag := ip4defrag.NewIPv4Defragmenter()
			var whole *layers.IPv4
			for i, p := range got.pkts {
				ip := p.ip4()
				require.NotNil(t, ip)
				require.Equal(t, uint16(0xffff), onesSum(ip.Contents), "fragment %d header checksum", i)
				require.Equal(t, segs[0].IPID, ip.Id)
				require.Zero(t, ip.Flags&layers.IPv4DontFragment)
				out, err := defrag.DefragIPv4(ip)
				require.NoError(t, err)
				if out != nil {
					require.Nil(t, whole, "reassembled only once")
					whole = out
				}
			}
			require.NotNil(t, whole)
			pkt := gopacket.NewPacket(whole.Payload, layers.LayerTypeTCP, gopacket.Default)
			tcp, ok := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
			require.True(t, ok)
			require.Equal(t, segs[0].Seq, tcp.Seq)
			require.Equal(t, payload, []byte(tcp.Payload))
			require.NoError(t, tcp.SetNetworkLayerForChecksum(whole))
			sum, err := tcp.ComputeChecksum()
			require.NoError(t, err)
			require.Zero(t, sum, "TCP checksum over the reassembled segment")
		})
	}
}

func TestWriteFragmented(t *testing.T) {
	w, buf := newTestWriter(t, Options{})
	c := newTestConn(t, w, client4, server4)
	segs, err := c.Segments(t0, false, pattern(200), nil)
	require.NoError(t, err)
	frames, err := c.WriteFragmented(segs[0], 3)
	require.NoError(t, err)
	require.Equal(t, []int{1, 2, 3}, frames)
	got := readBack(t, w, buf)
	requireIncreasing(t, got.pkts)
	var offsets []uint16
	for _, p := range got.pkts {
		offsets = append(offsets, p.ip4().FragOffset*8)
	}
	// 220 bytes of TCP = 28 blocks of 8: 10, 9, 9 blocks.
	require.Equal(t, []uint16{0, 80, 152}, offsets)
	require.Equal(t, layers.IPv4MoreFragments, got.pkts[0].ip4().Flags)
	require.Zero(t, got.pkts[2].ip4().Flags)
}

func TestFragmentErrors(t *testing.T) {
	tests := []struct {
		name   string
		ipv6   bool
		size   int
		n      int
		wanted string
	}{
		{"zero fragments", false, 100, 0, "fragments"},
		{"more fragments than blocks", false, 4, 4, "fragments"}, // 24 bytes = 3 blocks
		{"IPv6", true, 100, 2, "IPv4 only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cli, srv := client4, server4
			if tt.ipv6 {
				cli, srv = client6, server6
			}
			w, _ := newTestWriter(t, Options{})
			c := newTestConn(t, w, cli, srv)
			segs, err := c.Segments(t0, true, pattern(tt.size), nil)
			require.NoError(t, err)
			_, err = c.WriteFragmented(segs[0], tt.n)
			require.ErrorContains(t, err, tt.wanted)
			require.Zero(t, w.Frames())
		})
	}
}
