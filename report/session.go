package report

import (
	"time"

	"smppdump.dev/smppdump/decode"
)

// bindState is a session state of ref §11.1.
type bindState uint8

const (
	stateUnknown  bindState = iota // the capture started inside the session
	stateOpen                      // connected, not (yet) bound
	stateOutbound                  // outbind received
	stateBoundTX
	stateBoundRX
	stateBoundTRX
	stateUnbound // unbind answered
)

func (s bindState) String() string {
	return [...]string{"unknown", "open", "outbound", "bound_tx", "bound_rx", "bound_trx", "unbound"}[s]
}

// dirIndex maps a direction string to 0 (client to server) or 1.
func dirIndex(dir string) int {
	if dir == "s>c" {
		return 1
	}
	return 0
}

// pending is a request waiting for its response.
type pending struct {
	id    decode.CommandID
	seq   uint32
	time  time.Time
	frame int
	order uint64 // position among this direction's requests, for SES-12
	part  *msgPart
	// bind remembers what a bind request asked for.
	bindSystemID string
}

// session is what the analyzer knows about one connection.
type session struct {
	stream   int
	version  decode.Version // 0 until a bind says
	esmeDir  int            // 0 or 1: which direction the ESME sends; -1 unknown
	state    bindState
	seenAny  bool
	systemID string
	mode     string // "transmitter", "receiver", "transceiver"
	// stats is the bind row the session's PDUs are counted in, filed
	// under statsName (see bindName); it changes when a bind succeeds.
	// Whatever changes bindName's answer sets it to nil, so that the
	// next PDU looks the row up again (comparing the names for every
	// PDU cost more).
	stats     *bindStats
	statsName string
	// esmeNoTLV: the ESME bound as v3.3 or earlier; smscNoTLV: the bind
	// response carried no sc_interface_version. Either way TLVs towards
	// that side are SES-14.
	esmeNoTLV, smscNoTLV bool
	// bindAsked is the system_id of the latest bind request.
	bindAsked string
	// bindChanged is set when a bind succeeded, so the analyzer can record
	// the bind mode.
	bindChanged bool
	pending     [2]pendingTable
	// arrivals lists each direction's tracked requests in the order sent,
	// so a response finds the oldest still outstanding in O(1) amortised
	// (entries answered or replaced are dropped lazily; see oldest).
	arrivals [2]fifo[arrival]
	sent     [2]uint64 // requests sent per direction
	window   [2]int    // peak outstanding requests per direction
	// brief: the session's PDUs are decoded without issue details
	// (decode.Options.Brief), so issues need no detail arguments.
	brief bool
	// counted: the session's stream is in the summary's stream count.
	counted bool
}

func addIssue(p *decode.PDU, sev decode.Severity, code decode.Code, field string, off int, format string, args ...any) {
	p.AddIssue(sev, code, field, off, format, args...)
}

// issueNums is addIssue for a detail made of two numbers. Without details
// (brief) it passes none: boxing them would allocate for nothing.
func (s *session) issueNums(p *decode.PDU, sev decode.Severity, code decode.Code, field string, off int, format string, x, y int64) {
	if s.brief {
		p.AddIssue(sev, code, field, off, "")
		return
	}
	p.AddIssue(sev, code, field, off, format, x, y)
}

func newSession(stream int) *session {
	return &session{stream: stream, esmeDir: -1}
}

// respMatch is what matching a response found.
type respMatch struct {
	req     pending
	ok      bool // req is the request answered
	latency time.Duration
}

// sessionLimits bound the analyzer's memory.
type sessionLimits struct {
	maxPending int           // outstanding requests per direction
	horizon    time.Duration // a request unanswered this long (capture time) is given up
	window     int           // SES-13 threshold
}

// roleOf says which side must send a command (ref §2.2): 1 ESME, 2 SMSC, 0 either.
func roleOf(c *decode.Command) int {
	switch c.By {
	case decode.ByESME:
		return 1
	case decode.BySMSC:
		return 2
	}
	return 0
}

