package report

import (
	"strconv"
	"strings"
	"time"
	"unsafe"

	"smppdump.dev/smppdump/decode"
)

// msgPart is one submitted PDU (one part of a possibly multipart message).
// The fields a receipt reads come first: they share cache lines with the
// head of the message (see message).
type msgPart struct {
	msg *message
	// The message id from the response (see id): in idCopy[:idLen] when
	// it is short, beside the fields a receipt reads anyway (and no string
	// is allocated for it), else in idLong.
	idLong     string
	idHash     uint64 // the index hash of the id (idIndex.hash)
	idLen      uint8
	idCopy     [idCopyMax]byte
	time       time.Time
	hasResp    bool
	respStatus decode.Status
	receipts   []receiptHit // final receipts
	interim    int          // intermediate notifications and SME acks
	notes      []receiptHit // those notifications, for --follow
	partNo     int          // 1-based part number (1 for single messages)
	stream     int
	seq        uint32
	frame      int
	text       string
	respTime   time.Time
	respFrame  int
	respStream int
	latency    time.Duration
}

// idCopyMax is the longest message id a part keeps a copy of.
const idCopyMax = 24

// sameID reports whether id is the part's message id, byte for byte.
func (p *msgPart) sameID(id string) bool {
	if p.idLen > 0 {
		return string(p.idCopy[:p.idLen]) == id
	}
	return p.idLong == id
}

// setID sets the part's message id (not empty) to a copy of b.
func (p *msgPart) setID(b []byte) {
	if len(b) <= idCopyMax {
		p.idLen, p.idLong = uint8(copy(p.idCopy[:], b)), ""
	} else {
		p.idLen, p.idLong = 0, string(b)
	}
}

// id returns the part's message id ("" before a response gave one). A
// short id is copied out of idCopy.
func (p *msgPart) id() string {
	if p.idLen > 0 {
		return string(p.idCopy[:p.idLen])
	}
	return p.idLong
}

// hasID reports whether a response gave the part a message id.
func (p *msgPart) hasID() bool { return p.idLen > 0 || p.idLong != "" }

// receiptHit is a receipt matched to a part.
type receiptHit struct {
	stream  int
	final   bool
	frame   int
	time    time.Time
	stat    string
	err     string
	rule    decode.MatchRule
	latency time.Duration // from the part's submit
}

// message is one submitted short message, its parts grouped. The fields
// that matching a receipt and retiring the message read come first, then
// the first part (for most messages the only one), so that a receipt
// touches few cache lines of a message submitted seconds before. A new
// message resets msgHead and msgTail; submit sets its first part.
type message struct {
	msgHead
	firstPart msgPart
	msgTail
}

// msgHead is the start of a message: one cache line (64 bytes).
type msgHead struct {
	registered uint8
	done       bool // emitted
	grouped    bool
	reusable   bool       // every part was answered before it was emitted (see recycle)
	distinct   uint16     // distinct part numbers seen (part numbers are octets)
	total      uint16     // parts announced (1 for single messages)
	parts      []*msgPart // in arrival order
	bind       *bindStats // the bind stats row the message is filed under (its key is bind.systemID)
	order      uint64     // submit order, for output and for its place in correlator.live
	// The arrays behind parts and seen for single-part messages: here, a
	// receipt's walk over parts reads no further line of the message.
	partsBuf [1]*msgPart
	seenBuf  [1]uint8
}

// msgTail is the rest of a message, after its first part.
type msgTail struct {
	command   string
	systemID  string
	src, dst  string
	seen      []uint8 // per part number (index partNo-1): times seen
	dupParts  int
	segMethod string
	segRef    uint16
	first     time.Time // the first part's submit time
	group     partKey   // its key in groups, when grouped
}

