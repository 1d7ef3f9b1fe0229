package reassembly

import "smppdump.dev/smppdump/decode"

// probe holds a connection's data while the heuristic decides whether it
// is SMPP. Its data is copied: gopacket hands each chunk over once, and
// bytes kept with ScatterGather.KeepFrom would come back only with the
// same direction's next data.
type probe struct {
	head   [2][]byte // each Dir's bytes so far
	sp     [2][]span // their provenance, in head coordinates
	limit  [2]int    // bytes of head the verdict may use: up to the first gap (-1: all)
	fresh  [2]bool   // the direction starts at its first byte
	scan   [2]int    // listed ports: offset of head where no plausible header starts before
	chunks []probeChunk
}

// probeChunk is one ReassembledSG call, replayed in order on acceptance.
type probeChunk struct {
	dir      Dir
	from, to int // range in head[dir]
	skip     int
	reason   string
	end      bool
}

// verdict is the heuristic's opinion of one direction.
type verdict uint8

const (
	verdictNone  verdict = iota // no data
	verdictWait                 // a plausible start; more bytes needed
	verdictOne                  // exactly one plausible PDU
	verdictChain                // a plausible PDU followed by a plausible header
	verdictNo                   // not SMPP
)

func newProbe() *probe { return &probe{limit: [2]int{-1, -1}} }

// probeCap bounds the bytes held per direction while undecided.
func (c *conn) probeCap() int { return 2*int(c.r.o.MaxPDU) + 2*decode.HeaderLen }

// probeChunk records one chunk of a probing connection and decides.
func (c *conn) probeChunk(d Dir, ch chunk, skip int, reason string, end bool) {
	p := c.probe
	if len(p.head[d]) == 0 && len(ch.b) > 0 {
		p.fresh[d] = c.dirs[d].fresh && skip >= 0
	}
	if skip != 0 && len(p.head[d]) > 0 && p.limit[d] < 0 {
		p.limit[d] = len(p.head[d]) // bytes after a gap may start anywhere
	}
	from := len(p.head[d])
	p.sp[d] = appendSpans(p.sp[d], ch.sp, ch.off, ch.off+len(ch.b), from)
	p.head[d] = append(p.head[d], ch.b...)
	p.chunks = append(p.chunks, probeChunk{dir: d, from: from, to: len(p.head[d]), skip: skip, reason: reason, end: end})
	c.decide(false)
}

// judge gives the verdict on the first bytes of a direction.
func (c *conn) judge(b []byte) verdict {
	maxPDU := c.r.o.MaxPDU
	if len(b) == 0 {
		return verdictNone
	}
	if len(b) < decode.HeaderLen {
		return verdictWait
	}
	h, _ := decode.ReadHeader(b)
	if decode.PlausibleCode(h, maxPDU) != "" {
		return verdictNo
	}
	n := int(h.Length)
	switch {
	case len(b) < n:
		return verdictWait
	case len(b) == n:
		return verdictOne
	case len(b) < n+decode.HeaderLen:
		return verdictWait
	}
	h2, _ := decode.ReadHeader(b[n:])
	if decode.PlausibleCode(h2, maxPDU) != "" {
		return verdictNo
	}
	return verdictChain
}

// decide accepts or rejects a probing connection when the evidence allows;
// final says that no more data will come.
func (c *conn) decide(final bool) {
	if c.listed {
		c.decideListed(final)
		return
	}
	p := c.probe
	var v [2]verdict
	for d := range v {
		b := p.head[d]
		if p.limit[d] >= 0 {
			b = b[:p.limit[d]]
		}
		v[d] = c.judge(b)
	}
	switch {
	case v[0] == verdictNo || v[1] == verdictNo:
		c.reject()
	case v[0] == verdictChain || v[1] == verdictChain || (v[0] == verdictOne && v[1] == verdictOne):
		c.accept(final)
	case final || len(p.head[0]) > c.probeCap() || len(p.head[1]) > c.probeCap():
		c.reject()
	}
}