// learnRoles fixes which direction is the ESME from a PDU only one side
// may send, and reports a PDU sent by the wrong side (SES-06).
func (s *session) learnRoles(p *decode.PDU, dir int) {
	if p.Cmd == nil {
		return
	}
	role := roleOf(p.Cmd)
	if role == 0 {
		return
	}
	esmeDir := dir
	if role == 2 {
		esmeDir = 1 - dir
	}
	switch {
	case s.esmeDir < 0:
		s.esmeDir = esmeDir
	case s.esmeDir != esmeDir:
		who := "SMSC"
		if role == 1 {
			who = "ESME"
		}
		addIssue(p, decode.SevError, decode.CodeWrongSender, "command_id", 4, "%s is sent by the %s, but this side sent %s before",
			p.Cmd.Name, who, map[bool]string{true: "ESME PDUs", false: "SMSC PDUs"}[s.esmeDir == dir])
	}
}

// versionFromBind updates the session version (ref §3.8.1): the ESME's
// interface_version, then the lower of it and the SMSC's sc_interface_version.
// The caller tests isBindOrResp: other PDUs leave it as it is.
func (s *session) versionFromBind(p *decode.PDU) {
	s.version = nextVersion(s.version, p)
	switch p.ID {
	case decode.BindTransmitter, decode.BindReceiver, decode.BindTransceiver:
		if v, ok := p.Int(decode.FieldInterfaceVersion); ok {
			s.esmeNoTLV = v < 0x34
		}
	case decode.BindTransmitterResp, decode.BindReceiverResp, decode.BindTransceiverResp:
		if p.Status == 0 {
			_, has := p.TLV(decode.TagSCInterfaceVersion)
			s.smscNoTLV = !has // the ESME should assume the SMSC takes no TLVs (ref §3.8.1)
		}
	}
}

// isBindOrResp reports whether id is a bind (transmitter, receiver or
// transceiver) or the response to one: the PDUs that can change a
// session's version. It is inlined, so other PDUs cost no call.
func isBindOrResp(id decode.CommandID) bool {
	switch id &^ decode.RespBit {
	case decode.BindTransmitter, decode.BindReceiver, decode.BindTransceiver:
		return true
	}
	return false
}

// nextVersion is the session version after p, given cur before it: a
// bind's interface_version, then the lower of it and the bind response's
// sc_interface_version. StreamDecoder follows it too, so that decoding
// ahead of the analyzer applies the same version. Only binds and their
// responses change it: callers test isBindOrResp first.
func nextVersion(cur decode.Version, p *decode.PDU) decode.Version {
	switch p.ID {
	case decode.BindTransmitter, decode.BindReceiver, decode.BindTransceiver:
		if v, ok := p.Int(decode.FieldInterfaceVersion); ok {
			return decode.Version(v).Normalize()
		}
	case decode.BindTransmitterResp, decode.BindReceiverResp, decode.BindTransceiverResp:
		if t, ok := p.TLV(decode.TagSCInterfaceVersion); ok && len(t.Value) == 1 {
			if sc := decode.Version(t.Value[0]).Normalize(); cur == 0 || sc < cur {
				return sc
			}
		}
	}
	return cur
}

// checkTLVPeer raises SES-14 on a PDU carrying TLVs to a peer that said,
// by its bind, that it does not take them.
func (s *session) checkTLVPeer(p *decode.PDU, fromESME bool) {
	if len(p.TLVs) == 0 || s.esmeDir < 0 {
		return
	}
	switch {
	case fromESME && s.smscNoTLV:
		addIssue(p, decode.SevWarning, decode.CodeTLVToV33, "", p.TLVs[0].Off, "TLVs sent to an SMSC whose bind response had no sc_interface_version")
	case !fromESME && s.esmeNoTLV:
		addIssue(p, decode.SevWarning, decode.CodeTLVToV33, "", p.TLVs[0].Off, "TLVs sent to an ESME that bound as SMPP 3.3")
	}
}

