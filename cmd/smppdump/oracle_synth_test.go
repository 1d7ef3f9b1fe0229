package main

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/internal/capgen"
	"smppdump.dev/smppdump/internal/smppgen"
)

// synthStart is the time of the first packet of every synthetic capture.
var synthStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// synthSMSC is the server of every synthetic session.
var synthSMSC = netip.MustParseAddrPort("10.0.0.1:2775")

// synth writes a synthetic capture for the oracle test with smppgen
// sessions over capgen connections. Every helper fails the test on error.
type synth struct {
	t   *testing.T
	buf bytes.Buffer
	w   *capgen.Writer
}

func newSynth(t *testing.T) *synth {
	t.Helper()
	s := &synth{t: t}
	w, err := capgen.NewWriter(&s.buf, capgen.Options{})
	require.NoError(t, err)
	s.w = w
	return s
}

// session opens an SMPP connection from esme ("ip:port") to synthSMSC, with
// the TCP handshake unless midStream, at least 1 ms after the last packet.
func (s *synth) session(esme string, midStream bool) *smppgen.Session {
	s.t.Helper()
	ss, err := smppgen.NewSession(s.w, netip.MustParseAddrPort(esme), synthSMSC, s.next(), midStream)
	require.NoError(s.t, err)
	return ss
}

// next is a time 1 ms after the last packet written.
func (s *synth) next() time.Time {
	if s.w.Frames() == 0 {
		return synthStart
	}
	return s.w.Last().Add(time.Millisecond)
}

// catchUp moves a session's clock to next(), so that packets written
// directly on its connection keep the capture in time order.
func (s *synth) catchUp(ss *smppgen.Session) {
	if d := s.next().Sub(ss.Now()); d > 0 {
		ss.Wait(d)
	}
}

// send writes PDUs from one side in one TCP write, as smppgen does, and
// returns the frame numbers of its data segments.
func (s *synth) send(ss *smppgen.Session, fromESME bool, pdus ...*decode.PDU) []int {
	s.t.Helper()
	s.catchUp(ss)
	var frames []int
	var err error
	if fromESME {
		frames, err = ss.ESME(pdus...)
	} else {
		frames, err = ss.SMSC(pdus...)
	}
	require.NoError(s.t, err)
	return frames
}

// encode marshals PDUs back to back; requests must carry their sequence
// number already.
func (s *synth) encode(pdus ...*decode.PDU) []byte {
	s.t.Helper()
	var b []byte
	for _, p := range pdus {
		var err error
		b, err = p.Append(b, decode.EncodeOptions{FixLengths: true})
		require.NoError(s.t, err)
	}
	return b
}

// split writes the encoded PDUs from one side cut at exactly cuts (byte
// offsets into their concatenation), with the peer's ACKs, and returns the
// frame numbers of the data segments.
func (s *synth) split(ss *smppgen.Session, fromESME bool, cuts []int, pdus ...*decode.PDU) []int {
	s.t.Helper()
	s.catchUp(ss)
	frames, err := ss.Conn().SendSegments(ss.Now(), fromESME, s.encode(pdus...), cuts)
	require.NoError(s.t, err)
	return frames
}

// reversed writes the encoded PDUs from one side as two segments cut at
// cut, the second one first (captured out of order), then the peer's ACK of
// both. It returns the frame numbers of the segments as written: the tail
// first, then the head.
func (s *synth) reversed(ss *smppgen.Session, fromESME bool, cut int, pdus ...*decode.PDU) []int {
	s.t.Helper()
	s.catchUp(ss)
	c := ss.Conn()
	segs, err := c.Segments(ss.Now(), fromESME, s.encode(pdus...), []int{cut})
	require.NoError(s.t, err)
	require.Len(s.t, segs, 2)
	now := ss.Now()
	frames, err := c.Write(segs[1].At(now), segs[0].At(now.Add(capgen.SegmentGap)))
	require.NoError(s.t, err)
	_, err = c.Ack(now.Add(capgen.SegmentGap+capgen.AckDelay), !fromESME)
	require.NoError(s.t, err)
	return frames
}

// close ends a session, closed by the ESME.
func (s *synth) close(ss *smppgen.Session) {
	s.t.Helper()
	s.catchUp(ss)
	require.NoError(s.t, ss.Close(true))
}

// file flushes the capture into a temporary file and returns its path. The
// helpers write every packet after the previous one (catchUp), so the file
// is in time order and its frame numbers are the ones capgen returned.
func (s *synth) file() string {
	s.t.Helper()
	require.NoError(s.t, s.w.Close())
	path := filepath.Join(s.t.TempDir(), "synthetic.pcap")
	require.NoError(s.t, os.WriteFile(path, s.buf.Bytes(), 0o644))
	return path
}
