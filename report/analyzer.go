package report

import (
	"time"

	"smppdump.dev/smppdump/decode"
)

// Analyzer decodes framed PDUs with the version of their session, follows
// each session (roles, bind state, outstanding requests), masks secrets,
// counts, and hands each record to a Writer.
type Analyzer struct {
	w           Writer
	showSecrets bool
	maxPDU      uint32
	limits      sessionLimits
	sessions    map[int]*session
	byStream    []*session // sessions[i] for the stream numbers below maxStreamIndex, nil where none
	counts      counters
	corr        *correlator
	corrLimit   correlatorLimits
	werr        error // first error writing a message record
	noMessages  bool  // the writer does not print message records
	brief       bool  // issue details are never shown: do not format them
	obs         Observer
	observed    bool // obs is not the no-op: per-PDU events and their arguments are built only then
	selected    bool // the last PDU passed the filter
	iv          *intervals
	binds       bindTable
	pdu         decode.PDU // reused for every PDU
	rec         PDURecord
	filter      Filter
	filtering   bool // filter.active(), fixed when the analyzer is made
	targets     []string
	sinceSweep  int
	now         time.Time // capture time of the latest PDU
	warm        warmer
}

// AnalyzerOption configures an Analyzer.
type AnalyzerOption func(*Analyzer)

// ShowSecrets leaves bind and outbind passwords visible.
func ShowSecrets(on bool) AnalyzerOption { return func(a *Analyzer) { a.showSecrets = on } }

// MaxPDU sets the largest plausible command_length (0 = decode.DefaultMaxPDU).
func MaxPDU(n uint32) AnalyzerOption { return func(a *Analyzer) { a.maxPDU = n } }

// ResponseTimeout sets how long (in capture time) a request may wait for its
// response before it counts as unanswered and is forgotten (default 5m).
func ResponseTimeout(d time.Duration) AnalyzerOption {
	return func(a *Analyzer) {
		if d > 0 {
			a.limits.horizon = d
		}
	}
}

// MaxPending caps outstanding requests remembered per connection and
// direction (default 100000); requests beyond it are counted, not matched.
func MaxPending(n int) AnalyzerOption {
	return func(a *Analyzer) {
		if n > 0 {
			a.limits.maxPending = n
		}
	}
}

// Window sets the outstanding-request count above which SES-13 is raised
// (default 10, the v3.4 guideline).
func Window(n int) AnalyzerOption {
	return func(a *Analyzer) {
		if n > 0 {
			a.limits.window = n
		}
	}
}

// WithFilter selects the PDU records written; analysis still sees every PDU.
func WithFilter(f Filter) AnalyzerOption { return func(a *Analyzer) { a.filter = f } }

// Follow keeps, among the message records, only those whose message id (any
// part, any form) or source or destination address is one of targets.
func Follow(targets []string) AnalyzerOption { return func(a *Analyzer) { a.targets = targets } }

// ReceiptTimeout sets how long (capture time) a message waits for its
// receipts before its record is written without them (default 6h).
func ReceiptTimeout(d time.Duration) AnalyzerOption {
	return func(a *Analyzer) {
		if d > 0 {
			a.corrLimit.horizon = d
		}
	}
}

// MaxMessages caps the messages waiting for responses or receipts (default
// 1,000,000); beyond it the oldest is written out early and counted.
func MaxMessages(n int) AnalyzerOption {
	return func(a *Analyzer) {
		if n > 0 {
			a.corrLimit.maxLive = n
		}
	}
}

// WithoutMessageRecords tells the analyzer that message records will not be
// printed (text and summary-only views), so it skips building them.
func WithoutMessageRecords() AnalyzerOption { return func(a *Analyzer) { a.noMessages = true } }

// WithoutIssueDetails tells the analyzer that no issue's detail text will
// be shown (summary-only output counts issues by code), so decoding and
// the session checks skip formatting it.
func WithoutIssueDetails() AnalyzerOption { return func(a *Analyzer) { a.brief = true } }

// NewAnalyzer returns an Analyzer writing to w.
func NewAnalyzer(w Writer, opts ...AnalyzerOption) *Analyzer {
	a := &Analyzer{w: w, sessions: map[int]*session{}, counts: newCounters(), binds: newBindTable(),
		limits:    sessionLimits{maxPending: 100000, horizon: 5 * time.Minute, window: 10},
		corrLimit: correlatorLimits{horizon: 6 * time.Hour, maxLive: 1000000, maxEarly: 100000}}
	for _, fn := range opts {
		fn(a)
	}
	a.filtering = a.filter.active()
	a.SetObserver(a.obs)
	a.corr = newCorrelator(a.corrLimit)
	a.corr.keepText = !a.noMessages
	return a
}