// request checks a request against the session state and remembers it,
// with the message part it submits and the system_id a bind asks for. It
// reports whether the request is tracked (false for outbind and
// alert_notification, which get no response, and beyond lim.maxPending).
func (s *session) request(p *decode.PDU, m *Meta, dir int, lim sessionLimits, part *msgPart, bindID string) bool {
	s.checkState(p, dir)
	if p.Cmd != nil && p.Cmd.NoResponse {
		if p.ID == decode.Outbind && (s.state == stateOpen || s.state == stateUnknown) {
			s.state = stateOutbound
		}
		return false
	}
	tab := &s.pending[dir]
	if tab.has(p.Seq) {
		old, _ := tab.get(p.Seq)
		addIssue(p, decode.SevWarning, decode.CodeDuplicateSeq, "sequence_number", 12,
			"sequence_number %d is already outstanding (%s, frame %d)", p.Seq, decode.CommandName(old.id), old.frame)
	}
	if tab.Len() >= lim.maxPending {
		return false // counted by the caller as an eviction
	}
	s.sent[dir]++
	tab.set(&pending{id: p.ID, seq: p.Seq, time: m.Time, frame: m.Frame, order: s.sent[dir], part: part, bindSystemID: bindID})
	q := &s.arrivals[dir]
	q.push(arrival{order: s.sent[dir], seq: p.Seq})
	if q.Len() > 2*tab.Len()+64 {
		q.keep(func(a arrival) bool { return s.outstanding(dir, a) })
	}
	n := tab.Len()
	if n > s.window[dir] {
		s.window[dir] = n
	}
	// Raised when the window crosses the threshold, not on every request
	// while it stays above: one issue per excursion.
	if n == lim.window+1 {
		s.issueNums(p, decode.SevInfo, decode.CodeWindowExceeded, "", 0, "%d requests outstanding in this direction (guideline %d)", int64(n), int64(lim.window))
	}
	return true
}

// arrival is a tracked request's place in its direction's sending order.
type arrival struct {
	order uint64
	seq   uint32
}

// outstanding reports whether a is still waiting for its response.
func (s *session) outstanding(dir int, a arrival) bool {
	pr, ok := s.pending[dir].get(a.seq)
	return ok && pr.order == a.order
}

// oldest returns the place and frame of the earliest-sent request of dir
// still outstanding. (Not the request: a response needs only these, and a
// copy of the request per response cost more than the test.)
func (s *session) oldest(dir int) (a arrival, frame int, ok bool) {
	q := &s.arrivals[dir]
	tab := &s.pending[dir]
	for q.Len() > 0 {
		a := q.items()[0]
		if pr := tab.inRing(a.seq); pr != nil && pr.order == a.order {
			return a, pr.frame, true
		}
		if len(tab.over) > 0 {
			if pr, ok := tab.over[a.seq]; ok && pr.order == a.order {
				return a, pr.frame, true
			}
		}
		q.pop()
	}
	return arrival{}, 0, false
}

// response matches a response with the request it answers (ref §12.2),
// into *rm (zero on entry; left so when none is outstanding).
func (s *session) response(p *decode.PDU, m *Meta, dir int, rm *respMatch) {
	tab := &s.pending[1-dir]
	var ok bool
	if rm.req, ok = tab.take(p.Seq); !ok {
		if p.Cmd == nil || p.ID != decode.GenericNack || p.Seq != 0 {
			addIssue(p, decode.SevError, decode.CodeNoMatchingReq, "sequence_number", 12,
				"no outstanding request with sequence_number %d from the other side", p.Seq)
		}
		return
	}
	req := &rm.req
	if p.ID != decode.GenericNack && req.id|decode.RespBit != p.ID {
		addIssue(p, decode.SevError, decode.CodeRespIDMismatch, "command_id", 4,
			"answers %s (frame %d) with %s", decode.CommandName(req.id), req.frame, p.Name())
	}
	if first, frame, ok := s.oldest(1 - dir); ok && first.order < req.order {
		s.issueNums(p, decode.SevInfo, decode.CodeOutOfOrderResp, "sequence_number", 12,
			"answered before the earlier request %d (frame %d)", int64(first.seq), int64(frame))
	}
	s.afterResponse(p, req)
	rm.ok, rm.latency = true, elapsed(m.Time, req.time)
}