// complete reports whether every announced part was submitted and answered
// and, where a receipt was asked for and the part accepted, receipted.
func (m *message) complete() bool {
	if m.distinct < m.total {
		return false
	}
	for _, p := range m.parts {
		if !p.hasResp {
			return false
		}
		if p.respStatus == 0 && m.wantsReceipt() && len(p.receipts) == 0 {
			return false
		}
	}
	return true
}

func (m *message) timesSeen(partNo int) uint8 {
	if partNo < 1 || partNo > len(m.seen) {
		return 0
	}
	return m.seen[partNo-1]
}

// markSeen counts a part number; a second sighting is a duplicate part.
func (m *message) markSeen(partNo int) {
	if partNo < 1 {
		partNo = 1
	}
	for len(m.seen) < partNo {
		m.seen = append(m.seen, 0)
	}
	switch m.seen[partNo-1] {
	case 0:
		m.distinct++
	default:
		m.dupParts++
	}
	if m.seen[partNo-1] < 255 {
		m.seen[partNo-1]++
	}
}

// wantsReceipt reports whether the submitter asked for a final receipt.
func (m *message) wantsReceipt() bool { return m.registered&0x03 != 0 }

// partKey groups the parts of one concatenated message (ref §10): the
// bind, addresses, method, reference and total.
type partKey struct {
	bind     string
	src, dst string
	method   string
	ref      uint16
	total    uint8
}

// correlator links submits, responses and receipts. Receipts may arrive on
// any connection, before the response, and with the id in another form.
// Memory stays bounded: a message is emitted (queued in ready for the
// analyzer) and forgotten as soon as it is complete (every part answered
// and, when asked for, receipted), or when it is older than the horizon in
// capture time, or when more than maxLive messages wait; receipts waiting
// for their response expire the same way.
type correlator struct {
	// live lists the messages submitted since the oldest still waiting, in
	// submit order: item i has order c.order+1-live.Len()+i (see
	// liveIndex), and is nil once emitted (retire clears it). Dropping
	// emitted entries off the front thus reads no message, which is long
	// out of cache.
	live     fifo[*message]
	free     []*message // emitted messages nothing refers to, for reuse (see recycle)
	liveN    int
	groups   map[partKey]*message
	ids      idIndex
	early    map[string][]*earlyReceipt // receipts waiting for their response, under each lookup key
	earlyQ   []*earlyReceipt            // the same, in arrival order
	earlyN   int
	recent   recentIDs  // ids of messages already emitted, to tell duplicate receipts from orphans
	ready    []*message // emitted messages, for the analyzer to write and recycle
	horizon  time.Duration
	maxLive  int
	maxEarly int
	order    uint64
	keepText bool // message records will be written: keep each part's text

	orphans     int64 // final receipts matching no submit
	duplicates  int64 // final receipts for messages already complete
	late        int64 // final receipts for messages written out without them (timeout, table limit)
	unsolicited int64 // final receipts for messages that asked for none
	expired     int64 // messages given up after the horizon
	evicted     int64 // messages given up because too many waited
}

// earlyReceipt is a receipt that arrived before any response carried its id.
type earlyReceipt struct {
	id    string
	keys  []string
	hit   receiptHit
	final bool
	done  bool // attached or expired
}

// correlatorLimits bound the correlator's memory.
type correlatorLimits struct {
	horizon  time.Duration // how long (capture time) a message waits for its receipts
	maxLive  int           // messages waiting at once
	maxEarly int           // receipts waiting for their response
}

func newCorrelator(lim correlatorLimits) *correlator {
	ids := newIDIndex()
	return &correlator{groups: map[partKey]*message{}, ids: ids, early: map[string][]*earlyReceipt{},
		recent: newRecentIDs(1<<16, ids.seed), horizon: lim.horizon, maxLive: lim.maxLive, maxEarly: lim.maxEarly}
}

// isSubmit reports whether the PDU submits a message.
func isSubmit(p *decode.PDU, fromESME bool) bool {
	switch p.ID {
	case decode.SubmitSM, decode.SubmitMulti:
		return true
	case decode.DataSM:
		return fromESME && p.MessageType() == 0
	}
	return false
}

