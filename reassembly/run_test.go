package reassembly

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"
)

// simple writes a connection with a handshake and three PDUs, one of them
// split, on link type lt; its PDUs complete in frames 4, 6 and 7.
func simple(t testing.TB, lt layers.LinkType, cli, srv netip.AddrPort) *capture {
	c := newCapture(t, lt)
	k := c.conn(cli, srv)
	k.handshake()
	k.split(DirClientToServer, cat(enquireLink(1), submitSM(2, 50)), 16, 40) // 4, 5, 6
	k.send(DirServerToClient, cat(enquireLinkResp(1), pdu(idSubmitSMResp, 2, []byte{0})))
	return c
}

func requireSimple(t *testing.T, c *collector, name string) {
	t.Helper()
	require.Empty(t, c.problems)
	require.Empty(t, c.gaps)
	require.Equal(t, []uint32{idEnquireLink, idSubmitSM, idEnquireLinkResp, idSubmitSMResp}, c.ids())
	var frames []int
	for _, p := range c.pdus {
		frames = append(frames, p.Frame)
		require.Equal(t, name, p.File)
		require.Zero(t, p.Stream)
	}
	require.Equal(t, []int{4, 6, 7, 7}, frames)
	require.Equal(t, []int{5, 6}, c.pdus[1].Frames)
}

func TestFormats(t *testing.T) {
	c := simple(t, layers.LinkTypeEthernet, client, server)
	tests := []struct {
		name string
		data []byte
	}{
		{"pcap", c.pcap()},
		{"pcap.gz", gzipped(t, c.pcap())},
		{"pcapng", c.pcapng()},
		{"pcapng.gz", gzipped(t, c.pcapng())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "c."+tt.name, tt.data)
			col, st, err := runFiles(t, smppOn, p)
			require.NoError(t, err)
			requireSimple(t, col, p)
			require.EqualValues(t, 1, st.Files)
			require.EqualValues(t, 7, st.Packets)
		})
		t.Run(tt.name+"/stdin", func(t *testing.T) {
			o := smppOn
			o.Stdin = bytes.NewReader(tt.data)
			col, _, err := runFiles(t, o, "-")
			require.NoError(t, err)
			requireSimple(t, col, "-")
		})
	}
}

func TestLinkTypes(t *testing.T) {
	tests := []struct {
		name     string
		lt       layers.LinkType
		cli, srv netip.AddrPort
	}{
		{"ethernet", layers.LinkTypeEthernet, client, server},
		{"ethernet ipv6", layers.LinkTypeEthernet, client6, server6},
		{"802.1Q", linkTypeTestDot1Q, client, server},
		{"QinQ", linkTypeTestQinQ, client, server},
		{"QinQ ipv6", linkTypeTestQinQ, client6, server6},
		{"linux SLL", layers.LinkTypeLinuxSLL, client, server},
		{"linux SLL2", layers.LinkTypeLinuxSLL2, client, server},
		{"linux SLL2 ipv6", layers.LinkTypeLinuxSLL2, client6, server6},
		{"BSD null", layers.LinkTypeNull, client, server},
		{"BSD null ipv6", layers.LinkTypeNull, client6, server6},
		{"OpenBSD loop", layers.LinkTypeLoop, client, server},
		{"raw 101", layers.LinkTypeRaw, client, server},
		{"raw 101 ipv6", layers.LinkTypeRaw, client6, server6},
		{"raw 12", linkTypeRawDLT12, client, server},
		{"raw 14", linkTypeRawDLT14, client6, server6},
		{"ipv4 228", layers.LinkTypeIPv4, client, server},
		{"ipv6 229", layers.LinkTypeIPv6, client6, server6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := simple(t, tt.lt, tt.cli, tt.srv)
			p := writeFile(t, "c.pcapng", c.pcapng())
			col, _, err := runFiles(t, smppOn, p)
			require.NoError(t, err)
			requireSimple(t, col, p)
			require.Equal(t, tt.cli, col.pdus[0].Src)
			require.Equal(t, tt.srv, col.pdus[0].Dst)
			require.Equal(t, DirServerToClient, col.pdus[2].Dir)
			require.Equal(t, tt.srv, col.pdus[2].Src)
		})
	}
}