var maskedPassword = []byte("********")

// sweepEvery is how many PDUs pass between sweeps for timed-out requests.
const sweepEvery = 8192

// PDU decodes raw (one whole PDU) seen at m and writes it. raw and the
// decoded PDU are only used until PDU returns.
func (a *Analyzer) PDU(m Meta, raw []byte) error {
	s := a.session(m.Stream)
	a.pdu.Decode(raw, a.decodeOptions(s.version))
	return a.decoded(s, &m, &a.pdu)
}

// Decoded analyses and writes p, decoded from the PDU seen at *m by the
// analyzer's StreamDecoder (on another goroutine, ahead of the analysis).
// m and p are only used until Decoded returns; m is read, not changed, and
// p's issues list grows. (m is a pointer because a Meta is 144 bytes, and
// copying it for the call cost more than the rest of the call.)
func (a *Analyzer) Decoded(m *Meta, p *decode.PDU) error {
	return a.decoded(a.session(m.Stream), m, p)
}

// maxStreamIndex bounds byStream: streams are numbered 0, 1, 2, ... in
// order of first sight, and a slice finds them cheaper than the map,
// which holds them all (and any other number).
const maxStreamIndex = 1 << 16

func (a *Analyzer) session(stream int) *session {
	if stream >= 0 && stream < len(a.byStream) && a.byStream[stream] != nil {
		return a.byStream[stream]
	}
	s := a.sessions[stream]
	if s == nil {
		s = newSession(stream)
		s.brief = a.brief
		a.sessions[stream] = s
	}
	if stream >= 0 && stream < maxStreamIndex {
		if stream >= len(a.byStream) {
			a.byStream = append(a.byStream, make([]*session, stream+1-len(a.byStream))...)
		}
		a.byStream[stream] = s
	}
	return s
}

func (a *Analyzer) decodeOptions(v decode.Version) decode.Options {
	return decode.Options{Version: v, MaxPDU: a.maxPDU, Brief: a.brief}
}

func (a *Analyzer) decoded(s *session, meta *Meta, p *decode.PDU) error {
	if a.iv != nil {
		if err := a.intervalTick(meta.Time); err != nil {
			return err
		}
	}
	// Every field of PDURecord, one by one: a composite literal is built
	// in a temporary and copied again (176 bytes, for every PDU). The rest
	// reads the record's Meta.
	a.rec.Meta = *meta
	a.rec.PDU = p
	a.rec.Latency, a.rec.HasLatency, a.rec.ReqFrame = 0, false, 0
	m := &a.rec.Meta
	dir := dirIndex(m.Dir)
	var rm respMatch
	if p.Cmd != nil {
		a.follow(s, p, m, dir, &rm)
	}
	// A PDU whose header did not decode has no command, whatever its id.
	if !a.showSecrets && p.Cmd != nil && (p.ID == decode.BindTransmitter || p.ID == decode.BindReceiver ||
		p.ID == decode.BindTransceiver || p.ID == decode.Outbind) {
		if i := p.Cmd.Field(decode.FieldPassword); i >= 0 && i < len(p.Values) && len(p.Values[i].Bytes) > 0 {
			p.Values[i].Bytes = maskedPassword
		}
	}
	a.counts.add(p)
	if !s.counted {
		// A session is one stream: its number is counted once.
		s.counted = true
		a.counts.streams.add(m.Stream)
	}
	// The bind's name is only needed by the observer, the intervals and
	// the filter; a plain run has none of them.
	var bind string
	if a.observed || a.iv != nil || a.filtering {
		bind = bindName(s)
	}
	if a.observed {
		a.obs.PDU(bind, p.Name(), decode.Status(p.Status), p.ID.IsResponse())
	}
	if a.iv != nil {
		a.intervalCount(bind, p, &rm, max(s.pending[0].Len(), s.pending[1].Len()))
	}
	if a.observed {
		for _, is := range p.Issues {
			a.obs.Issue(is.Code, is.Severity)
		}
	}
	if m.Time.After(a.now) {
		a.now = m.Time
	}
	if a.sinceSweep++; a.sinceSweep >= sweepEvery {
		a.sinceSweep = 0
		a.sweep(a.now.Add(-a.limits.horizon))
		a.corr.sweep(a.now)
	}
	a.selected = !a.filtering || a.filter.match(&a.rec, bind)
	if a.selected {
		if err := a.w.PDU(&a.rec); err != nil {
			return err
		}
	}
	if len(a.corr.ready) > 0 {
		a.flushMessages()
	}
	return a.werr
}

