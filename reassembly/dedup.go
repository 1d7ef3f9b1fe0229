package reassembly

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"time"
)

// Mirror connections (see the package documentation for the rule).
//
// Every PDU a delivering connection frames is remembered for at least one
// MirrorWindow of capture time, keyed by a hash of its header, its last
// octets and its TCP sequence number, in two generations of a window each
// that are dropped whole. A filter per generation answers most lookups
// (no twin) without touching the table. A mirror's PDU whose twin has not
// been delivered yet waits in the mirror's held queue until the twin comes
// (it is dropped) or its deadline passes (it is delivered).

// mirrorState says how a connection's records reach the Handler.
type mirrorState uint8

const (
	mirrorNew     mirrorState = iota // no PDU framed yet: gaps are held until the first one decides
	mirrorAlone                      // records are delivered; the connection may be a primary
	mirrorReplica                    // a copy of primary: PDUs matched to its twins are dropped
)

// maxTwinEntries bounds the PDUs remembered for twin matching in one
// generation, whatever the capture's timestamps say.
const maxTwinEntries = 1 << 19

// twinEntry remembers a PDU delivered by a connection that may have
// mirrors.
type twinEntry struct {
	key  uint64
	prev int32 // index in the same generation of the previous entry with this key, -1 if none
	slot int32 // where the key sits in the generation's table
	seq  uint32
	dir  Dir
	c    *conn
	t    int64 // PDU time, Unix ns
}

// A generation's filter has a bit per key hash: most PDUs have no twin,
// and the filter says so without a table lookup. It is sized, at each
// reset, for the number of entries the generation before it took (a
// MirrorWindow of capture time holds a few hundred PDUs on a busy link):
// filterBitsPerEntry bits each, between 1<<minFilterBits and
// 1<<maxFilterBits. A filter sized for the worst case would be touched at a
// random line per lookup, several times per PDU, far more memory than the
// first-level cache holds. A generation that takes more entries than its
// filter was sized for answers "maybe" more often, never wrongly.
const (
	minFilterBits      = 12
	maxFilterBits      = 18
	filterBitsPerEntry = 32
)

// minSlots is the size a generation's table starts with.
const minSlots = 1 << 10

// twinGen is one generation of remembered PDUs: those delivered during one
// MirrorWindow of capture time. Generations are dropped whole, so that
// nothing is ever deleted from their table, an open-addressing hash table
// (linear probing) of the newest entry per key.
type twinGen struct {
	filter  []uint64 // 1<<(64-shift) bits
	shift   uint     // a key's bit in filter is key>>shift
	slots   []int32  // entry index + 1; 0 is empty
	entries []twinEntry
}

func newTwinGen() *twinGen {
	g := &twinGen{}
	g.size(0)
	return g
}

// size makes the filter and the table empty, sized for about n entries.
func (g *twinGen) size(n int) {
	bits := max(minFilterBits, min(maxFilterBits, bitsFor(n*filterBitsPerEntry)))
	if len(g.filter) == 1<<bits/64 {
		clear(g.filter)
	} else {
		g.filter = make([]uint64, 1<<bits/64)
	}
	g.shift = uint(64 - bits)
	slots := max(minSlots, 1<<bitsFor(2*n))
	if len(g.slots) == slots {
		clear(g.slots)
	} else {
		g.slots = make([]int32, slots)
	}
}

// bitsFor returns the least b with 1<<b >= n (0 for n <= 1).
func bitsFor(n int) int { return bits.Len(uint(max(n, 1) - 1)) }

func (g *twinGen) filterBit(key uint64) (int, uint64) {
	b := key >> g.shift
	return int(b >> 6), 1 << (b & 63)
}

// find returns the newest entry with key, or -1, and the key's slot.
func (g *twinGen) find(key uint64) (int32, int) {
	w, bit := g.filterBit(key)
	mask := len(g.slots) - 1
	i := int(key) & mask
	if g.filter[w]&bit == 0 {
		for g.slots[i] != 0 { // only the free slot is wanted
			i = (i + 1) & mask
		}
		return -1, i
	}
	for ; ; i = (i + 1) & mask {
		v := g.slots[i]
		if v == 0 {
			return -1, i
		}
		if g.entries[v-1].key == key {
			return v - 1, i
		}
	}
}

// mayHave reports whether the generation may hold an entry with key: false
// means it holds none.
func (g *twinGen) mayHave(key uint64) bool {
	w, bit := g.filterBit(key)
	return g.filter[w]&bit != 0
}

// add remembers e, the newest with its key.
func (g *twinGen) add(e twinEntry) {
	if 2*(len(g.entries)+1) > len(g.slots) {
		g.rehash(2 * len(g.slots))
	}
	prev, slot := g.find(e.key)
	e.prev, e.slot = prev, int32(slot)
	g.entries = append(g.entries, e)
	g.slots[slot] = int32(len(g.entries))
	w, bit := g.filterBit(e.key)
	g.filter[w] |= bit
}

