package reassembly

import (
	"slices"

	"smppdump.dev/smppdump/decode"
)

// chunk is a run of stream bytes with their provenance: b[i] is byte off+i
// of the buffer that sp describes.
type chunk struct {
	b   []byte
	sp  []span
	off int
}

func (ch chunk) from(n int) chunk { return chunk{ch.b[n:], ch.sp, ch.off + n} }

// first returns the packet that carried ch's first byte, or nil.
func (ch chunk) first() *pktCtx {
	for _, s := range ch.sp {
		if s.end > ch.off {
			return s.c
		}
	}
	return nil
}

// mode is a framer's state.
type mode uint8

const (
	modeSync   mode = iota // at a PDU boundary, or assembling a PDU in buf
	modeResync             // looking for a plausible header; buf holds the last < 16 bytes scanned
	modeSkip               // discarding the rest of a PDU larger than MaxPDU
)

// bufKeep is the largest buffer a framer keeps between PDUs.
const bufKeep = 4096

// framer cuts one direction's byte stream into PDUs by command_length.
//
// Whole PDUs inside the bytes gopacket hands over are delivered in place, with
// no copy. A partial PDU is copied into buf until it completes; gopacket's
// ScatterGather.KeepFrom is not used, because kept bytes come back only with
// the direction's next data (they are freed unseen when the half closes),
// Fetch then copies every chunk again, and kept pages count against the
// assembler's page caps.
type framer struct {
	c   *conn
	dir Dir

	base    uint32 // TCP sequence number of stream offset 0
	baseOK  bool
	seen    bool // a packet of this direction was accepted
	fresh   bool // the direction is known to start at its first byte
	started bool // data was seen
	done    bool // finished: no more input

	holdDone bool // the direction's start is settled: its packets are not held (hold.go)

	mode     mode
	pos      int64  // stream offset of the next byte to arrive; buf holds [pos-len(buf), pos)
	buf      []byte // partial PDU (modeSync) or the carry of a scan (modeResync)
	bufSp    []span
	need     int   // command_length of the PDU in buf, once its header is complete
	skipLeft int64 // bytes still to discard in modeSkip

	gap     Gap // pending gap: Offset, Lost, Discarded, Reason
	gapOpen bool
	gapAt   *pktCtx // packet where the pending gap was noticed
	last    *pktCtx // latest packet of this direction
	// lastCopy holds last when direct framing gave its packet no context
	// of its own (see directState.settleScratch); it changes with the next
	// such packet, so whatever keeps last longer takes a copy (openGap).
	lastCopy pktCtx
}

// input takes the bytes gopacket reassembled for this direction. skip is
// ScatterGather's: > 0 bytes were missing before them, < 0 unknown.
func (f *framer) input(ch chunk, skip int, reason string) {
	if f.done {
		return
	}
	now := ch.first()
	start := 0
	for _, s := range ch.sp { // spans may describe more than ch (a replayed probe)
		if s.end > ch.off && start < ch.off+len(ch.b) && (f.last == nil || s.c.order > f.last.order) {
			f.last = s.c
		}
		start = s.end
	}
	if !f.started {
		if len(ch.b) == 0 && skip == 0 {
			return // the SYN, or a bare ACK
		}
		f.started = true
		if !f.fresh || skip < 0 {
			f.openGap(ReasonMidStream, 0, now)
			f.gap.Lost = -1
			f.mode = modeResync
			skip = 0
		}
	}
	if skip != 0 {
		f.lose(int64(skip), reason, now)
	}
	f.feed(ch)
}

// lose records that bytes are missing before the next input (n < 0:
// unknown): a partial PDU can't be completed, and the boundary must be
// found again.
func (f *framer) lose(n int64, reason string, now *pktCtx) {
	if !f.gapOpen {
		f.openGap(reason, f.pos-int64(len(f.buf)), now)
	}
	f.gap.Discarded += int64(len(f.buf))
	switch {
	case n < 0:
		f.gap.Lost = -1
	case f.gap.Lost >= 0:
		f.gap.Lost += n
	}
	if n > 0 {
		f.pos += n
	}
	f.resetBuf()
	f.need, f.skipLeft = 0, 0
	f.mode = modeResync
}

func (f *framer) feed(ch chunk) {
	for len(ch.b) > 0 && !f.c.r.stop {
		switch f.mode {
		case modeSync:
			ch = f.sync(ch)
		case modeResync:
			ch = f.resync(ch)
		case modeSkip:
			ch = f.skip(ch)
		}
	}
}