// flushMessages writes the records of the messages that just finished.
func (a *Analyzer) flushMessages() {
	// The messages were emitted while the PDU that finished them was
	// analysed; their records go after that PDU's.
	ready := a.corr.ready
	for i, m := range ready {
		a.emitMessage(m)
		a.corr.recycle(m)
		ready[i] = nil
	}
	a.corr.ready = ready[:0]
}

// Selected reports whether the last PDU given to PDU passed the filter.
func (a *Analyzer) Selected() bool { return a.selected }

// Writer returns the analyzer's writer.
func (a *Analyzer) Writer() Writer { return a.w }

// WorstSeverity returns the highest severity of any issue found so far
// (SES-04 for unanswered requests is counted by Finish).
func (a *Analyzer) WorstSeverity() decode.Severity {
	var worst decode.Severity
	for _, ic := range a.counts.issues {
		worst = max(worst, ic.Severity)
	}
	return worst
}

// follow runs one PDU through its session, the message correlation and
// the bind statistics; a response's match goes to *rm (given zero).
func (a *Analyzer) follow(s *session, p *decode.PDU, m *Meta, dir int, rm *respMatch) {
	s.learnRoles(p, dir)
	if p.ID == decode.BindTransmitter || p.ID == decode.BindReceiver || p.ID == decode.BindTransceiver {
		s.bindAsked, s.stats = p.Str(decode.FieldSystemID), nil
	}
	if s.stats == nil {
		s.statsName = bindName(s)
		s.stats = a.binds.get(s.statsName)
		s.stats.streams[m.Stream] = true
	}
	b := s.stats
	b.pdu(m.Time)
	fromESME := s.esmeDir == dir || (s.esmeDir < 0 && dir == 0)
	s.checkTLVPeer(p, fromESME)
	if p.ID.IsResponse() {
		s.response(p, m, dir, rm)
		if rm.ok {
			a.rec.Latency, a.rec.HasLatency, a.rec.ReqFrame = rm.latency, true, rm.req.frame
			if a.observed {
				a.obs.Response(bindName(s), decode.CommandName(rm.req.id), decode.Status(p.Status), rm.latency)
				a.obs.Window(bindName(s), m.Stream, s.pending[1-dir].Len())
			}
			if part := rm.req.part; part != nil {
				a.corr.response(part, p, m, rm.latency)
				pb := part.msg.bind
				lat := newLatencySample(rm.latency)
				pb.resp.addSample(&lat)
				a.binds.resp.addSample(&lat)
				if p.Status == 0 && p.ID != decode.GenericNack {
					pb.accepted++
				} else {
					pb.errors[decode.Status(p.Status)]++
				}
			}
		}
		if s.bindChanged {
			s.bindChanged = false
			a.binds.get(bindName(s)).modes[s.mode] = true
		}
	} else {
		var part *msgPart
		bindID := ""
		switch {
		case p.ID == decode.BindTransmitter || p.ID == decode.BindReceiver || p.ID == decode.BindTransceiver:
			bindID = p.Str(decode.FieldSystemID)
		case isSubmit(p, fromESME):
			part = a.corr.submit(p, m, s.systemID)
			part.msg.bind = b // b is the row filed under s.statsName
			b.submits++
		case p.ID == decode.DeliverSM || p.ID == decode.DataSM:
			if t := p.MessageType(); t != 0 {
				a.corr.receipt(p, m)
			}
		}
		tracked := s.request(p, m, dir, a.limits, part, bindID)
		if !tracked && !p.Cmd.NoResponse {
			a.counts.evicted++
		}
		for i := range s.window {
			b.window = max(b.window, s.window[i])
		}
		if tracked {
			if a.observed {
				a.obs.Window(bindName(s), m.Stream, s.pending[dir].Len())
			}
			b.windowSum += int64(s.pending[dir].Len())
			b.windowN++
		}
	}
	if isBindOrResp(p.ID) {
		s.versionFromBind(p)
	}
}

