package reassembly

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/internal/capgen"
)

// genStart is the time of the first packet of every capgen capture.
var genStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Endpoints of the capgen captures.
var (
	esme   = netip.MustParseAddrPort("10.1.0.1:40000")
	smsc   = netip.MustParseAddrPort("10.2.0.1:2775")
	esme6  = netip.MustParseAddrPort("[2001:db8::1]:40000")
	smsc6  = netip.MustParseAddrPort("[2001:db8::2]:2775")
	natCli = netip.MustParseAddrPort("192.0.2.7:61000") // esme behind a NAT
	natSrv = netip.MustParseAddrPort("192.0.2.9:2775")  // smsc as seen behind it
)

// gen writes a capture with capgen. Its helpers fail the test on error.
type gen struct {
	t   testing.TB
	buf bytes.Buffer
	w   *capgen.Writer
}

func newGen(t testing.TB, o capgen.Options) *gen {
	t.Helper()
	g := &gen{t: t}
	w, err := capgen.NewWriter(&g.buf, o)
	require.NoError(t, err)
	g.w = w
	return g
}

// next is 1 ms after the last packet written.
func (g *gen) next() time.Time {
	if g.w.Frames() == 0 {
		return genStart
	}
	return g.w.Last().Add(time.Millisecond)
}

// conn opens a connection; with handshake, its SYN, SYN-ACK and ACK are
// written at once.
func (g *gen) conn(cli, srv netip.AddrPort, handshake bool, opts ...capgen.ConnOption) *capgen.Conn {
	g.t.Helper()
	c, err := g.w.NewConn(cli, srv, opts...)
	require.NoError(g.t, err)
	if handshake {
		require.NoError(g.t, c.Handshake(g.next()))
	}
	return c
}

// send writes payload from one side cut at cuts (nil: every MSS), with the
// peer's ACKs, and returns the data segments' frames.
func (g *gen) send(c *capgen.Conn, fromClient bool, payload []byte, cuts ...int) []int {
	g.t.Helper()
	if cuts == nil {
		cuts = []int{}
	}
	frames, err := c.SendSegments(g.next(), fromClient, payload, cuts)
	require.NoError(g.t, err)
	return frames
}

// segs allocates payload's segments, cut at cuts, without writing them.
func (g *gen) segs(c *capgen.Conn, fromClient bool, payload []byte, cuts ...int) []capgen.Segment {
	g.t.Helper()
	if cuts == nil {
		cuts = []int{}
	}
	s, err := c.Segments(g.next(), fromClient, payload, cuts)
	require.NoError(g.t, err)
	return s
}

// write writes segments in the order given, timestamped 1 ms apart from
// next(), and returns their frames.
func (g *gen) write(c *capgen.Conn, segs ...capgen.Segment) []int {
	g.t.Helper()
	var frames []int
	for _, s := range segs {
		f, err := c.Write(s.At(g.next()))
		require.NoError(g.t, err)
		frames = append(frames, f...)
	}
	return frames
}

// file closes the writer and stores the capture in a temporary file.
func (g *gen) file() string {
	g.t.Helper()
	require.NoError(g.t, g.w.Close())
	return writeFile(g.t, "gen.pcap", g.buf.Bytes())
}

// run closes the writer and runs the capture with o (port 2775 when o
// lists no port and has no heuristic).
func (g *gen) run(o Options) (*collector, Stats) {
	g.t.Helper()
	if len(o.Ports) == 0 && !o.Heuristic {
		o.Ports = []uint16{2775}
	}
	col, st, err := runFiles(g.t, o, g.file())
	require.NoError(g.t, err)
	return col, st
}

// marshal encodes p with decode's encoder.
func marshal(t testing.TB, p *decode.PDU) []byte {
	t.Helper()
	b, err := p.Marshal()
	require.NoError(t, err)
	return b
}

// SMPP PDUs for the capgen captures, encoded by package decode.
func bindTRX(t testing.TB, seq uint32) []byte {
	return marshal(t, decode.New(decode.BindTransceiver, decode.StatusOK, seq).
		SetString(decode.FieldSystemID, "esme01").SetString(decode.FieldPassword, "secret").
		SetInt(decode.FieldInterfaceVersion, 0x34))
}

func bindTRXResp(t testing.TB, seq uint32) []byte {
	return marshal(t, decode.New(decode.BindTransceiverResp, decode.StatusOK, seq).SetString(decode.FieldSystemID, "smsc"))
}

func submit(t testing.TB, seq uint32, text string) []byte {
	return marshal(t, decode.New(decode.SubmitSM, decode.StatusOK, seq).
		SetInt(decode.FieldSourceAddrTON, 5).SetString(decode.FieldSourceAddr, "Shop").
		SetInt(decode.FieldDestAddrTON, 1).SetInt(decode.FieldDestAddrNPI, 1).
		SetString(decode.FieldDestinationAddr, "447700900123").
		SetInt(decode.FieldRegisteredDelivery, 1).SetBytes(decode.FieldShortMessage, []byte(text)))
}

func submitResp(t testing.TB, seq uint32, id string) []byte {
	return marshal(t, decode.New(decode.SubmitSMResp, decode.StatusOK, seq).SetString(decode.FieldMessageID, id))
}

func enq(t testing.TB, seq uint32) []byte {
	return marshal(t, decode.New(decode.EnquireLink, decode.StatusOK, seq))
}

func enqResp(t testing.TB, seq uint32) []byte {
	return marshal(t, decode.New(decode.EnquireLinkResp, decode.StatusOK, seq))
}

// want describes the PDU b expected at frame with frames, dir and offset.
func want(frame int, frames []int, dir Dir, offset int, b []byte) gotPDU {
	return gotPDU{frame, frames, dir, int64(offset), binary.BigEndian.Uint32(b[4:]), len(b)}
}

// session writes a bind, a submit and an enquire_link with their
// responses on c, each in one segment, and returns what Run should give;
// off are the stream offsets where they start, by Dir.
func (g *gen) session(c *capgen.Conn, off [2]int) []gotPDU {
	t := g.t
	var out []gotPDU
	for _, x := range []struct {
		dir Dir
		b   []byte
	}{
		{c2s, bindTRX(t, 1)}, {s2c, bindTRXResp(t, 1)},
		{c2s, submit(t, 2, "hello")}, {s2c, submitResp(t, 2, "m-1")},
		{c2s, enq(t, 3)}, {s2c, enqResp(t, 3)},
	} {
		f := g.send(c, x.dir == c2s, x.b)
		out = append(out, want(f[0], f, x.dir, off[x.dir], x.b))
		off[x.dir] += len(x.b)
	}
	return out
}
