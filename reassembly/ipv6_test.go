package reassembly

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"
)

// IPv6 extension header types.
const (
	ext6HopByHop = 0
	ext6Routing  = 43
	ext6Fragment = 44
	ext6DestOpts = 60
)

// tcpBytes serialises s's TCP header and payload (checksummed over IPv6).
func (c *capture) tcpBytes(s seg) []byte {
	c.t.Helper()
	tcp := &layers.TCP{
		SrcPort: layers.TCPPort(s.src.Port()), DstPort: layers.TCPPort(s.dst.Port()),
		Seq: s.seq, Ack: s.ack, SYN: s.syn, FIN: s.fin, ACK: !s.noACK, PSH: len(s.payload) > 0, Window: 65535,
	}
	ip6 := &layers.IPv6{Version: 6, NextHeader: layers.IPProtocolTCP, SrcIP: s.src.Addr().AsSlice(), DstIP: s.dst.Addr().AsSlice()}
	require.NoError(c.t, tcp.SetNetworkLayerForChecksum(ip6))
	buf := gopacket.NewSerializeBuffer()
	require.NoError(c.t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, tcp, gopacket.Payload(s.payload)))
	return append([]byte(nil), buf.Bytes()...)
}

// ip6 builds an IPv6 packet from s.src to s.dst: the extension headers
// exts (their types; each an 8-octet header with PadN options), then
// upper, whose protocol is next.
func (c *capture) ip6(s seg, exts []byte, next byte, upper []byte) []byte {
	var body []byte
	for i, typ := range exts {
		nh := next
		if i+1 < len(exts) {
			nh = exts[i+1]
		}
		h := []byte{nh, 0, 1, 4, 0, 0, 0, 0} // next header, length 0 (8 octets), PadN of 4
		switch typ {
		case ext6Routing:
			h = []byte{nh, 0, 0, 0, 0, 0, 0, 0} // type 0, segments left 0
		case ext6Fragment:
			h = []byte{nh, 0, 0, 0, 0, 0, 0, 0} // offset 0, no more fragments: atomic
		}
		body = append(body, h...)
	}
	body = append(body, upper...)
	first := next
	if len(exts) > 0 {
		first = exts[0]
	}
	hdr := make([]byte, 40)
	hdr[0] = 0x60                                          // version 6
	binary.BigEndian.PutUint16(hdr[4:], uint16(len(body))) // payload length
	hdr[6], hdr[7] = first, 64                             // next header, hop limit
	copy(hdr[8:], s.src.Addr().AsSlice())
	copy(hdr[24:], s.dst.Addr().AsSlice())
	return append(hdr, body...)
}

// frag6 returns s as IPv6 fragments of its TCP bytes cut at the offsets
// (multiples of 8), behind a hop-by-hop header.
func (c *capture) frag6(s seg, id uint32, cuts ...int) [][]byte {
	tcp := c.tcpBytes(s)
	var out [][]byte
	prev := 0
	for i, end := range append(cuts, len(tcp)) {
		fh := make([]byte, 8)
		fh[0] = byte(layers.IPProtocolTCP)
		mf := uint16(0)
		if i < len(cuts) {
			mf = 1
		}
		binary.BigEndian.PutUint16(fh[2:], uint16(prev/8)<<3|mf)
		binary.BigEndian.PutUint32(fh[4:], id)
		pkt := c.ip6(s, []byte{ext6HopByHop}, ext6Fragment, append(fh, tcp[prev:end]...))
		out = append(out, pkt)
		prev = end
	}
	return out
}