// submit records a submitted PDU and returns its part.
func (c *correlator) submit(p *decode.PDU, m *Meta, systemID string) *msgPart {
	reg, _ := p.Int(decode.FieldRegisteredDelivery)
	seg, segmented := p.Segment()
	segmented = segmented && seg.Total > 1 && seg.Valid()
	// Addresses are kept for message records and needed to group parts;
	// a summary-only run of single-part messages needs neither.
	var src, dst string
	if c.keepText || segmented {
		src = p.Str(decode.FieldSourceAddr)
		dst = p.Str(decode.FieldDestinationAddr)
		if p.ID == decode.SubmitMulti && len(p.Dests) > 0 {
			dst = string(p.Dests[0].Addr)
		}
	}
	var msg *message
	partNo := 1
	if segmented {
		bind := systemID
		if bind == "" {
			bind = "#" + itoa(m.Stream)
		}
		k := partKey{bind: bind, src: src, dst: dst, method: seg.Method, ref: seg.Ref, total: seg.Total}
		msg = c.groups[k]
		if msg != nil && msg.timesSeen(int(seg.Seq)) > 0 && int(msg.distinct) == int(seg.Total) {
			msg = nil // the reference was reused for a new message
		}
		if msg == nil {
			msg = c.newMessage(p, m, systemID, src, dst, uint8(reg))
			msg.total, msg.segMethod, msg.segRef = uint16(seg.Total), seg.Method, seg.Ref
			msg.group, msg.grouped = k, true
			c.groups[k] = msg
		}
		partNo = int(seg.Seq)
	} else {
		msg = c.newMessage(p, m, systemID, src, dst, uint8(reg))
	}
	// The first part lives inside the message: one allocation per
	// single-part message.
	part := &msg.firstPart
	if len(msg.parts) > 0 {
		part = &msgPart{}
	}
	// Cleared, then set field by field: a composite literal is built aside
	// and copied (a part is over 200 bytes). A reused message's first part
	// keeps the array of its receipts.
	receipts := part.receipts[:0]
	*part = msgPart{}
	part.msg, part.partNo, part.stream, part.seq, part.frame = msg, partNo, m.Stream, p.Seq, m.Frame
	part.time, part.receipts = m.Time, receipts
	if c.keepText {
		if tx := p.Text(); !tx.Hex {
			part.text = tx.Text
		}
	}
	msg.markSeen(partNo)
	msg.parts = append(msg.parts, part)
	return part
}

func (c *correlator) newMessage(p *decode.PDU, m *Meta, systemID, src, dst string, reg uint8) *message {
	c.order++
	var msg *message
	if n := len(c.free); n > 0 {
		msg = c.free[n-1]
		c.free[n-1], c.free = nil, c.free[:n-1]
	} else {
		msg = new(message)
	}
	// The first part is left to submit, which overwrites it (keeping the
	// array of its receipts: no one else holds it, see recycle).
	// Cleared, then set field by field, as submit does a part.
	msg.msgHead = msgHead{}
	msg.registered, msg.total, msg.order = reg, 1, c.order
	msg.msgTail = msgTail{}
	msg.command, msg.systemID, msg.src, msg.dst, msg.first = p.Name(), systemID, src, dst, m.Time
	msg.parts, msg.seen = msg.partsBuf[:0], msg.seenBuf[:0]
	c.live.push(msg)
	c.liveN++
	if c.maxLive > 0 && c.liveN > c.maxLive {
		c.evictOldest()
	}
	return msg
}

