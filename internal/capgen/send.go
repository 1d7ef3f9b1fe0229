package capgen

import (
	"fmt"
	"time"
)

// Segments allocates sequence space for payload from one side and returns
// its data segments without writing them. cuts are the byte offsets where
// the payload is split (strictly increasing, inside (0, len(payload))), one
// segment per piece; nil cuts split every MSS bytes, and an empty non-nil
// slice makes a single segment of any size. Segment i has timestamp
// t + i*SegmentGap, flags ACK (PSH on the last), the current ACK number and a
// fresh IP ID. The payload is copied.
//
// The side's sequence number advances past the payload immediately, whether
// or not the segments are ever written: leaving one out simulates capture
// loss. Write them with Conn.Write.
func (c *Conn) Segments(t time.Time, fromClient bool, payload []byte, cuts []int) ([]Segment, error) {
	if err := c.check(fromClient); err != nil {
		return nil, err
	}
	pieces, err := splitPayload(append([]byte(nil), payload...), cuts, c.mss)
	if err != nil {
		return nil, fmt.Errorf("capgen: %v: %w", c, err)
	}
	s := &c.sides[sideIndex(fromClient)]
	segs := make([]Segment, len(pieces))
	for i, p := range pieces {
		flags := ACK
		if i == len(pieces)-1 {
			flags |= PSH
		}
		segs[i] = c.newSegment(t.Add(time.Duration(i)*SegmentGap), fromClient, s.nxt, flags, p)
		s.nxt += uint32(len(p))
	}
	c.started = true
	return segs, nil
}

// Send writes payload from one side, split every MSS bytes (PSH on the last
// segment), with the peer's delayed ACKs: one after every second segment and
// one after the last. The first segment is at t; each packet follows the
// previous one by SegmentGap, an ACK follows the segment it acknowledges by
// AckDelay. It returns the frame numbers of the data segments.
func (c *Conn) Send(t time.Time, fromClient bool, payload []byte) ([]int, error) {
	return c.SendSegments(t, fromClient, payload, nil)
}

// SendSegments is Send with the payload split at exactly the byte offsets in
// cuts, one packet per piece (see Segments; a piece may exceed the MSS). For
// example cuts {3} sends a 16-byte header as 3 bytes then 13.
func (c *Conn) SendSegments(t time.Time, fromClient bool, payload []byte, cuts []int) ([]int, error) {
	segs, err := c.Segments(t, fromClient, payload, cuts)
	if err != nil {
		return nil, err
	}
	frames := make([]int, 0, len(segs))
	now := t
	for i, seg := range segs {
		seg.Time = now
		f, err := c.Write(seg)
		if err != nil {
			return frames, err
		}
		frames = append(frames, f...)
		now = now.Add(SegmentGap)
		if i%2 == 1 || i == len(segs)-1 {
			ack := c.newSegment(seg.Time.Add(AckDelay), !fromClient, c.sides[sideIndex(!fromClient)].nxt, ACK, nil)
			ack.Ack = seg.End()
			if _, err := c.Write(ack); err != nil {
				return frames, err
			}
			now = ack.Time.Add(SegmentGap)
		}
	}
	return frames, nil
}

// AckSegment returns, without writing it, a pure ACK from one side that
// acknowledges everything the peer has sent (including segments allocated
// but not written), with a fresh IP ID. Edit its Window or Ack for special
// cases such as a zero window or a duplicate ACK.
func (c *Conn) AckSegment(t time.Time, fromClient bool) Segment {
	return c.newSegment(t, fromClient, c.sides[sideIndex(fromClient)].nxt, ACK, nil)
}

// Ack writes AckSegment(t, fromClient) and returns its frame number.
func (c *Conn) Ack(t time.Time, fromClient bool) (int, error) {
	return c.writeOne(c.AckSegment(t, fromClient))
}

// writeOne writes one segment and returns its frame number.
func (c *Conn) writeOne(seg Segment) (int, error) {
	f, err := c.Write(seg)
	if err != nil {
		return 0, err
	}
	return f[0], nil
}
