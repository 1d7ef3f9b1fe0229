package reassembly

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"
)

// gotPDU and gotGap are the parts of a PDU and a Gap the framing tests check.
type gotPDU struct {
	Frame  int
	Frames []int
	Dir    Dir
	Offset int64
	ID     uint32
	Len    int
}

type gotGap struct {
	Reason    string
	Frame     int
	Dir       Dir
	Offset    int64
	Lost      int64
	Discarded int64
}

func summarize(c *collector) ([]gotPDU, []gotGap) {
	var ps []gotPDU
	for _, p := range c.pdus {
		ps = append(ps, gotPDU{p.Frame, p.Frames, p.Dir, p.Offset, binary.BigEndian.Uint32(p.Data[4:]), len(p.Data)})
	}
	var gs []gotGap
	for _, g := range c.gaps {
		gs = append(gs, gotGap{g.Reason, g.Frame, g.Dir, g.Offset, g.Lost, g.Discarded})
	}
	return ps, gs
}

const (
	c2s = DirClientToServer
	s2c = DirServerToClient
)

// garbage returns n bytes that hold no plausible SMPP header.
func garbage(n int) []byte { return bytes.Repeat([]byte{0xff}, n) }

func TestFraming(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		build func(c *capture)
		pdus  []gotPDU
		gaps  []gotGap
	}{
		{
			name: "several PDUs in one segment",
			build: func(c *capture) {
				k := c.conn(client, server)
				k.handshake()                                                     // frames 1-3
				k.send(c2s, cat(enquireLink(1), submitSM(2, 40), enquireLink(3))) // 4
				k.send(s2c, cat(enquireLinkResp(1), enquireLinkResp(3)))          // 5
			},
			pdus: []gotPDU{
				{4, []int{4}, c2s, 0, idEnquireLink, 16},
				{4, []int{4}, c2s, 16, idSubmitSM, 40},
				{4, []int{4}, c2s, 56, idEnquireLink, 16},
				{5, []int{5}, s2c, 0, idEnquireLinkResp, 16},
				{5, []int{5}, s2c, 16, idEnquireLinkResp, 16},
			},
		},
		{
			name: "PDU split over segments, inside the header too",
			build: func(c *capture) {
				k := c.conn(client, server)
				k.handshake()
				// frames 4: [0,5) 5: [5,20) 6: [20,70) 7: [70,76)
				k.split(c2s, cat(submitSM(1, 60), enquireLink(2)), 5, 20, 70)
			},
			pdus: []gotPDU{
				{6, []int{4, 5, 6}, c2s, 0, idSubmitSM, 60},
				{7, []int{6, 7}, c2s, 60, idEnquireLink, 16},
			},
		},
		{
			name: "header-only PDU split in two",
			build: func(c *capture) {
				k := c.conn(client, server)
				k.handshake()
				k.split(c2s, enquireLink(1), 8) // frames 4, 5
			},
			pdus: []gotPDU{{5, []int{4, 5}, c2s, 0, idEnquireLink, 16}},
		},
		{
			name: "out-of-order segments",
			build: func(c *capture) {
				k := c.conn(client, server)
				k.handshake()
				b := submitSM(1, 60)
				first, second := k.seg(c2s, b[:30]), k.seg(c2s, b[30:])
				c.add(second) // 4
				c.add(first)  // 5: completes the PDU
			},
			pdus: []gotPDU{{5, []int{4, 5}, c2s, 0, idSubmitSM, 60}},
		},
		{
			name: "retransmissions are dropped",
			build: func(c *capture) {
				k := c.conn(client, server)
				k.handshake()
				s := k.seg(c2s, cat(enquireLink(1), submitSM(2, 40)))
				c.add(s) // 4
				c.add(s) // 5: the same again
				// 6: overlaps the end of the first and brings a new PDU
				k.seq[c2s] -= 20
				k.send(c2s, cat(submitSM(2, 40)[20:], enquireLink(3)))
			},
			pdus: []gotPDU{
				{4, []int{4}, c2s, 0, idEnquireLink, 16},
				{4, []int{4}, c2s, 16, idSubmitSM, 40},
				{6, []int{6}, c2s, 56, idEnquireLink, 16},
			},
		},
		{
			name: "SYN-ACK without SYN: both directions start at their first byte",
			build: func(c *capture) {
				k := c.conn(client, server)
				c.add(seg{src: server, dst: client, seq: k.isn[s2c], ack: k.seq[c2s], syn: true}) // 1
				k.send(c2s, enquireLink(1))                                                       // 2
				k.send(s2c, enquireLinkResp(1))                                                   // 3
			},
			pdus: []gotPDU{
				{2, []int{2}, c2s, 0, idEnquireLink, 16},
				{3, []int{3}, s2c, 0, idEnquireLinkResp, 16},
			},
		},
		{
			name: "mid-stream start, garbage before the first header",
			build: func(c *capture) {
				k := c.conn(client, server)
				k.send(c2s, cat(garbage(7), enquireLink(5), enquireLink(6))) // 1
				k.send(s2c, enquireLinkResp(5))                              // 2
			},
			pdus: []gotPDU{
				{1, []int{1}, c2s, 7, idEnquireLink, 16},
				{1, []int{1}, c2s, 23, idEnquireLink, 16},
				{2, []int{2}, s2c, 0, idEnquireLinkResp, 16},
			},
			gaps: []gotGap{
				{ReasonMidStream, 1, c2s, 0, -1, 7},
				{ReasonMidStream, 2, s2c, 0, -1, 0},
			},
		},
		{
			name: "mid-stream start, first header across segments",
			build: func(c *capture) {
				k := c.conn(client, server)
				// 1: 20 bytes of garbage and 2 of the header; 2: the rest
				k.split(c2s, cat(garbage(20), enquireLink(5), enquireLink(6)), 22)
			},
			pdus: []gotPDU{
				{2, []int{1, 2}, c2s, 20, idEnquireLink, 16},
				{2, []int{2}, c2s, 36, idEnquireLink, 16},
			},
			gaps: []gotGap{{ReasonMidStream, 1, c2s, 0, -1, 20}},
		},
		{
			name: "lost segment between PDUs",
			build: func(c *capture) {
				k := c.conn(client, server)
				k.handshake()
				k.send(c2s, enquireLink(1)) // 4
				k.seg(c2s, enquireLink(2))  // lost
				k.send(c2s, enquireLink(3)) // 5
			},
			pdus: []gotPDU{
				{4, []int{4}, c2s, 0, idEnquireLink, 16},
				{5, []int{5}, c2s, 32, idEnquireLink, 16},
			},
			gaps: []gotGap{{ReasonLoss, 5, c2s, 16, 16, 0}},
		},
		{
			name: "lost segment inside a PDU",
			build: func(c *capture) {
				k := c.conn(client, server)
				k.handshake()
				b := submitSM(1, 100)
				k.send(c2s, b[:40])                 // 4
				k.seg(c2s, b[40:80])                // lost
				k.send(c2s, b[80:], enquireLink(2)) // 5, 6
			},
			pdus: []gotPDU{{6, []int{6}, c2s, 100, idEnquireLink, 16}},
			// 40 bytes held, 40 lost, 20 scanned: the next PDU is at 0+40+60.
			gaps: []gotGap{{ReasonLoss, 5, c2s, 0, 40, 60}},
		},
		{
			name: "implausible command_length in sync",
			build: func(c *capture) {
				k := c.conn(client, server)
				k.handshake()
				bad := enquireLink(1)
				binary.BigEndian.PutUint32(bad, 5)
				k.send(c2s, cat(bad, enquireLink(2))) // 4
			},
			pdus: []gotPDU{{4, []int{4}, c2s, 16, idEnquireLink, 16}},
			gaps: []gotGap{{ReasonResync, 4, c2s, 0, 0, 16}},
		},
		{
			name: "implausible command_length in a split header",
			build: func(c *capture) {
				k := c.conn(client, server)
				k.handshake()
				bad := enquireLink(1)
				binary.BigEndian.PutUint32(bad, 0x7fffffff)
				k.split(c2s, cat(bad, enquireLink(2), enquireLink(3)), 10, 25) // 4, 5, 6
			},
			pdus: []gotPDU{
				{6, []int{5, 6}, c2s, 16, idEnquireLink, 16},
				{6, []int{6}, c2s, 32, idEnquireLink, 16},
			},
			gaps: []gotGap{{ReasonResync, 4, c2s, 0, 0, 16}},
		},
		{
			name: "PDU above MaxPDU is skipped without losing the boundary",
			opts: Options{MaxPDU: 100},
			build: func(c *capture) {
				k := c.conn(client, server)
				k.handshake()
				k.split(c2s, cat(submitSM(1, 300), enquireLink(2)), 150) // 4, 5
			},
			pdus: []gotPDU{{5, []int{5}, c2s, 300, idEnquireLink, 16}},
			gaps: []gotGap{{ReasonTooLarge, 4, c2s, 0, 0, 300}},
		},
		{
			name: "stream ends inside a PDU",
			build: func(c *capture) {
				k := c.conn(client, server)
				k.handshake()
				k.send(c2s, enquireLink(1), submitSM(2, 60)[:30]) // 4, 5
				k.fin(c2s)                                        // 6
			},
			pdus: []gotPDU{{4, []int{4}, c2s, 0, idEnquireLink, 16}},
			gaps: []gotGap{{ReasonIncomplete, 5, c2s, 16, 0, 30}},
		},
		{
			name: "page cap gives up the hole",
			opts: Options{MaxBufferedPagesPerConn: 2},
			build: func(c *capture) {
				k := c.conn(client, server)
				k.handshake()
				k.send(c2s, enquireLink(1))                 // 4
				k.seg(c2s, enquireLink(2))                  // lost
				k.send(c2s, enquireLink(3), enquireLink(4)) // 5, 6: two pages queued
			},
			pdus: []gotPDU{
				{4, []int{4}, c2s, 0, idEnquireLink, 16},
				{5, []int{5}, c2s, 32, idEnquireLink, 16},
				{6, []int{6}, c2s, 48, idEnquireLink, 16},
			},
			gaps: []gotGap{{ReasonMemory, 5, c2s, 16, 16, 0}},
		},
		{
			name: "IPv6",
			build: func(c *capture) {
				k := c.conn(client6, server6)
				k.handshake()
				k.split(c2s, cat(enquireLink(1), enquireLink(2)), 20) // 4, 5
			},
			pdus: []gotPDU{
				{4, []int{4}, c2s, 0, idEnquireLink, 16},
				{5, []int{4, 5}, c2s, 16, idEnquireLink, 16},
			},
		},
		{
			name: "IPv4 fragments",
			build: func(c *capture) {
				k := c.conn(client, server)
				k.handshake()
				c.addFragments(k.seg(c2s, cat(enquireLink(1), submitSM(2, 100))), 48) // 4, 5
				k.send(c2s, enquireLink(3))                                           // 6
			},
			pdus: []gotPDU{
				{5, []int{5}, c2s, 0, idEnquireLink, 16},
				{5, []int{5}, c2s, 16, idSubmitSM, 100},
				{6, []int{6}, c2s, 116, idEnquireLink, 16},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCapture(t, layers.LinkTypeEthernet)
			tt.build(c)
			o := tt.opts
			o.Ports = []uint16{2775}
			col, st := runCapture(t, c, o)
			require.Empty(t, col.problems)
			pdus, gaps := summarize(col)
			require.Equal(t, tt.pdus, pdus)
			require.Equal(t, tt.gaps, gaps)
			require.EqualValues(t, len(tt.pdus), st.PDUs)
			require.EqualValues(t, len(tt.gaps), st.Gaps)
			// A gap ends where the next PDU of its direction starts.
			for _, g := range col.gaps {
				if g.Lost < 0 {
					require.EqualValues(t, -1, g.Bytes)
				} else {
					require.Equal(t, g.Lost+g.Discarded, g.Bytes)
				}
				for _, p := range col.pdus {
					if p.Dir == g.Dir && p.Offset >= g.Offset {
						require.Equal(t, g.Offset+max(g.Lost, 0)+g.Discarded, p.Offset, "gap %+v", g)
						break
					}
				}
			}
		})
	}
}