// sync frames ch from a PDU boundary (or the PDU in buf) and returns what
// it did not consume.
func (f *framer) sync(ch chunk) chunk {
	maxPDU := f.c.r.o.MaxPDU
	if len(f.buf) == 0 && len(ch.b) >= decode.HeaderLen {
		h, _ := decode.ReadHeader(ch.b)
		if h.Length < decode.HeaderLen || h.Length > maxPDU {
			return f.badHeader(ch, h)
		}
		if n := int(h.Length); len(ch.b) >= n {
			f.deliver(ch.b[:n], ch.sp, ch.off, f.pos)
			f.pos += int64(n)
			return ch.from(n)
		}
		f.need = int(h.Length)
		f.appendBuf(ch, len(ch.b))
		return chunk{}
	}
	if f.need == 0 {
		n := min(decode.HeaderLen-len(f.buf), len(ch.b))
		f.appendBuf(ch, n)
		ch = ch.from(n)
		if len(f.buf) < decode.HeaderLen {
			return ch
		}
		h, _ := decode.ReadHeader(f.buf)
		if h.Length < decode.HeaderLen || h.Length > maxPDU {
			return f.badBufHeader(ch, h)
		}
		f.need = int(h.Length)
	}
	n := min(f.need-len(f.buf), len(ch.b))
	f.appendBuf(ch, n)
	ch = ch.from(n)
	if len(f.buf) == f.need {
		f.deliver(f.buf, f.bufSp, 0, f.pos-int64(len(f.buf)))
		f.resetBuf()
		f.need = 0
	}
	return ch
}

// plausible is decode.PlausibleCode(h, maxPDU) == "", refusing first what
// a scan meets at almost every offset of junk: a command_length out of
// range, before the command table is consulted.
func plausible(h decode.Header, maxPDU uint32) bool {
	return h.Length >= decode.HeaderLen && h.Length <= maxPDU && decode.PlausibleCode(h, maxPDU) == ""
}

// tooLarge reports whether h is a PDU that only exceeds MaxPDU, small
// enough to be skipped without losing the boundary.
func (f *framer) tooLarge(h decode.Header) bool {
	return h.Length > f.c.r.o.MaxPDU && h.Length <= skipMax && decode.PlausibleCode(h, skipMax) == ""
}

// badHeader handles an implausible command_length at ch.b[0].
func (f *framer) badHeader(ch chunk, h decode.Header) chunk {
	if f.tooLarge(h) {
		f.openGap(ReasonTooLarge, f.pos, ch.first())
		f.mode, f.skipLeft = modeSkip, int64(h.Length)
		return ch
	}
	f.openGap(ReasonResync, f.pos, ch.first())
	f.mode = modeResync
	f.gap.Discarded++
	f.pos++
	return ch.from(1)
}

// badBufHeader handles an implausible command_length in the header that
// buf holds; ch is what follows it.
func (f *framer) badBufHeader(ch chunk, h decode.Header) chunk {
	at := f.bufSp[0].c
	if f.tooLarge(h) {
		f.openGap(ReasonTooLarge, f.pos-int64(len(f.buf)), at)
		f.gap.Discarded += int64(len(f.buf))
		f.mode, f.skipLeft = modeSkip, int64(h.Length)-int64(len(f.buf))
		f.resetBuf()
		return ch
	}
	f.openGap(ReasonResync, f.pos-int64(len(f.buf)), at)
	f.mode = modeResync
	f.gap.Discarded++
	f.dropFront(1)
	return ch
}

func (f *framer) skip(ch chunk) chunk {
	n := int(min(int64(len(ch.b)), f.skipLeft))
	f.skipLeft -= int64(n)
	f.pos += int64(n)
	f.gap.Discarded += int64(n)
	if f.skipLeft == 0 {
		f.closeGap()
		f.mode = modeSync
	}
	return ch.from(n)
}

// resync looks for a PDU boundary in buf (the carry, < 16 bytes) followed
// by ch: an offset where decode.Plausible accepts the header and, when the
// bytes are there, the header after that PDU too.
func (f *framer) resync(ch chunk) chunk {
	maxPDU := f.c.r.o.MaxPDU
	carry := len(f.buf)
	n := carry + len(ch.b)
	for i := 0; i+decode.HeaderLen <= n; i++ {
		h := f.headerAt(ch.b, i)
		if !plausible(h, maxPDU) {
			continue
		}
		if j := i + int(h.Length); j+decode.HeaderLen <= n && !plausible(f.headerAt(ch.b, j), maxPDU) {
			continue
		}
		if i < carry { // the PDU starts in the carry: keep assembling it there
			f.gap.Discarded += int64(i)
			f.dropFront(i)
			f.closeGap()
			f.mode, f.need = modeSync, 0
			return ch
		}
		k := i - carry
		f.gap.Discarded += int64(carry + k)
		f.pos += int64(k)
		f.resetBuf()
		f.closeGap()
		f.mode = modeSync
		return ch.from(k)
	}
	// No boundary: keep the last bytes, a header may start there.
	f.appendBuf(ch, len(ch.b))
	keep := min(decode.HeaderLen-1, len(f.buf))
	f.gap.Discarded += int64(len(f.buf) - keep)
	f.dropFront(len(f.buf) - keep)
	return chunk{}
}

// headerAt reads the header at offset i of buf followed by b.
func (f *framer) headerAt(b []byte, i int) decode.Header {
	carry := len(f.buf)
	if i >= carry {
		h, _ := decode.ReadHeader(b[i-carry:])
		return h
	}
	var tmp [decode.HeaderLen]byte
	n := copy(tmp[:], f.buf[i:])
	copy(tmp[n:], b)
	h, _ := decode.ReadHeader(tmp[:])
	return h
}