func TestBadFiles(t *testing.T) {
	good := writeFile(t, "good.pcap", simple(t, layers.LinkTypeEthernet, client, server).pcap())
	usb := newCapture(t, 189) // LINKTYPE_USB_LINUX
	usbFile := writeFile(t, "usb.pcap", usb.pcap())
	text := writeFile(t, "notes.txt", []byte("hello, world\n"))
	empty := writeFile(t, "empty.pcap", nil)
	tests := []struct {
		name     string
		file     string
		sentinel error
		says     []string
	}{
		{"unsupported link type", usbFile, ErrLinkType, []string{usbFile, "189"}},
		{"not a capture", text, ErrFormat, []string{text}},
		{"empty", empty, ErrFormat, []string{empty}},
		{"missing", "/nonexistent/x.pcap", nil, []string{"/nonexistent/x.pcap"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The bad file is reported and the next one still read.
			col, st, err := runFiles(t, smppOn, tt.file, good)
			require.Error(t, err)
			if tt.sentinel != nil {
				require.ErrorIs(t, err, tt.sentinel)
			}
			for _, s := range tt.says {
				require.Contains(t, err.Error(), s)
			}
			require.Len(t, col.pdus, 4)
			require.Zero(t, col.pdus[0].Stream)
			require.EqualValues(t, 1, st.Files)
		})
	}
}

func TestTruncatedFile(t *testing.T) {
	c := simple(t, layers.LinkTypeEthernet, client, server)
	full := c.pcap()
	// pcap: a 24-byte file header, then per frame a 16-byte record header
	// and the frame.
	recordEnd := func(n int) int {
		off := 24
		for _, f := range c.frames[:n] {
			off += 16 + len(f.data)
		}
		return off
	}
	ng := c.pcapng()
	tests := []struct {
		name string
		data []byte
		good int // last good frame
		pdus int
	}{
		{"inside a record", full[:recordEnd(6)+30], 6, 2},
		{"after a record header", full[:recordEnd(6)+16], 6, 2},
		{"inside a record header", full[:recordEnd(5)+5], 5, 1},
		{"gzip inside a record", gzipped(t, full)[:len(gzipped(t, full))-30], 6, 2},
		{"pcapng inside a block", ng[:len(ng)-40], 6, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := writeFile(t, "bad.pcap", tt.data)
			next := writeFile(t, "next.pcap", simple(t, layers.LinkTypeEthernet, client, netip.MustParseAddrPort("10.0.0.3:2775")).pcap())
			col, st, err := runFiles(t, smppOn, bad, next)
			require.NoError(t, err)
			require.Len(t, col.problems, 1)
			p := col.problems[0]
			require.ErrorIs(t, &p, ErrTruncatedFile)
			require.Equal(t, bad, p.File)
			require.Equal(t, tt.good, p.Frame)
			require.Contains(t, p.Error(), bad)
			require.EqualValues(t, tt.good+7, st.Packets)
			// The PDUs before the damage, then the next file's four.
			require.Len(t, col.pdus, tt.pdus+4)
			for _, pd := range col.pdus[:tt.pdus] {
				require.Equal(t, bad, pd.File)
				require.Zero(t, pd.Stream)
			}
			for _, pd := range col.pdus[tt.pdus:] {
				require.Equal(t, next, pd.File)
				require.Equal(t, 1, pd.Stream)
			}
		})
	}
}

// TestStreamsAcrossFiles checks that a run is one: a connection continues
// from one file into the next, and Stream indexes count across files.
func TestStreamsAcrossFiles(t *testing.T) {
	c := newCapture(t, layers.LinkTypeEthernet)
	a := c.conn(client, server)
	a.handshake()
	a.split(c2s, submitSM(1, 60), 30) // 4, 5 | 1 of the next file
	c2 := newCapture(t, layers.LinkTypeEthernet)
	c2.ts = c.ts
	c2.frames = c.frames[4:]
	c.frames = c.frames[:4]
	b := c2.conn(netip.MustParseAddrPort("10.0.0.9:41000"), server)
	b.handshake()               // 2-4
	b.send(c2s, enquireLink(7)) // 5
	a.c = c2
	a.send(c2s, enquireLink(2)) // 6
	f1, f2 := writeFile(t, "1.pcap", c.pcap()), writeFile(t, "2.pcap", c2.pcap())
	col, st, err := runFiles(t, smppOn, f1, f2)
	require.NoError(t, err)
	require.Empty(t, col.gaps)
	got := func(p *PDU) []any { return []any{p.File, p.Frame, p.Frames, p.Stream} }
	require.Equal(t, []any{f2, 1, []int{1}, 0}, got(col.pdus[0]), "frames of the first file are not listed")
	require.Equal(t, []any{f2, 5, []int{5}, 1}, got(col.pdus[1]))
	require.Equal(t, []any{f2, 6, []int{6}, 0}, got(col.pdus[2]))
	require.EqualValues(t, 2, st.Streams)
	require.EqualValues(t, 2, st.Files)
}