// afterResponse moves the state machine on answered binds and unbinds.
func (s *session) afterResponse(p *decode.PDU, req *pending) {
	ok := p.Status == 0 && p.ID != decode.GenericNack
	switch req.id {
	case decode.BindTransmitter, decode.BindReceiver, decode.BindTransceiver:
		if !ok {
			if s.state == stateUnknown {
				s.state = stateOpen
			}
			return
		}
		s.systemID, s.stats = req.bindSystemID, nil
		s.bindChanged = true
		switch req.id {
		case decode.BindTransmitter:
			s.state, s.mode = stateBoundTX, "transmitter"
		case decode.BindReceiver:
			s.state, s.mode = stateBoundRX, "receiver"
		default:
			s.state, s.mode = stateBoundTRX, "transceiver"
		}
	case decode.Unbind:
		s.state = stateUnbound
	case decode.EnquireLink:
		if p.Status != 0 && p.ID == decode.EnquireLinkResp {
			addIssue(p, decode.SevWarning, decode.CodeEnquireStatus, "command_status", 8, "enquire_link_resp with %s", decode.Status(p.Status))
		}
	}
}

// checkState applies ref §11.3 to a request (SES-07…SES-11).
func (s *session) checkState(p *decode.PDU, dir int) {
	if p.Cmd == nil {
		return
	}
	isBind := p.ID == decode.BindTransmitter || p.ID == decode.BindReceiver || p.ID == decode.BindTransceiver
	if !s.seenAny {
		s.seenAny = true
		if isBind || p.ID == decode.Outbind {
			s.state = stateOpen
		}
	}
	switch s.state {
	case stateUnknown:
		return
	case stateUnbound:
		addIssue(p, decode.SevWarning, decode.CodeAfterUnbind, "command_id", 4, "%s after the session was unbound", p.Cmd.Name)
		return
	}
	bound := s.state == stateBoundTX || s.state == stateBoundRX || s.state == stateBoundTRX
	switch {
	case isBind:
		if bound {
			addIssue(p, decode.SevWarning, decode.CodeAlreadyBound, "command_id", 4, "bind on a session already %s", s.state)
		}
	case p.ID == decode.EnquireLink:
		if !bound && s.version != decode.V50 {
			addIssue(p, decode.SevInfo, decode.CodeUnboundKeepalive, "command_id", 4, "enquire_link before bind (legal only in SMPP 5.0)")
		}
	case p.ID == decode.Outbind:
	case p.ID == decode.Unbind:
		if !bound {
			addIssue(p, decode.SevError, decode.CodeWrongState, "command_id", 4, "unbind while %s", s.state)
		}
	default:
		if !bound {
			addIssue(p, decode.SevError, decode.CodeWrongState, "command_id", 4, "%s while %s (peer should answer ESME_RINVBNDSTS)", p.Cmd.Name, s.state)
			return
		}
		s.checkBoundMode(p, dir)
	}
}

// checkBoundMode checks a request against the bind mode (ref §11.3).
func (s *session) checkBoundMode(p *decode.PDU, dir int) {
	fromESME := s.esmeDir == dir
	var allowed bool
	switch p.ID {
	case decode.SubmitSM, decode.SubmitMulti, decode.QuerySM, decode.CancelSM, decode.ReplaceSM,
		decode.BroadcastSM, decode.QueryBroadcastSM, decode.CancelBroadcastSM:
		allowed = s.state != stateBoundRX
		if allowed && p.ID == decode.ReplaceSM && s.state == stateBoundTRX && s.version == decode.V34 {
			addIssue(p, decode.SevInfo, decode.CodeReplaceOnTRX, "command_id", 4, "replace_sm on a transceiver: v3.4's table lists BOUND_TX only")
		}
	case decode.DeliverSM, decode.AlertNotification:
		allowed = s.state != stateBoundTX
	case decode.DataSM:
		allowed = s.version != decode.V50 || s.state == stateBoundTRX ||
			(s.state == stateBoundTX && fromESME) || (s.state == stateBoundRX && !fromESME)
	default:
		allowed = true
	}
	if !allowed {
		addIssue(p, decode.SevError, decode.CodeWrongState, "command_id", 4, "%s on a session bound as %s", p.Cmd.Name, s.mode)
	}
}