// response records a submit's response and indexes its message id.
func (c *correlator) response(part *msgPart, p *decode.PDU, m *Meta, latency time.Duration) {
	part.hasResp = true
	part.respStatus = decode.Status(p.Status)
	part.respTime = m.Time
	part.respFrame = m.Frame
	part.respStream = m.Stream
	part.latency = latency
	id := p.Bytes(decode.FieldMessageID)
	if p.Status != 0 || len(id) == 0 {
		c.maybeDone(part.msg)
		return
	}
	part.setID(id)
	part.idHash = c.ids.hash(string(id))
	if part.msg.done {
		// Its message was written out before this response (the table
		// limit): the id goes where retire puts the ids of messages given
		// up, so that its receipt counts as late rather than attach to a
		// record already written, and nothing stays in the index.
		c.recent.addHash(part.idHash, true)
		return
	}
	c.ids.add(string(id), part.idHash, part)
	// Receipts that came before this response wait under the keys of
	// their id, which meet this id's keys exactly when a rule matches.
	if c.earlyN > 0 {
		pid := part.id()
		for _, k := range indexKeys(pid) {
			for _, e := range c.early[k] {
				if e.done {
					continue
				}
				c.dropEarly(e)
				e.hit.rule = decode.MatchMessageID(pid, e.id)
				e.hit.latency = elapsed(e.hit.time, part.time)
				c.attach(part, e.hit, e.final)
			}
		}
	}
	c.maybeDone(part.msg)
}

// receipt matches a delivery receipt, intermediate notification or SME
// acknowledgement to its submit.
func (c *correlator) receipt(p *decode.PDU, m *Meta) {
	idb, stat, errv := receiptID(p)
	// The id as a string that views the PDU's bytes, for the lookups below,
	// which keep nothing of it (an early receipt keeps a copy): a copy of
	// every receipt's id was most of what a run allocated.
	id := unsafe.String(unsafe.SliceData(idb), len(idb))
	final := p.MessageType() == 0x04
	hit := receiptHit{stream: m.Stream, frame: m.Frame, time: m.Time, stat: stat, err: errv, final: final}
	if hit.stat == "" {
		if t, ok := p.TLV(decode.TagMessageState); ok {
			if v, ok := t.Uint(); ok {
				hit.stat = decode.MessageStateName(uint8(v))
			}
		}
	}
	if id == "" {
		if final {
			c.orphans++
		}
		return
	}
	h := c.ids.hash(id)
	if part := c.ids.find(id, h); part != nil {
		hit.rule = decode.MatchExact // what MatchMessageID says of equal ids
		if !part.sameID(id) {
			hit.rule = decode.MatchMessageID(part.id(), id)
		}
		hit.latency = elapsed(m.Time, part.time)
		c.attach(part, hit, final)
		c.maybeDone(part.msg)
		return
	}
	if found, givenUp := c.recent.hasHash(h); found {
		switch {
		case !final:
		case givenUp:
			c.late++
		default:
			c.duplicates++
		}
		return
	}
	// Perhaps the response is still to come (ref §8: receipts may overtake it).
	if c.maxEarly > 0 && c.earlyN >= c.maxEarly {
		c.expireEarly(c.earlyQ[0])
	}
	e := &earlyReceipt{id: strings.Clone(id), keys: lookupKeys(id), hit: hit, final: final}
	for _, k := range e.keys {
		c.early[k] = append(c.early[k], e)
	}
	c.earlyQ = append(c.earlyQ, e)
	c.earlyN++
}

// receiptID returns the message id a receipt refers to, as it lies in the
// PDU (its receipted_message_id TLV, else the id in its text; empty for
// none), and its text's stat and err.
func receiptID(p *decode.PDU) (id []byte, stat, errv string) {
	id, stat, errv, _ = p.ReceiptStatus()
	if t, ok := p.TLV(decode.TagReceiptedMessageID); ok {
		if cs := t.CString(); len(cs) > 0 {
			return cs, stat, errv
		}
	}
	return id, stat, errv
}