func (g *twinGen) rehash(size int) {
	g.slots = make([]int32, size)
	mask := size - 1
	for n := range g.entries {
		e := &g.entries[n]
		i := int(e.key) & mask
		for g.slots[i] != 0 && g.entries[g.slots[i]-1].key != e.key {
			i = (i + 1) & mask
		}
		g.slots[i] = int32(n + 1) // the newest entry with the key wins
		e.slot = int32(i)
	}
}

// reset forgets every entry and sizes the generation for about n entries.
func (g *twinGen) reset(n int) {
	clear(g.entries) // drop the *conn references
	g.entries = g.entries[:0]
	g.size(n)
}

// heldPDU is a mirror's PDU waiting for its twin.
type heldPDU struct {
	p        *PDU // a clone
	key      uint64
	seq      uint32
	deadline int64 // capture clock, Unix ns
}

type dueEntry struct {
	deadline int64
	c        *conn
}

// dedup finds mirror connections and keeps their records from the Handler.
type dedup struct {
	r      *runner
	window int64 // Options.MirrorWindow in ns

	// PDUs delivered in the current generation and in the previous one:
	// together they cover at least the last MirrorWindow.
	cur, prev *twinGen
	genStart  int64 // capture clock when cur began, Unix ns

	due     []dueEntry // mirrors holding PDUs, by deadline (roughly)
	dueHead int
}

func newDedup(r *runner) *dedup {
	return &dedup{r: r, window: int64(r.o.MirrorWindow), cur: newTwinGen(), prev: newTwinGen()}
}

// pduKey mixes what identifies a PDU on the wire: its header, its last
// octets and its TCP sequence number.
func pduKey(b []byte, seq uint32) uint64 {
	h0 := binary.BigEndian.Uint64(b[0:])
	h1 := binary.BigEndian.Uint64(b[8:])
	var tail uint64
	if len(b) >= 24 {
		tail = binary.BigEndian.Uint64(b[len(b)-8:])
	}
	k := h0*0x9e3779b97f4a7c15 ^ bits.RotateLeft64(h1*0xc2b2ae3d27d4eb4f, 29) ^
		bits.RotateLeft64(tail*0x165667b19e3779f9, 47) ^ uint64(seq)*0xd6e8feb86659fd93
	k ^= k >> 32
	k *= 0xd6e8feb86659fd93
	return k ^ k>>32
}

func nanos(t time.Time) int64 { return t.UnixNano() }

func within(a, b, w int64) bool {
	d := a - b
	return d <= w && -d <= w
}

// emitGap hands a gap of c to the Handler, holds it, or drops it.
func (r *runner) emitGap(c *conn, g *Gap) {
	if r.keepGap(c, g) {
		return
	}
	if r.dd == nil {
		r.deliverGap(g)
		return
	}
	switch c.mirror {
	case mirrorNew:
		c.heldGaps = append(c.heldGaps, *g)
	case mirrorAlone:
		r.deliverGap(g)
	case mirrorReplica:
		r.stats.DuplicateGaps++
	}
}

// emitPDU hands a PDU of c, whose first byte has TCP sequence number seq,
// to the Handler, holds it, or drops it.
func (r *runner) emitPDU(c *conn, p *PDU, seq uint32) {
	if r.keepPDU(c, p, seq) {
		return
	}
	d := r.dd
	if d == nil {
		r.deliverPDU(c, p)
		return
	}
	key := pduKey(p.Data, seq)
	t := nanos(p.Time)
	now := nanos(r.now)
	d.rotate(now)
	switch c.mirror {
	case mirrorNew:
		if e := d.twin(c, key, seq, t, nil, 0); e != nil {
			d.pair(c, e.c, e.dir != p.Dir)
			r.stats.DuplicatePDUs++
			return
		}
		c.mirror = mirrorAlone
		r.releaseGaps(c)
		d.deliver(c, p, key, seq, t)
	case mirrorAlone:
		if e := d.twin(c, key, seq, t, nil, 0); e != nil {
			// Both copies have been delivering: the one that delivered
			// less is the mirror from now on, unless it has mirrors.
			y := e.c
			cFree, yFree := len(c.mirrors) == 0, len(y.mirrors) == 0
			switch {
			case cFree && (!yFree || c.delivered <= y.delivered):
				d.pair(c, y, e.dir != p.Dir)
				r.stats.DuplicatePDUs++
				return
			case yFree:
				d.pair(y, c, e.dir != p.Dir)
			}
		}
		d.deliver(c, p, key, seq, t)
	case mirrorReplica:
		if d.twin(c, key, seq, t, c.primary, c.mapDir(p.Dir)) != nil {
			r.stats.DuplicatePDUs++
			return
		}
		c.held = append(c.held, heldPDU{p: p.Clone(), key: key, seq: seq, deadline: now + d.window})
		d.due = append(d.due, dueEntry{now + d.window, c})
	}
}