// sweep gives up on requests older than cutoff: they count as unanswered.
func (a *Analyzer) sweep(cutoff time.Time) {
	if cutoff.IsZero() {
		return
	}
	drop := func(pr pending) bool {
		if !pr.time.Before(cutoff) {
			return false
		}
		a.counts.unanswered()
		a.obs.Issue(decode.CodeUnanswered, decode.SevWarning)
		return true
	}
	for _, s := range a.sessions {
		for i := range s.pending {
			s.pending[i].prune(drop)
		}
	}
}

// Gap writes a gap record and counts it.
func (a *Analyzer) Gap(g GapRecord) error {
	a.counts.gaps++
	a.obs.Gap(g.Bytes)
	switch {
	case g.Bytes > 0:
		a.counts.gapBytes += g.Bytes
	case g.Bytes < 0:
		a.counts.midStream++
	}
	if a.filter.active() {
		f := a.filter
		f.Streams = nil
		if f.active() || (a.filter.Streams != nil && !a.filter.Streams[g.Stream]) {
			return nil // gaps belong to no command, status or message
		}
	}
	return a.w.Gap(&g)
}

// Finish counts the requests still unanswered (SES-04), writes the summary
// with the capture counters given, and closes the writer.
func (a *Analyzer) Finish(capture []Counter) error {
	for _, s := range a.sessions {
		for i := range s.pending {
			for range s.pending[i].Len() {
				a.counts.unanswered()
				a.obs.Issue(decode.CodeUnanswered, decode.SevWarning)
			}
		}
	}
	a.corr.finish()
	a.flushMessages()
	err := a.werr
	if a.iv != nil && len(a.iv.binds) > 0 && err == nil {
		if iw, ok := a.w.(IntervalWriter); ok {
			err = iw.Interval(a.iv.cut(a.now))
		}
	}
	sum := a.counts.summary(capture)
	a.fillSummary(sum)
	if err == nil {
		err = a.w.Summary(sum)
	}
	if cerr := a.w.Close(); err == nil {
		err = cerr
	}
	return err
}

// emitMessage folds a finished message into the bind statistics and
// writes its record.
func (a *Analyzer) emitMessage(m *message) {
	b := m.bind
	for _, p := range m.parts {
		for _, h := range p.receipts {
			lat := newLatencySample(h.latency)
			b.dlr.addSample(&lat)
			a.binds.dlr.addSample(&lat)
			b.outcomes.add(newOutcomeKey(h.stat, h.err))
			a.counts.receiptsMatched++
			if a.observed {
				a.obs.Receipt(b.systemID, h.stat, h.latency)
			}
			a.intervalReceipt(b.systemID, h.stat)
		}
	}
	a.counts.messages++
	if m.missingReceipt() {
		a.counts.receiptsMissing++
	}
	if a.werr != nil || a.noMessages {
		return
	}
	r := m.record()
	if a.targets != nil && !followed(&r, a.targets) {
		return
	}
	if a.targets == nil && a.filter.active() && !a.filter.matchMessage(&r) {
		return
	}
	a.werr = a.w.Message(&r)
}

// fillSummary adds the correlation figures: receipts matched, orphaned and
// missing, latencies, and the per-bind rows.
func (a *Analyzer) fillSummary(sum *Summary) {
	sum.Messages = a.counts.messages
	sum.ReceiptsMatched = a.counts.receiptsMatched
	sum.ReceiptsMissing = a.counts.receiptsMissing
	sum.ReceiptsOrphan = a.corr.orphans
	sum.ReceiptsDuplicate = a.corr.duplicates
	sum.ReceiptsLate = a.corr.late
	sum.ReceiptsUnsolicited = a.corr.unsolicited
	sum.MessagesExpired = a.corr.expired
	sum.MessagesEvicted = a.corr.evicted
	sum.RespLatency = summarize(&a.binds.resp)
	sum.ReceiptLatency = summarize(&a.binds.dlr)
	sum.Binds = a.binds.rowsSorted()
}

// followed reports whether a message is one of the --follow targets.
func followed(r *MessageRecord, targets []string) bool {
	for _, t := range targets {
		if normAddr(t) == normAddr(r.SourceAddr) || normAddr(t) == normAddr(r.DestAddr) {
			return true
		}
		for _, id := range r.MessageIDs {
			if id != "" && decode.SameMessageID(t, id) {
				return true
			}
		}
	}
	return false
}