// dropEarly takes an early receipt out of the waiting tables.
func (c *correlator) dropEarly(e *earlyReceipt) {
	e.done = true
	c.earlyN--
	for _, k := range e.keys {
		w := c.early[k]
		for i, x := range w {
			if x == e {
				w = append(w[:i], w[i+1:]...)
				break
			}
		}
		if len(w) == 0 {
			delete(c.early, k)
		} else {
			c.early[k] = w
		}
	}
	for len(c.earlyQ) > 0 && c.earlyQ[0].done {
		c.earlyQ[0] = nil
		c.earlyQ = c.earlyQ[1:]
	}
}

// expireEarly gives up on a receipt whose response never came: an orphan.
func (c *correlator) expireEarly(e *earlyReceipt) {
	if e.final {
		c.orphans++
	}
	c.dropEarly(e)
}

func (c *correlator) attach(part *msgPart, hit receiptHit, final bool) {
	if !final {
		part.interim++
		part.notes = append(part.notes, hit)
		return
	}
	if !part.msg.wantsReceipt() {
		c.unsolicited++
	}
	part.receipts = append(part.receipts, hit)
}

// maybeDone emits a message that has nothing more to wait for.
func (c *correlator) maybeDone(m *message) {
	if !m.done && m.complete() {
		c.retire(m)
	}
}

// retire emits a message and forgets it: its ids leave the index (into the
// recent set, so late and duplicate receipts are recognised) and its group
// is closed.
func (c *correlator) retire(m *message) {
	givenUp := !m.complete()
	m.done = true
	m.reusable = true
	c.liveN--
	for _, p := range m.parts {
		m.reusable = m.reusable && p.hasResp
		if p.hasID() {
			c.ids.remove(p.idHash, p)
			c.recent.addHash(p.idHash, givenUp)
		}
	}
	if m.grouped && c.groups[m.group] == m {
		delete(c.groups, m.group)
	}
	c.live.items()[c.liveIndex(m)] = nil
	c.ready = append(c.ready, m)
	c.dropDone()
}

// liveIndex returns the index in live of a message still waiting. Every
// new message is appended with the next order and entries leave only from
// the front, so the orders in live are consecutive and end at c.order.
func (c *correlator) liveIndex(m *message) int {
	return c.live.Len() - 1 - int(c.order-m.order)
}

// dropDone takes the entries of messages no longer waiting off the front
// of live.
func (c *correlator) dropDone() {
	for c.live.Len() > 0 && c.live.items()[0] == nil {
		c.live.pop()
	}
}

// maxFree caps the emitted messages kept for reuse.
const maxFree = 1024

// recycle keeps an emitted message for reuse by newMessage, once its
// record is written, when nothing can refer to it any more: each of its
// parts was answered before it was emitted. An unanswered part may still
// be named by a pending request, and one answered after its message was
// emitted stays filed in the index. Entries of live that name it are
// cleared by then (see live).
func (c *correlator) recycle(m *message) {
	if m.done && m.reusable && len(c.free) < maxFree {
		c.free = append(c.free, m)
	}
}

func (c *correlator) evictOldest() {
	for _, m := range c.live.items() {
		if m != nil {
			c.evicted++
			c.retire(m)
			return
		}
	}
}

// sweep gives up on messages and early receipts older than the horizon.
func (c *correlator) sweep(now time.Time) {
	if c.horizon <= 0 {
		return
	}
	cutoff := now.Add(-c.horizon)
	for c.live.Len() > 0 {
		m := c.live.items()[0]
		if m != nil {
			if !m.first.Before(cutoff) {
				break
			}
			c.expired++
			c.retire(m)
			continue
		}
		c.live.pop()
	}
	for len(c.earlyQ) > 0 && c.earlyQ[0].hit.time.Before(cutoff) {
		c.expireEarly(c.earlyQ[0])
	}
}

// finish emits every message still waiting and counts the receipts that
// never found their submit.
func (c *correlator) finish() {
	for c.live.Len() > 0 {
		if m := c.live.items()[0]; m != nil {
			c.retire(m)
			continue
		}
		c.live.pop()
	}
	for len(c.earlyQ) > 0 {
		c.expireEarly(c.earlyQ[0])
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