// TestIPv6Extensions checks TCP behind IPv6 extension headers and IPv6
// fragments.
func TestIPv6Extensions(t *testing.T) {
	a, b := submitSM(2, 120), enquireLink(3)
	tests := []struct {
		name  string
		build func(c *capture, k *tconn) // frames 1-3: the handshake
		pdus  []gotPDU
		gaps  []gotGap
		frags int64
		lost  int64 // datagrams given up
	}{
		{
			name: "hop-by-hop",
			build: func(c *capture, k *tconn) {
				s := k.seg(c2s, cat(a, b))
				c.addFrame(true, c.ip6(s, []byte{ext6HopByHop}, byte(layers.IPProtocolTCP), c.tcpBytes(s))) // 4
			},
			pdus: []gotPDU{{4, []int{4}, c2s, 0, idSubmitSM, 120}, {4, []int{4}, c2s, 120, idEnquireLink, 16}},
		},
		{
			name: "hop-by-hop, routing, destination options, atomic fragment",
			build: func(c *capture, k *tconn) {
				s := k.seg(c2s, cat(a, b))
				c.addFrame(true, c.ip6(s, []byte{ext6HopByHop, ext6Routing, ext6DestOpts, ext6Fragment}, byte(layers.IPProtocolTCP), c.tcpBytes(s))) // 4
			},
			pdus: []gotPDU{{4, []int{4}, c2s, 0, idSubmitSM, 120}, {4, []int{4}, c2s, 120, idEnquireLink, 16}},
		},
		{
			name: "fragments in order",
			build: func(c *capture, k *tconn) {
				for _, p := range c.frag6(k.seg(c2s, cat(a, b)), 7, 48, 96) {
					c.addFrame(true, p) // 4, 5, 6
				}
			},
			pdus:  []gotPDU{{6, []int{6}, c2s, 0, idSubmitSM, 120}, {6, []int{6}, c2s, 120, idEnquireLink, 16}},
			frags: 3,
		},
		{
			name: "fragments reversed",
			build: func(c *capture, k *tconn) {
				fs := c.frag6(k.seg(c2s, cat(a, b)), 7, 48, 96)
				for i := range fs {
					c.addFrame(true, fs[len(fs)-1-i]) // 4, 5, 6
				}
			},
			pdus:  []gotPDU{{6, []int{6}, c2s, 0, idSubmitSM, 120}, {6, []int{6}, c2s, 120, idEnquireLink, 16}},
			frags: 3,
		},
		{
			name: "a fragment missing",
			build: func(c *capture, k *tconn) {
				fs := c.frag6(k.seg(c2s, a), 7, 48)
				c.addFrame(true, fs[0]) // 4; fs[1] is lost
				k.send(c2s, b)          // 5
			},
			pdus:  []gotPDU{{5, []int{5}, c2s, 120, idEnquireLink, 16}},
			gaps:  []gotGap{{ReasonLoss, 5, c2s, 0, 120, 0}},
			frags: 1,
			lost:  1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCapture(t, layers.LinkTypeEthernet)
			k := c.conn(client6, server6)
			k.handshake()
			tt.build(c, k)
			col, st := runCapture(t, c, smppOn)
			require.Empty(t, col.problems)
			pdus, gaps := summarize(col)
			require.Equal(t, tt.pdus, pdus)
			require.Equal(t, tt.gaps, gaps)
			require.Equal(t, tt.frags, st.Fragments)
			require.Equal(t, tt.lost, st.FragmentsIncomplete)
			require.Zero(t, st.NonTCP)
		})
	}
}

// TestSnapLenNeverMisparsed cuts one packet at every length from inside
// the link header to inside the payload: the capture is never read as
// something else, the cut is reported once, and the bytes after it are
// framed again.
func TestSnapLenNeverMisparsed(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		cli, srv, ipLen := client, server, 20
		if v6 {
			cli, srv, ipLen = client6, server6, 40
		}
		for cut := 1; cut < 14+ipLen+20+40; cut++ {
			t.Run(fmt.Sprintf("v6=%v/%d", v6, cut), func(t *testing.T) {
				c := newCapture(t, layers.LinkTypeEthernet)
				k := c.conn(cli, srv)
				k.handshake()
				k.send(c2s, enquireLink(1)) // 4
				c.snap = cut
				k.send(c2s, submitSM(2, 40)) // 5: cut
				c.snap = 0
				k.send(c2s, enquireLink(3)) // 6
				col, st := runCapture(t, c, smppOn)
				require.EqualValues(t, 1, st.Truncated)
				require.Len(t, col.problems, 1)
				require.ErrorIs(t, &col.problems[0], ErrSnapLen)
				require.Equal(t, 5, col.problems[0].Frame)
				require.Equal(t, []uint32{idEnquireLink, idEnquireLink}, col.ids())
				for _, p := range col.pdus {
					require.NotEqual(t, 5, p.Frame)
				}
				pdus, _ := summarize(col)
				require.EqualValues(t, 56, pdus[1].Offset, "the second enquire_link is where it was sent")
			})
		}
	}
}