func TestHeuristic(t *testing.T) {
	cli := netip.MustParseAddrPort("192.0.2.1:50000")
	srv := netip.MustParseAddrPort("192.0.2.2:9000") // not a listed port
	tests := []struct {
		name      string
		heuristic bool
		build     func(k *tconn)
		pdus      int
		nonSMPP   int64 // connections rejected
	}{
		{"off: nothing on other ports", false, func(k *tconn) {
			k.handshake()
			k.send(c2s, enquireLink(1))
			k.send(s2c, enquireLinkResp(1))
		}, 0, 0},
		{"request and response", true, func(k *tconn) {
			k.handshake()
			k.send(c2s, enquireLink(1))
			k.send(s2c, enquireLinkResp(1))
			k.send(c2s, enquireLink(2))
		}, 3, 0},
		{"one direction, two chained PDUs", true, func(k *tconn) {
			k.send(c2s, cat(enquireLink(1), enquireLink(2)))
		}, 2, 0},
		{"one direction, chained across segments", true, func(k *tconn) {
			k.split(c2s, cat(submitSM(1, 40), enquireLink(2)), 10, 45)
		}, 2, 0},
		{"one direction, one PDU only", true, func(k *tconn) {
			k.send(c2s, enquireLink(1))
		}, 0, 1},
		{"second PDU does not chain", true, func(k *tconn) {
			k.send(c2s, cat(enquireLink(1), garbage(16)))
			k.send(s2c, enquireLinkResp(1))
		}, 0, 1},
		{"other direction is not SMPP", true, func(k *tconn) {
			k.send(c2s, enquireLink(1))
			k.send(s2c, []byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
		}, 0, 1},
		{"text protocol", true, func(k *tconn) {
			k.handshake()
			k.send(c2s, []byte("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"))
			k.send(s2c, []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
		}, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCapture(t, layers.LinkTypeEthernet)
			tt.build(c.conn(cli, srv))
			col, st := runCapture(t, c, Options{Heuristic: tt.heuristic})
			require.Len(t, col.pdus, tt.pdus)
			require.Equal(t, tt.nonSMPP, st.NonSMPPConns)
			if tt.pdus > 0 {
				require.EqualValues(t, 1, st.Streams)
				require.Equal(t, cli, col.pdus[0].Src, "the higher port is the client")
			}
		})
	}
}

// TestDirection checks which side is the client without a handshake.
func TestDirection(t *testing.T) {
	c := newCapture(t, layers.LinkTypeEthernet)
	k := c.conn(client, server)
	k.send(s2c, enquireLink(9)) // the server speaks first
	k.send(c2s, enquireLinkResp(9))
	low := netip.MustParseAddrPort("10.0.0.7:2775")
	high := netip.MustParseAddrPort("10.0.0.8:3000")
	k2 := c.conn(low, high) // both ports listed: the higher one is the client
	k2.send(c2s, enquireLink(1))
	col, _ := runCapture(t, c, Options{Ports: []uint16{2775, 3000}})
	require.Len(t, col.pdus, 3)
	require.Equal(t, DirServerToClient, col.pdus[0].Dir)
	require.Equal(t, server, col.pdus[0].Src)
	require.Equal(t, DirClientToServer, col.pdus[1].Dir)
	require.Equal(t, DirServerToClient, col.pdus[2].Dir)
	require.Equal(t, "s>c", col.pdus[2].Dir.String())
}

func TestLimit(t *testing.T) {
	c := simple(t, layers.LinkTypeEthernet, client, server)
	o := smppOn
	o.Limit = 2
	col, st := runCapture(t, c, o)
	require.Len(t, col.pdus, 2)
	require.EqualValues(t, 2, st.PDUs)
	require.EqualValues(t, 6, st.Packets, "reading stops at the frame that completed the second PDU")
}

func TestMaxStreams(t *testing.T) {
	c := newCapture(t, layers.LinkTypeEthernet)
	a := c.conn(client, server)
	b := c.conn(netip.MustParseAddrPort("10.0.0.9:41000"), server)
	a.handshake()
	b.handshake()
	a.send(c2s, enquireLink(1))
	b.send(c2s, enquireLink(1))
	b.send(c2s, enquireLink(2))
	a.fin(c2s)
	a.fin(s2c) // a is closed: its slot is free
	d := c.conn(netip.MustParseAddrPort("10.0.0.10:42000"), server)
	d.handshake()
	d.send(c2s, enquireLink(1))
	o := smppOn
	o.MaxStreams = 1
	col, st := runCapture(t, c, o)
	require.Len(t, col.pdus, 2)
	require.EqualValues(t, 1, st.StreamsDropped)
	require.Len(t, col.problems, 1)
	require.ErrorIs(t, &col.problems[0], ErrMaxStreams)
	require.Equal(t, 8, col.problems[0].Frame, "said at b's first data, when it would have been tracked")
	require.Equal(t, 0, col.pdus[0].Stream)
	// b took Stream 1 at its SYN (first sight), while known only by its
	// handshake, which does not count against MaxStreams.
	require.Equal(t, 2, col.pdus[1].Stream)
}

func TestSnapLen(t *testing.T) {
	c := newCapture(t, layers.LinkTypeEthernet)
	k := c.conn(client, server)
	k.handshake()
	k.send(c2s, enquireLink(1)) // 4
	c.snap = 14 + 20 + 20 + 10
	k.send(c2s, submitSM(2, 100)) // 5: 10 bytes of it captured
	c.snap = 0
	k.send(c2s, enquireLink(3)) // 6
	col, st := runCapture(t, c, smppOn)
	require.EqualValues(t, 1, st.Truncated)
	require.Len(t, col.problems, 1)
	p := col.problems[0]
	require.ErrorIs(t, &p, ErrSnapLen)
	require.Equal(t, 5, p.Frame)
	require.Equal(t, 0, p.Stream)
	_, gaps := summarize(col)
	require.Equal(t, []gotGap{{ReasonLoss, 6, c2s, 16, 90, 10}}, gaps)
	require.Equal(t, []uint32{idEnquireLink, idEnquireLink}, col.ids())
}

func TestUndecodableFrame(t *testing.T) {
	c := simple(t, layers.LinkTypeEthernet, client, server)
	bad := append([]byte(nil), c.frames[3].data...)
	bad[14] = 0x41 // IPv4, header length 4 words: invalid
	c.frames = append(c.frames[:4], append([]frame{{bad, c.frames[3].ci}}, c.frames[4:]...)...)
	col, st := runCapture(t, c, smppOn)
	require.Len(t, col.problems, 1)
	require.ErrorIs(t, &col.problems[0], ErrUndecodable)
	require.Equal(t, 5, col.problems[0].Frame)
	require.EqualValues(t, 1, st.NonTCP)
	require.Len(t, col.pdus, 4)
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := writeFile(t, "c.pcap", simple(t, layers.LinkTypeEthernet, client, server).pcap())
	var col collector
	st, err := Run(ctx, []string{p}, smppOn, &col)
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, st.Packets)
	require.True(t, errors.Is(err, context.Canceled))
}