// addFragments writes s as two IPv4 fragments, the first carrying the
// first at bytes (a multiple of 8) of the IP payload.
func (c *capture) addFragments(s seg, at int) {
	c.t.Helper()
	pkt := c.ipTCP(s)
	ihl := int(pkt[0]&0x0f) * 4
	hdr, payload := pkt[:ihl], pkt[ihl:]
	frag := func(p []byte, offset int, more bool) []byte {
		h := append([]byte(nil), hdr...)
		binary.BigEndian.PutUint16(h[2:], uint16(ihl+len(p))) // total length
		ff := uint16(offset / 8)
		if more {
			ff |= 0x2000 // MF
		}
		binary.BigEndian.PutUint16(h[6:], ff) // flags, fragment offset
		binary.BigEndian.PutUint16(h[10:], 0) // checksum: not checked
		return append(h, p...)
	}
	c.addFrame(false, frag(payload[:at], 0, true))
	c.addFrame(false, frag(payload[at:], at, false))
}

// TestLossTimeout checks that a hole is given up after LossTimeout of
// capture time, before the data that follows it in the capture.
func TestLossTimeout(t *testing.T) {
	c := newCapture(t, layers.LinkTypeEthernet)
	k := c.conn(client, server)
	k.handshake()
	k.send(c2s, enquireLink(1)) // 4
	k.seg(c2s, enquireLink(2))  // lost
	k.send(c2s, enquireLink(3)) // 5
	c.tick(3 * time.Second)
	k.send(s2c, enquireLinkResp(1)) // 6: LossTimeout not yet reached
	c.tick(3 * time.Second)
	k.send(s2c, enquireLinkResp(3)) // 7: 6 s after frame 5
	col, _ := runCapture(t, c, Options{Ports: []uint16{2775}, LossTimeout: 5 * time.Second})
	pdus, gaps := summarize(col)
	require.Equal(t, []string{"pdu", "pdu", "gap", "pdu", "pdu"}, col.events)
	require.Equal(t, []int{4, 6, 5, 7}, []int{pdus[0].Frame, pdus[1].Frame, pdus[2].Frame, pdus[3].Frame})
	require.Equal(t, []gotGap{{ReasonLoss, 5, c2s, 16, 16, 0}}, gaps)
}