// deliver remembers and delivers p, a PDU of c, and drops the held twins
// of its mirrors.
func (d *dedup) deliver(c *conn, p *PDU, key uint64, seq uint32, t int64) {
	d.insert(c, key, seq, t, p.Dir)
	d.r.deliverPDU(c, p)
	for _, m := range c.mirrors {
		d.matchHeld(m, key, seq, m.mapDir(p.Dir))
	}
}

// mapDir maps a direction of c's primary to c's (or back).
func (c *conn) mapDir(d Dir) Dir {
	if c.flip {
		return d.Reverse()
	}
	return d
}

// twin returns a remembered PDU of a delivering connection other than c
// that is a twin of the one described, or nil. When only is not nil, the
// twin must be only's and go direction dir.
func (d *dedup) twin(c *conn, key uint64, seq uint32, t int64, only *conn, dir Dir) *twinEntry {
	for _, g := range [2]*twinGen{d.cur, d.prev} {
		if !g.mayHave(key) {
			continue
		}
		i, _ := g.find(key)
		for i >= 0 {
			e := &g.entries[i]
			if e.seq == seq && e.c != c && within(e.t, t, d.window) &&
				e.c.mirror == mirrorAlone && (only == nil || e.c == only && e.dir == dir) {
				return e
			}
			i = e.prev
		}
	}
	return nil
}

// insert remembers a PDU delivered by c.
func (d *dedup) insert(c *conn, key uint64, seq uint32, t int64, dir Dir) {
	d.cur.add(twinEntry{key: key, seq: seq, c: c, t: t, dir: dir})
}

// rotate starts a new generation when the current one is a window old (or
// full): the previous one, older than a window, is forgotten.
func (d *dedup) rotate(now int64) {
	if now-d.genStart < d.window && len(d.cur.entries) < maxTwinEntries {
		return
	}
	d.prev.reset(len(d.cur.entries)) // the next generation, sized like this one
	d.cur, d.prev = d.prev, d.cur
	d.genStart = now
}

// pair makes m a mirror of primary; flip says that their directions are
// swapped (each copy guessed its client differently).
func (d *dedup) pair(m, primary *conn, flip bool) {
	r := d.r
	m.mirror, m.primary, m.flip = mirrorReplica, primary, flip
	primary.mirrors = append(primary.mirrors, m)
	r.stats.MirrorStreams++
	r.stats.Streams--
	r.stats.Bytes -= m.bytes
	r.stats.DuplicateBytes += m.bytes
	r.stats.MirrorDelivered += m.delivered
	r.stats.DuplicateGaps += int64(len(m.heldGaps))
	m.heldGaps = nil
}

// matchHeld drops m's held PDU that is the twin of one its primary just
// delivered (dir is that PDU's direction mapped to m's).
func (d *dedup) matchHeld(m *conn, key uint64, seq uint32, dir Dir) {
	for i := range m.held {
		h := &m.held[i]
		if h.key == key && h.seq == seq && h.p.Dir == dir {
			m.held = slices.Delete(m.held, i, i+1)
			d.r.stats.DuplicatePDUs++
			return
		}
	}
}

// expire delivers held PDUs whose twins did not come in time. final
// delivers them all.
func (d *dedup) expire(now int64, final bool) {
	for d.dueHead < len(d.due) && !d.r.stop {
		e := d.due[d.dueHead]
		if !final && e.deadline > now {
			break
		}
		d.due[d.dueHead] = dueEntry{}
		d.dueHead++
		d.release(e.c, now, final)
	}
	if d.dueHead == len(d.due) {
		d.due, d.dueHead = d.due[:0], 0
	} else if d.dueHead > 1024 && d.dueHead > len(d.due)/2 {
		d.due = d.due[:copy(d.due, d.due[d.dueHead:])]
		d.dueHead = 0
	}
}

// release delivers m's held PDUs that are due, in order.
func (d *dedup) release(m *conn, now int64, final bool) {
	r := d.r
	n := 0
	for _, h := range m.held {
		if !final && h.deadline > now || r.stop {
			break
		}
		r.stats.MirrorDelivered++
		r.deliverPDU(m, h.p)
		n++
	}
	m.held = slices.Delete(m.held, 0, n)
}

// pending says whether held PDUs wait for a deadline.
func (d *dedup) pending() bool { return d.dueHead < len(d.due) }

// releaseGaps delivers the gaps c held while undecided.
func (r *runner) releaseGaps(c *conn) {
	for i := range c.heldGaps {
		if r.stop {
			break
		}
		r.deliverGap(&c.heldGaps[i])
	}
	c.heldGaps = nil
}

// settle ends c's undecided state when it closes without a PDU.
func (r *runner) settle(c *conn) {
	if c.mirror == mirrorNew {
		c.mirror = mirrorAlone
		r.releaseGaps(c)
	}
}
