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
// which differs from run to run. So while a flush runs, the PDUs and gaps
// it releases are kept, and handed on when it ends, sorted by Stream (each
// connection's own records keep their order): the same capture gives the
// same output every time.

// flushed is a record kept during a flush.
type flushed struct {
	c   *conn
	pdu *PDU
	gap Gap
}

// flushBatch is the runner's records of the flush under way.
type flushBatch struct {
	on   bool
	recs []flushed
}

// keep stores a copy of a PDU of c (gap nil) or of gap g.
func (b *flushBatch) keep(c *conn, p *PDU, g *Gap) {
	if p != nil {
		b.recs = append(b.recs, flushed{c: c, pdu: p.Clone()})
		return
	}
	b.recs = append(b.recs, flushed{gap: *g})
}

// beginFlush starts keeping records.
func (r *runner) beginFlush() { r.batch.on = true }

// endFlush hands on the records kept since beginFlush, in Stream order.
func (r *runner) endFlush() {
	b := &r.batch
	b.on = false
	slices.SortStableFunc(b.recs, func(x, y flushed) int { return cmp.Compare(x.stream(), y.stream()) })
	for i := range b.recs {
		f := &b.recs[i]
		if f.pdu != nil {
			r.deliverPDU(f.c, f.pdu)
		} else {
			r.deliverGap(&f.gap)
		}
		b.recs[i] = flushed{}
	}
	b.recs = b.recs[:0]
}

func (f *flushed) stream() int {
	if f.pdu != nil {
		return f.pdu.Stream
	}
	return f.gap.Stream
}