// appendBuf copies ch.b[:n] to buf; pos advances past them.
func (f *framer) appendBuf(ch chunk, n int) {
	if n == 0 {
		return
	}
	f.bufSp = appendSpans(f.bufSp, ch.sp, ch.off, ch.off+n, len(f.buf))
	f.buf = append(f.buf, ch.b[:n]...)
	f.pos += int64(n)
}

// dropFront removes n bytes from the front of buf.
func (f *framer) dropFront(n int) {
	if n == 0 {
		return
	}
	f.buf = f.buf[:copy(f.buf, f.buf[n:])]
	k := 0
	for _, s := range f.bufSp {
		if s.end -= n; s.end > 0 {
			f.bufSp[k] = s
			k++
		}
	}
	f.bufSp = f.bufSp[:k]
}

func (f *framer) resetBuf() {
	if cap(f.buf) > bufKeep {
		f.buf, f.bufSp = nil, nil
		return
	}
	f.buf, f.bufSp = f.buf[:0], f.bufSp[:0]
}

// nextSeq is the TCP sequence number of the next byte the direction
// expects.
func (f *framer) nextSeq() uint32 { return f.base + uint32(f.pos) }

// finish ends the direction: a partial PDU or a pending gap is reported.
func (f *framer) finish() {
	if f.done {
		return
	}
	f.done = true
	if !f.started || f.c.r.stop {
		return
	}
	switch f.mode {
	case modeSync:
		if len(f.buf) > 0 {
			f.openGap(ReasonIncomplete, f.pos-int64(len(f.buf)), f.last)
			f.gap.Discarded += int64(len(f.buf))
		}
	case modeResync:
		f.gap.Discarded += int64(len(f.buf))
	}
	f.buf, f.bufSp = nil, nil
	if f.c.unconfirmed {
		return // the gap waits for conn.confirm, or is dropped
	}
	f.closeGap()
}

func (f *framer) openGap(reason string, offset int64, at *pktCtx) {
	if f.gapOpen {
		return
	}
	if at == nil {
		at = f.last
	}
	if at == &f.lastCopy {
		at = f.c.r.slab.place(f.lastCopy)
	}
	f.gapOpen, f.gapAt = true, at
	f.gap = Gap{Offset: offset, Reason: reason}
}

// closeGap reports the pending gap.
func (f *framer) closeGap() {
	if !f.gapOpen {
		return
	}
	if f.c.unconfirmed {
		f.c.confirm() // a boundary was found
	}
	f.gapOpen = false
	r := f.c.r
	if r.stop {
		return
	}
	g := &r.gap
	*g = f.gap
	if at := f.gapAt; at != nil {
		g.File, g.Frame = at.file.name, at.frame
	}
	g.Endpoint = f.c.endpoint(f.dir, f.gapAt)
	g.Bytes = -1
	if g.Lost >= 0 {
		g.Bytes = g.Lost + g.Discarded
	}
	r.emitGap(f.c, g)
}

// deliver hands the PDU b, bytes [off, off+len(b)) of the buffer that sp
// describes, to the Handler.
func (f *framer) deliver(b []byte, sp []span, off int, offset int64) {
	r := f.c.r
	if r.stop {
		return
	}
	if f.c.unconfirmed {
		f.c.confirm()
	}
	at := f.provenance(sp, off, off+len(b))
	// Set field by field: a composite literal, and the Endpoint in it,
	// would be built aside and copied, for every PDU
	// (TestDeliverSetsEveryPDUField, TestSetEndpoint).
	p := &r.pdu
	p.File, p.Frame = "", 0
	if at != nil {
		p.File, p.Frame = at.file.name, at.frame
	}
	p.Frames, p.Offset, p.Data = r.frames, offset, b
	f.c.setEndpoint(&p.Endpoint, f.dir, at)
	r.emitPDU(f.c, p, f.base+uint32(offset))
}

// provenance returns the latest packet that carried a byte of [from, to)
// and sets r.frames to the frames, in that packet's file, that did.
func (f *framer) provenance(sp []span, from, to int) *pktCtx {
	r := f.c.r
	if len(sp) == 1 { // one packet carried the whole buffer: the usual case
		if at := sp[0].c; at != nil {
			r.frames = append(r.frames[:0], at.frame)
			return at
		}
	}
	var at *pktCtx
	start := 0
	for _, s := range sp {
		if s.end > from && start < to && (at == nil || s.c.order > at.order) {
			at = s.c
		}
		start = s.end
	}
	r.frames = r.frames[:0]
	if at == nil {
		return f.last
	}
	start = 0
	for _, s := range sp {
		if s.end > from && start < to && s.c.file == at.file {
			r.frames = append(r.frames, s.c.frame)
		}
		start = s.end
	}
	slices.Sort(r.frames)
	r.frames = slices.Compact(r.frames)
	return at
}
