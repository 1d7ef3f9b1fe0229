package capgen

import (
	"fmt"
	"time"
)

// Handshake writes SYN (client, at t), SYN-ACK (server) and ACK (client),
// each AckDelay after the previous one. SYN and SYN-ACK carry the MSS option
// and consume one sequence number each. It must be the connection's first
// operation.
func (c *Conn) Handshake(t time.Time) error {
	if c.reset {
		return fmt.Errorf("capgen: %v: connection was reset", c)
	}
	if c.started {
		return fmt.Errorf("capgen: %v: handshake after the connection already carried packets", c)
	}
	c.started = true
	cli, srv := &c.sides[0], &c.sides[1]
	syn := c.newSegment(t, true, cli.isn, SYN, nil)
	syn.MSS = uint16(c.mss)
	synAck := c.newSegment(t.Add(AckDelay), false, srv.isn, SYN|ACK, nil)
	synAck.MSS = uint16(c.mss)
	ack := c.newSegment(t.Add(2*AckDelay), true, cli.nxt, ACK, nil)
	_, err := c.Write(syn, synAck, ack)
	return err
}

// Shutdown half-closes the connection: one side sends FIN|ACK at t (which
// consumes one sequence number) and the peer ACKs it AckDelay later. The
// side may not send data afterwards; the peer still may.
func (c *Conn) Shutdown(t time.Time, fromClient bool) error {
	_, err := c.shutdown(t, fromClient)
	return err
}

// shutdown implements Shutdown and returns the time of the peer's ACK.
func (c *Conn) shutdown(t time.Time, fromClient bool) (time.Time, error) {
	if err := c.check(fromClient); err != nil {
		return t, err
	}
	s := &c.sides[sideIndex(fromClient)]
	fin := c.newSegment(t, fromClient, s.nxt, FIN|ACK, nil)
	s.nxt++
	s.fin = true
	c.started = true
	ack := c.AckSegment(t.Add(AckDelay), !fromClient)
	_, err := c.Write(fin, ack)
	return ack.Time, err
}

// Close closes the connection both ways: the initiating side (fromClient)
// sends FIN|ACK at t and the peer ACKs it, then the peer sends its FIN|ACK
// and the initiator ACKs it (four packets, AckDelay or SegmentGap apart).
// A side that already sent FIN with Shutdown is skipped. It is an error if
// both sides already did, or if the connection was reset.
func (c *Conn) Close(t time.Time, fromClient bool) error {
	if c.reset {
		return fmt.Errorf("capgen: %v: connection was reset", c)
	}
	if c.sides[0].fin && c.sides[1].fin {
		return fmt.Errorf("capgen: %v: already closed", c)
	}
	now := t
	for _, from := range []bool{fromClient, !fromClient} {
		if c.sides[sideIndex(from)].fin {
			continue
		}
		last, err := c.shutdown(now, from)
		if err != nil {
			return err
		}
		now = last.Add(SegmentGap)
	}
	return nil
}

// Reset writes RST|ACK from one side at t, at its next sequence number and
// acknowledging everything the peer sent. Afterwards every operation except
// Write fails.
func (c *Conn) Reset(t time.Time, fromClient bool) error {
	if c.reset {
		return fmt.Errorf("capgen: %v: connection was reset", c)
	}
	rst := c.newSegment(t, fromClient, c.sides[sideIndex(fromClient)].nxt, RST|ACK, nil)
	c.reset = true
	c.started = true
	_, err := c.Write(rst)
	return err
}