// everyOther is a Handler that panics on every other PDU.
type everyOther struct {
	collector
	n int
}

func (e *everyOther) PDU(x *PDU) {
	e.n++
	if e.n%2 == 1 {
		panic(fmt.Sprintf("boom %d", e.n))
	}
	e.collector.PDU(x)
}

// TestPanicsBecomeProblems: reading goes on after each of several panics,
// each reported as a Problem at its frame, including one in the flush at
// the end of the input (outside any packet). A connection whose delivery
// panicked may lose what follows (its framing was cut short); the run
// itself goes on.
func TestPanicsBecomeProblems(t *testing.T) {
	p := writeFile(t, "c.pcap", benchCapture(t, 2, 20))
	var h everyOther
	_, err := Run(context.Background(), []string{p}, Options{Ports: []uint16{2775}}, &h)
	require.NoError(t, err)
	require.GreaterOrEqual(t, h.n, 5)
	require.Len(t, h.problems, (h.n+1)/2)
	require.Len(t, h.pdus, h.n/2)
	for _, pr := range h.problems {
		require.ErrorIs(t, &pr, ErrInternal)
	}
	require.Positive(t, h.problems[1].Frame)
	last := h.problems[len(h.problems)-1]
	require.Zero(t, last.Frame)
	require.Contains(t, last.Error(), "at the end of the input")
}

// panicky is a Handler that panics on its first PDU.
type panicky struct{ collector }

func (p *panicky) PDU(x *PDU) {
	if len(p.pdus) == 0 {
		p.pdus = append(p.pdus, x.Clone())
		panic("boom")
	}
	p.collector.PDU(x)
}

func TestPanicBecomesProblem(t *testing.T) {
	c := simple(t, layers.LinkTypeEthernet, client, server)
	p := writeFile(t, "c.pcap", c.pcap())
	var h panicky
	_, err := Run(context.Background(), []string{p}, smppOn, &h)
	require.NoError(t, err)
	require.Len(t, h.problems, 1)
	require.ErrorIs(t, &h.problems[0], ErrInternal)
	require.Equal(t, 4, h.problems[0].Frame)
	require.Contains(t, h.problems[0].Error(), "boom")
	// Reading goes on after the frame that panicked: the PDUs of the
	// frames after it arrive.
	require.Len(t, h.pdus, 4)
}