// TestSetEndpoint: setEndpoint sets every field of an Endpoint that held
// another one, as deliver, which reuses one PDU, needs.
func TestSetEndpoint(t *testing.T) {
	a, b := netip.MustParseAddrPort("10.20.1.10:40000"), netip.MustParseAddrPort("10.20.0.1:2775")
	c := &conn{index: 3, addr: [2]netip.AddrPort{a, b}}
	stale := Endpoint{Time: time.Unix(1, 0), Stream: 7, Src: b, Dst: a, Dir: s2c}
	v := reflect.ValueOf(stale)
	for i := range v.NumField() {
		require.False(t, v.Field(i).IsZero(), "Endpoint.%s: give it a value here, and set it in setEndpoint", v.Type().Field(i).Name)
	}
	at := &pktCtx{ci: gopacket.CaptureInfo{Timestamp: time.Unix(1772442000, 40000)}}
	for _, tc := range []struct {
		at   *pktCtx
		want Endpoint
	}{
		{nil, Endpoint{Stream: 3, Src: a, Dst: b, Dir: c2s}},
		{at, Endpoint{Time: at.ci.Timestamp, Stream: 3, Src: a, Dst: b, Dir: c2s}},
	} {
		e := stale
		c.setEndpoint(&e, c2s, tc.at)
		require.Equal(t, tc.want, e)
		require.Equal(t, tc.want, c.endpoint(c2s, tc.at))
	}
}

// TestDeliverSetsEveryPDUField: deliver sets the PDU it reuses field by
// field; a field added to PDU must be set there too.
func TestDeliverSetsEveryPDUField(t *testing.T) {
	var names []string
	for f := range reflect.TypeFor[PDU]().Fields() {
		names = append(names, f.Name)
	}
	require.Equal(t, []string{"File", "Frame", "Frames", "Endpoint", "Offset", "Data"}, names, "set the new field in framer.deliver")
}
