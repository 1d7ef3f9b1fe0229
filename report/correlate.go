package report

import (
	"strconv"
	"time"

	"smppdump.dev/smppdump/decode"
)

// msgPart is one submitted PDU (one part of a possibly multipart message).
type msgPart struct {
	msg        *message
	partNo     int // 1-based part number (1 for single messages)
	stream     int
	seq        uint32
	frame      int
	time       time.Time
	text       string
	hasResp    bool
	respStatus decode.Status
	respTime   time.Time
	respFrame  int
	respStream int
	latency    time.Duration
	messageID  string
	receipts   []receiptHit // final receipts
	interim    int          // intermediate notifications and SME acks
	notes      []receiptHit // those notifications, for --follow
}

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

// message is one submitted short message, its parts grouped.
type message struct {
	order      uint64 // submit order, for output
	command    string
	systemID   string
	src, dst   string
	registered uint8
	total      int        // parts announced (1 for single messages)
	parts      []*msgPart // in arrival order
	seen       []uint8    // per part number (index partNo-1): times seen
	distinct   int        // distinct part numbers seen
	dupParts   int
	segMethod  string
	segRef     uint16
	bindKey    string // the bind stats row the message is filed under
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

// correlator links submits, responses and receipts (issue: message
// correlation). Receipts may arrive on any connection, before the response,
// and with the id in another form; ids are indexed under several keys so
// every rule is one map lookup.
type correlator struct {
	messages    []*message
	groups      map[partKey]*message
	ids         idIndex
	early       map[string][]*earlyReceipt // receipts waiting for their response, under each lookup key
	earlyN      int
	maxEarly    int
	orphans     int64
	unsolicited int64
	order       uint64
}

// earlyReceipt is a receipt that arrived before any response carried its id.
type earlyReceipt struct {
	id    string
	hit   receiptHit
	final bool
	done  bool // attached (it is listed under several keys)
}

func newCorrelator() *correlator {
	return &correlator{groups: map[partKey]*message{}, ids: newIDIndex(),
		early: map[string][]*earlyReceipt{}, maxEarly: 100000}
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
	part := &msgPart{partNo: 1, stream: m.Stream, seq: p.Seq, frame: m.Frame, time: m.Time}
	if tx := p.Text(); !tx.Hex {
		part.text = tx.Text
	}
	src := p.Str(decode.FieldSourceAddr)
	dst := p.Str(decode.FieldDestinationAddr)
	if p.ID == decode.SubmitMulti && len(p.Dests) > 0 {
		dst = string(p.Dests[0].Addr)
	}
	reg, _ := p.Int(decode.FieldRegisteredDelivery)
	var msg *message
	if seg, ok := p.Segment(); ok && seg.Total > 1 && seg.Valid() {
		bind := systemID
		if bind == "" {
			bind = "#" + itoa(m.Stream)
		}
		k := partKey{bind: bind, src: src, dst: dst, method: seg.Method, ref: seg.Ref, total: seg.Total}
		msg = c.groups[k]
		if msg != nil && msg.timesSeen(int(seg.Seq)) > 0 && msg.distinct == int(seg.Total) {
			msg = nil // the reference was reused for a new message
		}
		if msg == nil {
			msg = c.newMessage(p, systemID, src, dst, uint8(reg))
			msg.total, msg.segMethod, msg.segRef = int(seg.Total), seg.Method, seg.Ref
			c.groups[k] = msg
		}
		part.partNo = int(seg.Seq)
	} else {
		msg = c.newMessage(p, systemID, src, dst, uint8(reg))
	}
	msg.markSeen(part.partNo)
	part.msg = msg
	msg.parts = append(msg.parts, part)
	return part
}

func (c *correlator) newMessage(p *decode.PDU, systemID, src, dst string, reg uint8) *message {
	c.order++
	msg := &message{order: c.order, command: p.Name(), systemID: systemID, src: src, dst: dst,
		registered: reg, total: 1}
	c.messages = append(c.messages, msg)
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
	id, _ := p.Get(decode.FieldMessageID)
	if p.Status != 0 || len(id.Bytes) == 0 {
		return
	}
	part.messageID = string(id.Bytes)
	c.ids.add(part.messageID, part)
	// Receipts that came before this response wait under the keys of
	// their id, which meet this id's keys exactly when a rule matches.
	if c.earlyN == 0 {
		return
	}
	for _, k := range indexKeys(part.messageID) {
		waiting, ok := c.early[k]
		if !ok {
			continue
		}
		delete(c.early, k)
		for _, e := range waiting {
			if e.done {
				continue
			}
			e.done = true
			e.hit.rule = decode.MatchMessageID(part.messageID, e.id)
			e.hit.latency = e.hit.time.Sub(part.time)
			c.attach(part, e.hit, e.final)
			c.earlyN--
		}
	}
}

// receipt matches a delivery receipt, intermediate notification or SME
// acknowledgement to its submit.
// It returns the match when the receipt's submit is known already.
func (c *correlator) receipt(p *decode.PDU, m *Meta) *matched {
	id := ""
	if t, ok := p.TLV(decode.TagReceiptedMessageID); ok {
		id = string(t.CString())
	}
	rc, hasText := p.Receipt()
	if id == "" && hasText {
		id = rc.ID
	}
	final := p.MessageType() == 0x04
	hit := receiptHit{stream: m.Stream, frame: m.Frame, time: m.Time, stat: rc.Stat, err: rc.Err, final: final}
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
		return nil
	}
	if part := c.ids.find(id); part != nil {
		hit.rule = decode.MatchMessageID(part.messageID, id)
		hit.latency = m.Time.Sub(part.time)
		c.attach(part, hit, final)
		return &matched{part: part, receiptHit: hit, final: final}
	}
	// Perhaps the response is still to come (ref §8: receipts may overtake it).
	if c.earlyN >= c.maxEarly {
		if final {
			c.orphans++
		}
		return nil
	}
	c.earlyN++
	e := &earlyReceipt{id: id, hit: hit, final: final}
	for _, k := range lookupKeys(id) {
		c.early[k] = append(c.early[k], e)
	}
	return nil
}

// matched is a receipt attached to its part.
type matched struct {
	receiptHit
	part  *msgPart
	final bool
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

// finish counts receipts that never found their submit.
func (c *correlator) finish() {
	for _, waiting := range c.early {
		for _, e := range waiting {
			if !e.done && e.final {
				e.done = true
				c.orphans++
			}
		}
	}
	c.early = map[string][]*earlyReceipt{}
	c.earlyN = 0
}

func itoa(n int) string { return strconv.Itoa(n) }
