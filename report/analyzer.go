package report

import (
	"sort"
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
	counts      counters
	pdu         decode.PDU // reused for every PDU
	rec         PDURecord
	sinceSweep  int
	now         time.Time // capture time of the latest PDU
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

// NewAnalyzer returns an Analyzer writing to w.
func NewAnalyzer(w Writer, opts ...AnalyzerOption) *Analyzer {
	a := &Analyzer{w: w, sessions: map[int]*session{}, counts: newCounters(),
		limits: sessionLimits{maxPending: 100000, horizon: 5 * time.Minute, window: 10}}
	for _, fn := range opts {
		fn(a)
	}
	return a
}

var maskedPassword = []byte("********")

// sweepEvery is how many PDUs pass between sweeps for timed-out requests.
const sweepEvery = 8192

// PDU decodes raw (one whole PDU) seen at m and writes it. raw and the
// decoded PDU are only used until PDU returns.
func (a *Analyzer) PDU(m Meta, raw []byte) error {
	s := a.sessions[m.Stream]
	if s == nil {
		s = newSession(m.Stream)
		a.sessions[m.Stream] = s
	}
	p := &a.pdu
	p.Decode(raw, decode.Options{Version: s.version, MaxPDU: a.maxPDU})
	a.rec = PDURecord{Meta: m, PDU: p}
	dir := dirIndex(m.Dir)
	if p.Cmd != nil {
		s.learnRoles(p, dir)
		if p.ID.IsResponse() {
			if rm := s.response(p, &m, dir); rm.req != nil {
				a.rec.Latency, a.rec.HasLatency, a.rec.ReqFrame = rm.latency, true, rm.req.frame
			}
		} else if pr := s.request(p, &m, dir, a.limits); pr != nil {
			if p.ID == decode.BindTransmitter || p.ID == decode.BindReceiver || p.ID == decode.BindTransceiver {
				pr.bindSystemID = p.Str(decode.FieldSystemID)
			}
		} else if !p.Cmd.NoResponse {
			a.counts.evicted++
		}
		s.versionFromBind(p)
	}
	if !a.showSecrets && (p.ID == decode.BindTransmitter || p.ID == decode.BindReceiver ||
		p.ID == decode.BindTransceiver || p.ID == decode.Outbind) {
		if i := p.Cmd.Field(decode.FieldPassword); i >= 0 && i < len(p.Values) && len(p.Values[i].Bytes) > 0 {
			p.Values[i].Bytes = maskedPassword
		}
	}
	a.counts.add(&a.rec)
	if m.Time.After(a.now) {
		a.now = m.Time
	}
	if a.sinceSweep++; a.sinceSweep >= sweepEvery {
		a.sinceSweep = 0
		a.sweep(a.now.Add(-a.limits.horizon))
	}
	return a.w.PDU(&a.rec)
}

// sweep gives up on requests older than cutoff: they count as unanswered.
func (a *Analyzer) sweep(cutoff time.Time) {
	for _, s := range a.sessions {
		for _, tab := range s.pending {
			for seq, pr := range tab {
				if !cutoff.IsZero() && pr.time.Before(cutoff) {
					a.counts.unanswered(pr)
					delete(tab, seq)
				}
			}
		}
	}
}

// Gap writes a gap record and counts it.
func (a *Analyzer) Gap(g GapRecord) error {
	a.counts.gaps++
	if g.Bytes > 0 {
		a.counts.gapBytes += g.Bytes
	}
	return a.w.Gap(&g)
}

// Finish counts the requests still unanswered (SES-04), writes the summary
// with the capture counters given, and closes the writer.
func (a *Analyzer) Finish(capture []Counter) error {
	ids := make([]int, 0, len(a.sessions))
	for id := range a.sessions {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, id := range ids {
		for _, tab := range a.sessions[id].pending {
			for _, pr := range tab {
				a.counts.unanswered(pr)
			}
		}
	}
	err := a.w.Summary(a.counts.summary(capture))
	if cerr := a.w.Close(); err == nil {
		err = cerr
	}
	return err
}
