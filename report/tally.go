package report

import "smppdump.dev/smppdump/decode"

// tally counts occurrences of keys. The first tallyInline distinct keys
// (all of them in ordinary traffic: a dozen commands, a few statuses) are
// counted in a slice searched from the front, cheaper than a map update;
// further keys go to a map, so a capture full of odd values costs no more
// than a map would.
type tally[K comparable] struct {
	inline []tallyEntry[K]
	more   map[K]int64
}

type tallyEntry[K comparable] struct {
	key K
	n   int64
}

const tallyInline = 16

func (t *tally[K]) add(k K) {
	for i := range t.inline {
		if t.inline[i].key == k {
			t.inline[i].n++
			return
		}
	}
	if len(t.inline) < tallyInline {
		t.inline = append(t.inline, tallyEntry[K]{k, 1})
		return
	}
	if t.more == nil {
		t.more = map[K]int64{}
	}
	t.more[k]++
}

// all calls f for every key and its count, in no particular order.
func (t *tally[K]) all(f func(k K, n int64)) {
	for _, e := range t.inline {
		f(e.key, e.n)
	}
	for k, n := range t.more {
		f(k, n)
	}
}

// commandCounts counts PDUs by command_id. Every PDU is counted, so the
// ids of the protocol (requests and responses whose low bits are below
// denseCommands) are counted in an array, by index; searching a tally for
// them cost a dozen comparisons per PDU. Any other id goes to a tally.
type commandCounts struct {
	dense [2 * denseCommands]int64 // requests, then responses
	other tally[decode.CommandID]
}

// denseCommands is one past the highest command_id of the protocol's
// requests (cancel_broadcast_sm, 0x113).
const denseCommands = 0x114

func (c *commandCounts) add(id decode.CommandID) {
	if lo := id &^ decode.RespBit; lo < denseCommands {
		c.dense[uint32(lo)+uint32(id>>31)*denseCommands]++
		return
	}
	c.other.add(id)
}

// all calls f for every id counted and its count, in no particular order.
func (c *commandCounts) all(f func(id decode.CommandID, n int64)) {
	for i, n := range c.dense {
		if n > 0 {
			id := decode.CommandID(i % denseCommands)
			if i >= denseCommands {
				id |= decode.RespBit
			}
			f(id, n)
		}
	}
	c.other.all(f)
}

// streamSet records which stream numbers were seen: a bitmap for the
// numbers a capture assigns (0, 1, 2, ... in order of first sight), a map
// for any other.
type streamSet struct {
	bits  []uint64
	other map[int]struct{}
	n     int
}

// maxStreamBits bounds the bitmap (512 KiB); numbers beyond go to the map.
const maxStreamBits = 1 << 22

func (s *streamSet) add(stream int) {
	if stream < 0 || stream >= maxStreamBits {
		if s.other == nil {
			s.other = map[int]struct{}{}
		}
		if _, ok := s.other[stream]; !ok {
			s.other[stream] = struct{}{}
			s.n++
		}
		return
	}
	w, bit := stream/64, uint64(1)<<(stream%64)
	if w >= len(s.bits) {
		s.bits = append(s.bits, make([]uint64, w+1-len(s.bits))...)
	}
	if s.bits[w]&bit == 0 {
		s.bits[w] |= bit
		s.n++
	}
}

// Len returns the number of distinct streams seen.
func (s *streamSet) Len() int { return s.n }
