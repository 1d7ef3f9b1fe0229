package reassembly

import (
	"github.com/gopacket/gopacket"
	tcpreasm "github.com/gopacket/gopacket/reassembly"
)

// pktCtx is the AssemblerContext of one packet. gopacket keeps it with every
// byte of the packet it buffers, and returns it from
// ScatterGather.CaptureInfo(offset) as ci.AncillaryData[0], so each byte of
// a stream can be traced back to its file and frame. A pktCtx from the slab
// is never reused: pages of the assembler may refer to it long after its
// packet. Direct framing, which the assembler does not see, reuses one
// for every packet and copies what outlives it (directState.settleScratch).
type pktCtx struct {
	ci        gopacket.CaptureInfo // AncillaryData is self[:]
	file      *fileRef
	frame     int
	order     int64 // position of the packet in the run, across files
	truncated bool
	self      [1]any
}

// GetCaptureInfo implements reassembly.AssemblerContext.
func (c *pktCtx) GetCaptureInfo() gopacket.CaptureInfo { return c.ci }

var _ tcpreasm.AssemblerContext = (*pktCtx)(nil)

// fileRef names a capture file of the run.
type fileRef struct {
	name  string
	index int
}

// ctxSlab hands out pktCtx values from blocks, so that packets do not cost
// an allocation each. A block is freed when no page refers to any of its
// contexts.
type ctxSlab struct {
	block []pktCtx
	order int64
}

const ctxBlock = 512

func (s *ctxSlab) next(f *fileRef, frame int, ci *gopacket.CaptureInfo) *pktCtx {
	s.order++
	return s.place(pktCtx{ci: *ci, file: f, frame: frame, order: s.order})
}

// place stores c in the slab and returns the stored copy.
func (s *ctxSlab) place(c pktCtx) *pktCtx {
	if len(s.block) == 0 {
		s.block = make([]pktCtx, ctxBlock)
	}
	p := &s.block[0]
	s.block = s.block[1:]
	*p = c
	p.bindSelf()
	return p
}

// bindSelf makes c's capture information name c itself (ctxOf), as it must
// wherever c was copied to.
func (c *pktCtx) bindSelf() {
	c.self[0] = c
	c.ci.AncillaryData = c.self[:]
}

// scratch sets *c to the context of a packet, as next would return it,
// but in storage of the caller's: see directState.settleScratch.
// It sets c field by field (TestScratchSetsEveryField): a composite
// literal would be built aside and copied, for every packet with data.
func (s *ctxSlab) scratch(c *pktCtx, f *fileRef, frame int, ci *gopacket.CaptureInfo) *pktCtx {
	s.order++
	c.ci, c.file, c.frame, c.order, c.truncated = *ci, f, frame, s.order, false
	c.bindSelf()
	return c
}

// ctxOf returns the pktCtx that ci came from, or nil.
func ctxOf(ci gopacket.CaptureInfo) *pktCtx {
	if len(ci.AncillaryData) == 1 {
		c, _ := ci.AncillaryData[0].(*pktCtx)
		return c
	}
	return nil
}

// span says that bytes up to end (exclusive, in the coordinates of the
// buffer the span list describes) came from packet c; a span starts where
// the previous one ends, the first at 0.
type span struct {
	end int
	c   *pktCtx
}

// sgSpans describes the first n bytes of sg by packet, appending to dst.
// When sg holds several chunks (out-of-order data released at once), the
// chunk boundaries are found by bisecting on CaptureInfo(offset), the only
// per-chunk view that ScatterGather offers; a packet's bytes are contiguous
// in the stream.
func sgSpans(sg tcpreasm.ScatterGather, n int, fallback *pktCtx, dst []span) []span {
	dst = dst[:0]
	if n <= 0 {
		return dst
	}
	at := func(off int) *pktCtx {
		if c := ctxOf(sg.CaptureInfo(off)); c != nil {
			return c
		}
		return fallback
	}
	cur := at(0)
	if sg.Stats().Chunks == 1 {
		return append(dst, span{n, cur})
	}
	for off := 0; off < n; {
		lo, hi := off+1, n // the first offset after off not from cur lies in [lo, hi]
		for lo < hi {
			mid := lo + (hi-lo)/2
			if at(mid) == cur {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		dst = append(dst, span{lo, cur})
		off = lo
		if off < n {
			cur = at(off)
		}
	}
	return dst
}

// appendSpans appends to dst the spans of src covering [from, to), shifted
// so that from lands on base. Adjacent spans of one packet merge.
func appendSpans(dst, src []span, from, to, base int) []span {
	start := 0
	for _, s := range src {
		lo, hi := max(start, from), min(s.end, to)
		start = s.end
		if lo >= hi {
			if s.end >= to {
				break
			}
			continue
		}
		end := base + hi - from
		if k := len(dst) - 1; k >= 0 && dst[k].c == s.c {
			dst[k].end = end
		} else {
			dst = append(dst, span{end, s.c})
		}
	}
	return dst
}