// decideListed decides on a connection on a listed port. It is SMPP as
// soon as one direction shows a plausible header where a PDU may start:
// at its first byte when the direction starts there (a PDU above MaxPDU
// counts, it is skipped), or anywhere in its first bytes, followed by a
// plausible header when the data reaches that far (as when
// resynchronising). It is not SMPP when no direction shows one by the end
// of the connection: HTTP or TLS on port 2775 is counted in
// Stats.NonSMPPConns and framed not at all.
//
// A direction that holds probeCap bytes without a plausible header does
// not make the connection not SMPP: a listed port is SMPP by
// configuration, and junk may come before the PDUs. The connection is
// framed unconfirmed (see conn.confirm): the framers discard the junk as
// they look for a boundary, counting it, so nothing more is buffered. At
// the first boundary found the connection becomes an SMPP stream and the
// junk a gap; if none is found by the end, it is not SMPP after all.
func (c *conn) decideListed(final bool) {
	p := c.probe
	full := false
	for d := range p.head {
		b := p.head[d]
		if p.limit[d] >= 0 {
			b = b[:p.limit[d]]
		}
		if p.fresh[d] && len(b) >= decode.HeaderLen {
			if h, _ := decode.ReadHeader(b); decode.PlausibleCode(h, max(c.r.o.MaxPDU, skipMax)) == "" {
				c.accept(final)
				return
			}
		}
		at, next := c.plausibleAt(b, p.scan[d])
		if at >= 0 {
			c.accept(final)
			return
		}
		p.scan[d] = next
		full = full || len(p.head[d]) > c.probeCap()
	}
	switch {
	case full:
		c.unconfirmed = true
		c.accept(final)
	case final:
		c.reject()
	}
}

// plausibleAt returns the first offset of b, from from on, where a
// plausible header starts, followed by another one when b holds it, or -1
// and the offset to scan from when b has grown.
func (c *conn) plausibleAt(b []byte, from int) (int, int) {
	maxPDU := c.r.o.MaxPDU
	i := from
	for ; i+decode.HeaderLen <= len(b); i++ {
		h, _ := decode.ReadHeader(b[i:])
		if !plausible(h, maxPDU) {
			continue
		}
		if j := i + int(h.Length); j+decode.HeaderLen <= len(b) {
			if h2, _ := decode.ReadHeader(b[j:]); !plausible(h2, maxPDU) {
				continue
			}
		}
		return i, i
	}
	return -1, i
}

// reject marks c as not SMPP. A connection that carried no data at all (a
// handshake, a port check) is not counted as a non-SMPP connection.
func (c *conn) reject() {
	p := c.probe
	c.state = stateRejected
	c.probe = nil
	if p != nil && len(p.head[0]) == 0 && len(p.head[1]) == 0 {
		return
	}
	c.r.stats.NonSMPPConns++
	c.r.stats.NonSMPP += c.packets
}

// accept makes c an SMPP connection and frames the data held so far, in the
// order it arrived. An unconfirmed connection is counted when confirmed.
func (c *conn) accept(final bool) {
	p := c.probe
	c.state = stateSMPP
	c.probe = nil
	if !c.unconfirmed {
		c.r.stats.Streams++
	}
	for _, pc := range p.chunks {
		f := &c.dirs[pc.dir]
		c.r.countBytes(c, pc.to-pc.from)
		f.input(chunk{b: p.head[pc.dir][pc.from:pc.to], sp: p.sp[pc.dir], off: pc.from}, pc.skip, pc.reason)
		if pc.end {
			f.finish()
		}
	}
	if final {
		for d := range c.dirs {
			c.dirs[d].finish()
		}
	}
}

// confirm makes an unconfirmed connection an SMPP stream: one of its
// framers found a PDU boundary. The gaps of directions that ended while it
// was unconfirmed are delivered now.
func (c *conn) confirm() {
	r := c.r
	c.unconfirmed = false
	r.stats.Streams++
	r.stats.Bytes += c.bytes
	for d := range c.dirs {
		if f := &c.dirs[d]; f.done {
			f.closeGap()
		}
	}
}

// unconfirmedEnd ends a connection that stayed unconfirmed: no PDU
// boundary in its bytes, which were junk. It is not SMPP, as if rejected
// by the heuristic, and the gaps its framers held are dropped.
func (c *conn) unconfirmedEnd() {
	c.unconfirmed = false
	c.state = stateRejected
	for d := range c.dirs {
		c.dirs[d].gapOpen = false
	}
	c.r.stats.NonSMPPConns++
	c.r.stats.NonSMPP += c.packets
}
