package capgen

import (
	"fmt"
	"time"
)

// Segment is one TCP segment that has not been written yet. It holds
// everything about the packet except the endpoints, which come from the Conn
// (Conn.Write) or are passed explicitly (Writer.WriteSegment). Writing the
// same Segment twice yields byte-identical packets, as when one packet is
// captured on two interfaces; use At to give the copy its own timestamp.
//
// Segments built by a Conn carry the sender's current ACK number, window and
// a fresh IP ID. All fields are plain values and may be edited freely, for
// example to produce a bad ACK or a conflicting retransmission.
type Segment struct {
	// Time is the capture timestamp.
	Time time.Time
	// FromClient is the direction: true for client to server.
	FromClient bool
	// Seq and Ack are the absolute TCP sequence and acknowledgment numbers.
	Seq, Ack uint32
	// Flags are the TCP flags.
	Flags Flags
	// Window is the advertised receive window (no window scaling is used).
	Window uint16
	// Payload is the TCP payload. It may be empty.
	Payload []byte
	// IPID is the IPv4 identification field; unused for IPv6.
	IPID uint16
	// TTL is the IPv4 TTL or IPv6 hop limit; 0 means 64.
	TTL uint8
	// MSS, when non-zero, adds a TCP MSS option (used on SYN and SYN-ACK).
	MSS uint16
}

// SeqLen is the sequence space the segment occupies: its payload length plus
// one for SYN and one for FIN.
func (s Segment) SeqLen() uint32 {
	n := uint32(len(s.Payload))
	if s.Flags.Has(SYN) {
		n++
	}
	if s.Flags.Has(FIN) {
		n++
	}
	return n
}

// End is the sequence number following the segment (Seq + SeqLen, modulo
// 2^32): the ACK number that acknowledges it.
func (s Segment) End() uint32 { return s.Seq + s.SeqLen() }

// At returns a copy of s with timestamp t; the packet bytes are unchanged.
func (s Segment) At(t time.Time) Segment {
	s.Time = t
	return s
}

// Slice returns the part of a data segment covering payload bytes
// [from, to). Its Seq is advanced by from; PSH and FIN are kept only if the
// slice reaches the end of the payload. The payload is copied. Slicing a SYN
// segment is an error.
func (s Segment) Slice(from, to int) (Segment, error) {
	if s.Flags.Has(SYN) {
		return Segment{}, fmt.Errorf("capgen: cannot slice a SYN segment")
	}
	if from < 0 || to > len(s.Payload) || from >= to {
		return Segment{}, fmt.Errorf("capgen: slice [%d,%d) out of payload range [0,%d)", from, to, len(s.Payload))
	}
	out := s
	out.Seq = s.Seq + uint32(from)
	out.Payload = append([]byte(nil), s.Payload[from:to]...)
	if to < len(s.Payload) {
		out.Flags &^= PSH | FIN
	}
	return out, nil
}

// String describes the segment like tcpdump: direction, flags, seq, ack, len.
func (s Segment) String() string {
	dir := "server->client"
	if s.FromClient {
		dir = "client->server"
	}
	return fmt.Sprintf("%s [%v] seq=%d ack=%d win=%d len=%d", dir, s.Flags, s.Seq, s.Ack, s.Window, len(s.Payload))
}

// splitPayload cuts payload at the given offsets, or every mss bytes when
// cuts is nil. Offsets must be strictly increasing and inside (0, len).
// Errors carry no package prefix; callers add context.
func splitPayload(payload []byte, cuts []int, mss int) ([][]byte, error) {
	if len(payload) == 0 {
		return nil, fmt.Errorf("empty payload")
	}
	if cuts == nil {
		if mss <= 0 {
			return nil, fmt.Errorf("MSS %d must be positive", mss)
		}
		pieces := make([][]byte, 0, (len(payload)+mss-1)/mss)
		for off := 0; off < len(payload); off += mss {
			pieces = append(pieces, payload[off:min(off+mss, len(payload))])
		}
		return pieces, nil
	}
	pieces := make([][]byte, 0, len(cuts)+1)
	prev := 0
	for i, c := range cuts {
		if c <= prev || c >= len(payload) {
			return nil, fmt.Errorf("cut %d (offset %d) not strictly increasing inside (0,%d)", i, c, len(payload))
		}
		pieces = append(pieces, payload[prev:c])
		prev = c
	}
	return append(pieces, payload[prev:]), nil
}
