package capgen

import (
	"fmt"
	"time"
)

// Retransmit writes copies of segs as retransmissions: same sequence
// numbers, flags and payload, but new timestamps (t, then SegmentGap apart)
// and fresh IP IDs, as a sender's stack produces them. It returns their frame
// numbers. For a byte-identical duplicate, write the same Segment again with
// Write instead.
func (c *Conn) Retransmit(t time.Time, segs ...Segment) ([]int, error) {
	out := make([]Segment, len(segs))
	for i, seg := range segs {
		s := &c.sides[sideIndex(seg.FromClient)]
		seg.Time = t.Add(time.Duration(i) * SegmentGap)
		seg.IPID = s.ipid
		s.ipid++
		out[i] = seg
	}
	return c.Write(out...)
}

// Resegment returns, without writing them, retransmissions that cover the
// same bytes as segs with different boundaries: segs (same direction,
// contiguous in sequence space, no SYN or FIN) are joined and cut again at
// the byte offsets in cuts (relative to the first segment's Seq; nil cuts use
// the MSS). The new segments have timestamps t, then SegmentGap apart,
// fresh IP IDs, the last original's ACK number and window, and PSH on the
// last piece if the last original had it. Use Segment.Slice to retransmit
// only part of the range, e.g. to overlap two originals partially.
func (c *Conn) Resegment(t time.Time, segs []Segment, cuts []int) ([]Segment, error) {
	if len(segs) == 0 {
		return nil, fmt.Errorf("capgen: resegment: no segments")
	}
	first, last := segs[0], segs[len(segs)-1]
	var joined []byte
	next := first.Seq
	for i, seg := range segs {
		switch {
		case seg.FromClient != first.FromClient:
			return nil, fmt.Errorf("capgen: resegment: segment %d goes the other way", i)
		case seg.Flags.Has(SYN) || seg.Flags.Has(FIN):
			return nil, fmt.Errorf("capgen: resegment: segment %d has SYN or FIN", i)
		case seg.Seq != next:
			return nil, fmt.Errorf("capgen: resegment: segment %d starts at seq %d, want %d", i, seg.Seq, next)
		}
		joined = append(joined, seg.Payload...)
		next = seg.End()
	}
	pieces, err := splitPayload(joined, cuts, c.mss)
	if err != nil {
		return nil, fmt.Errorf("capgen: resegment: %w", err)
	}
	s := &c.sides[sideIndex(first.FromClient)]
	out := make([]Segment, len(pieces))
	seq := first.Seq
	for i, p := range pieces {
		flags := last.Flags &^ PSH
		if i == len(pieces)-1 {
			flags = last.Flags
		}
		out[i] = Segment{
			Time: t.Add(time.Duration(i) * SegmentGap), FromClient: first.FromClient,
			Seq: seq, Ack: last.Ack, Flags: flags, Window: last.Window,
			Payload: p, IPID: s.ipid, TTL: last.TTL,
		}
		s.ipid++
		seq += uint32(len(p))
	}
	return out, nil
}
