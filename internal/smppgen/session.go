package smppgen

import (
	"fmt"
	"net/netip"
	"time"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/internal/capgen"
)

// Session is one SMPP connection between an ESME (the TCP client) and an
// SMSC. It keeps a clock and a sequence counter per side.
type Session struct {
	conn    *capgen.Conn
	now     time.Time
	seq     [2]uint32 // next sequence number: [0] ESME, [1] SMSC
	lastSeq uint32
	closed  bool
}

// NewSession opens a connection (with its TCP handshake unless midStream)
// at start.
func NewSession(w *capgen.Writer, esme, smsc netip.AddrPort, start time.Time, midStream bool, opts ...capgen.ConnOption) (*Session, error) {
	c, err := w.NewConn(esme, smsc, opts...)
	if err != nil {
		return nil, fmt.Errorf("smppgen: %w", err)
	}
	s := &Session{conn: c, now: start, seq: [2]uint32{1, 1}}
	if !midStream {
		if err := c.Handshake(start); err != nil {
			return nil, fmt.Errorf("smppgen: handshake: %w", err)
		}
		s.now = w.Last()
	}
	return s, nil
}

// Conn returns the underlying TCP connection.
func (s *Session) Conn() *capgen.Conn { return s.conn }

// Now returns the session's clock.
func (s *Session) Now() time.Time { return s.now }

// Wait advances the clock.
func (s *Session) Wait(d time.Duration) { s.now = s.now.Add(d) }

// SetSeq sets the next sequence number a side will use.
func (s *Session) SetSeq(fromESME bool, seq uint32) { s.seq[side(fromESME)] = seq }

// LastSeq is the sequence number of the last PDU sent.
func (s *Session) LastSeq() uint32 { return s.lastSeq }

func side(fromESME bool) int {
	if fromESME {
		return 0
	}
	return 1
}

// ESME sends PDUs from the ESME in one TCP write (several PDUs may share a
// segment). Requests with Seq 0 get the next sequence number of that side.
func (s *Session) ESME(pdus ...*decode.PDU) (frames []int, err error) { return s.send(true, pdus) }

// SMSC sends PDUs from the SMSC.
func (s *Session) SMSC(pdus ...*decode.PDU) (frames []int, err error) { return s.send(false, pdus) }

func (s *Session) send(fromESME bool, pdus []*decode.PDU) ([]int, error) {
	var payload []byte
	for _, p := range pdus {
		if p.Seq == 0 && !p.ID.IsResponse() {
			p.Seq = s.seq[side(fromESME)]
			s.seq[side(fromESME)]++
		}
		s.lastSeq = p.Seq
		var err error
		if payload, err = p.Append(payload, decode.EncodeOptions{FixLengths: true}); err != nil {
			return nil, fmt.Errorf("smppgen: encode %s: %w", p.Name(), err)
		}
	}
	frames, err := s.conn.Send(s.now, fromESME, payload)
	if err != nil {
		return nil, fmt.Errorf("smppgen: send: %w", err)
	}
	s.now = s.conn.Writer().Last()
	return frames, nil
}

// Raw sends bytes as they are, for PDUs that lie about themselves.
func (s *Session) Raw(fromESME bool, b []byte) ([]int, error) {
	frames, err := s.conn.Send(s.now, fromESME, b)
	if err != nil {
		return nil, fmt.Errorf("smppgen: send: %w", err)
	}
	s.now = s.conn.Writer().Last()
	return frames, nil
}

// Close ends the TCP connection, started by the ESME or the SMSC.
func (s *Session) Close(byESME bool) error {
	if s.closed {
		return nil
	}
	s.closed = true
	if err := s.conn.Close(s.now, byESME); err != nil {
		return fmt.Errorf("smppgen: close: %w", err)
	}
	s.now = s.conn.Writer().Last()
	return nil
}
