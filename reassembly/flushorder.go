package reassembly

import (
	"cmp"
	"slices"
)

// Records of a flush, in Stream order.
//
// A flush (holes given up at Options.LossTimeout, connections closed idle,
// the end of input) can release data of many connections at once, and
// gopacket's assembler visits its connections in the order of a Go map,
// which differs from run to run. That order reaches the output, and mirror
// detection too (which copy of a conversation delivers first decides which
// is the mirror). So while a flush runs, what it releases is kept: the
// PDUs and gaps framed and the connections completed. When it ends they
// are handed on sorted by Stream, each connection's own in the order they
// came: the same capture gives the same output every time.

// flushKind is what a kept record is.
type flushKind uint8

const (
	flushPDU      flushKind = iota
	flushGap                // a gap framed
	flushComplete           // the connection closed (idle: by the flush's idle rule)
)

// flushed is a record kept during a flush.
type flushed struct {
	kind flushKind
	c    *conn
	pdu  *PDU
	seq  uint32
	gap  Gap
	idle bool
}

// flushBatch is the runner's records of the flush under way.
type flushBatch struct {
	on   bool
	recs []flushed
	next int // while endFlush hands them on: the records before next are done
}

// beginFlush starts keeping records.
func (r *runner) beginFlush() { r.batch.on = true }

// endFlush hands on the records kept since beginFlush, in Stream order.
func (r *runner) endFlush() {
	b := &r.batch
	b.on = false
	slices.SortStableFunc(b.recs, func(x, y flushed) int { return cmp.Compare(x.c.index, y.c.index) })
	for b.next < len(b.recs) {
		// Taken off before it is handed on: after a panic in its
		// Handler, the records left are those after it (see abandon).
		f := b.recs[b.next]
		b.recs[b.next] = flushed{}
		b.next++
		switch f.kind {
		case flushPDU:
			r.emitPDU(f.c, f.pdu, f.seq)
		case flushGap:
			r.emitGap(f.c, &f.gap)
		case flushComplete:
			r.inFlush = f.idle
			f.c.complete()
			r.inFlush = false
		}
	}
	b.recs, b.next = b.recs[:0], 0
}

// abandon ends the flush under way after a panic: the records not yet
// handed on wait for the next flush (the end of the input has one), which
// hands them on first in each connection's order. Handing them on now would
// call the Handler again while the panic is being recovered.
func (b *flushBatch) abandon() {
	b.on = false
	b.recs = append(b.recs[:0], b.recs[b.next:]...)
	clear(b.recs[len(b.recs):cap(b.recs)])
	b.next = 0
}

// keepPDU keeps a copy of p, a PDU of c whose first byte has TCP sequence
// number seq, when a flush is under way.
func (r *runner) keepPDU(c *conn, p *PDU, seq uint32) bool {
	if !r.batch.on {
		return false
	}
	r.batch.recs = append(r.batch.recs, flushed{kind: flushPDU, c: c, pdu: p.Clone(), seq: seq})
	return true
}

// keepGap keeps a copy of g, a gap of c, when a flush is under way.
func (r *runner) keepGap(c *conn, g *Gap) bool {
	if !r.batch.on {
		return false
	}
	r.batch.recs = append(r.batch.recs, flushed{kind: flushGap, c: c, gap: *g})
	return true
}

// completeConn ends c, or keeps that for the end of the flush under way.
func (r *runner) completeConn(c *conn) {
	if r.batch.on {
		r.batch.recs = append(r.batch.recs, flushed{kind: flushComplete, c: c, idle: r.inFlush})
		return
	}
	c.complete()
}
