package report

import (
	"sort"
	"time"

	"smppdump.dev/smppdump/decode"
)

// IntervalRecord is one bind's figures over one reporting interval (live
// monitoring with --interval).
type IntervalRecord struct {
	Start, End time.Time
	Binds      []IntervalBind
}

// IntervalBind is a bind's line of an interval.
type IntervalBind struct {
	SystemID  string
	PDUs      int64
	Submits   int64
	Accepted  int64
	Errors    int64 // submit responses with a non-zero status
	Throttled int64 // of which ESME_RTHROTTLED
	TPS       float64
	RespP50   time.Duration
	RespP99   time.Duration
	Receipts  map[string]int64 // stat → count
	Window    int              // peak outstanding requests on one connection
}

// intervalBind accumulates one bind's interval.
type intervalBind struct {
	pdus, submits, accepted, errors, throttled int64
	resp                                       latencyHist
	receipts                                   map[string]int64
	window                                     int
}

// intervals cuts the capture into fixed slices of capture time.
type intervals struct {
	every time.Duration
	start time.Time
	binds map[string]*intervalBind
}

func (iv *intervals) bind(name string) *intervalBind {
	b := iv.binds[name]
	if b == nil {
		b = &intervalBind{receipts: map[string]int64{}}
		iv.binds[name] = b
	}
	return b
}

// due reports whether now closes the current interval.
func (iv *intervals) due(now time.Time) bool {
	if iv.start.IsZero() {
		iv.start = now.Truncate(iv.every)
		return false
	}
	return !now.Before(iv.start.Add(iv.every))
}

// cut returns the closed interval's record and starts the next one at the
// slice that holds now.
func (iv *intervals) cut(now time.Time) *IntervalRecord {
	end := iv.start.Add(iv.every)
	r := &IntervalRecord{Start: iv.start, End: end}
	for name, b := range iv.binds {
		r.Binds = append(r.Binds, IntervalBind{SystemID: name, PDUs: b.pdus, Submits: b.submits, Accepted: b.accepted,
			Errors: b.errors, Throttled: b.throttled, TPS: float64(b.pdus) / iv.every.Seconds(),
			RespP50: b.resp.quantile(0.5), RespP99: b.resp.quantile(0.99), Receipts: b.receipts, Window: b.window})
	}
	sort.Slice(r.Binds, func(i, j int) bool { return r.Binds[i].SystemID < r.Binds[j].SystemID })
	iv.binds = map[string]*intervalBind{}
	iv.start = now.Truncate(iv.every)
	return r
}

// IntervalWriter is implemented by writers that print interval records.
type IntervalWriter interface {
	Interval(*IntervalRecord) error
}

// WithInterval makes the analyzer close a reporting interval every d of
// capture time and pass it to the writer (when it implements IntervalWriter).
func WithInterval(d time.Duration) AnalyzerOption {
	return func(a *Analyzer) {
		if d > 0 {
			a.iv = &intervals{every: d, binds: map[string]*intervalBind{}}
		}
	}
}

// intervalTick closes the current interval when now is past it.
func (a *Analyzer) intervalTick(now time.Time) error {
	if a.iv == nil || !a.iv.due(now) {
		return nil
	}
	r := a.iv.cut(now)
	if iw, ok := a.w.(IntervalWriter); ok {
		return iw.Interval(r)
	}
	return nil
}

// intervalCount adds one PDU to the current interval.
func (a *Analyzer) intervalCount(bind string, p *decode.PDU, rm *respMatch, window int) {
	if a.iv == nil {
		return
	}
	b := a.iv.bind(bind)
	b.pdus++
	b.window = max(b.window, window)
	if p.ID == decode.SubmitSM || p.ID == decode.SubmitMulti || p.ID == decode.DataSM {
		b.submits++
	}
	if rm.ok && (rm.req.id == decode.SubmitSM || rm.req.id == decode.SubmitMulti || rm.req.id == decode.DataSM) {
		b.resp.add(rm.latency)
		if p.Status == 0 {
			b.accepted++
		} else {
			b.errors++
			if decode.Status(p.Status) == decode.StatusThrottled {
				b.throttled++
			}
		}
	}
}

func (a *Analyzer) intervalReceipt(bind, stat string) {
	if a.iv != nil {
		a.iv.bind(bind).receipts[stat]++
	}
}
