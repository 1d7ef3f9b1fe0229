package report

import (
	"sort"
	"strings"
	"time"

	"smppdump.dev/smppdump/decode"
)

// bindStats accumulates one bind's (system_id's) figures.
type bindStats struct {
	systemID string
	modes    map[string]bool
	streams  map[int]bool
	pdus     int64
	submits  int64
	accepted int64
	errors   map[decode.Status]int64
	resp     latencyHist
	dlr      latencyHist
	outcomes tally[outcomeKey] // receipt stat and err → count
	window   int
	// windowSum/windowN: outstanding requests on the sender's connection,
	// sampled at every request, for the mean window.
	windowSum int64
	windowN   int64
	first     time.Time
	last      time.Time
	sec       int64 // current second (Unix)
	secCount  int64
	peakTPS   int64
}

func (b *bindStats) pdu(t time.Time) {
	b.pdus++
	// last is the latest time seen (or the zero time), first the earliest,
	// so first ≤ last: a PDU later than last, as most are, is not earlier
	// than first, and one comparison does.
	if t.After(b.last) {
		b.last = t
		if b.first.IsZero() {
			b.first = t
		}
	} else if b.first.IsZero() || t.Before(b.first) {
		b.first = t
	}
	if s := t.Unix(); s != b.sec {
		b.sec, b.secCount = s, 0
	}
	b.secCount++
	b.peakTPS = max(b.peakTPS, b.secCount)
}

// BindRow is one bind's line of the summary.
type BindRow struct {
	SystemID    string
	Modes       []string
	Connections int
	PDUs        int64
	Submits     int64
	Accepted    int64
	Errors      []NamedCount // error statuses of submit responses
	Resp        LatencySummary
	Receipt     LatencySummary
	Outcomes    []NamedCount // receipt stat[/err] → count
	MaxWindow   int
	MeanWindow  float64
	MeanTPS     float64
	PeakTPS     int64
}

// LatencySummary is the distribution of one latency.
type LatencySummary struct {
	Count              uint64
	P50, P90, P99, Max time.Duration
}

func summarize(h *latencyHist) LatencySummary {
	return LatencySummary{Count: h.samples(), P50: h.quantile(0.5), P90: h.quantile(0.9), P99: h.quantile(0.99), Max: h.max}
}

// bindTable holds every bind's stats.
type bindTable struct {
	rows map[string]*bindStats
	resp latencyHist // all binds together
	dlr  latencyHist
}

func newBindTable() bindTable { return bindTable{rows: map[string]*bindStats{}} }

func (t *bindTable) get(systemID string) *bindStats {
	b := t.rows[systemID]
	if b == nil {
		b = &bindStats{systemID: systemID, modes: map[string]bool{}, streams: map[int]bool{},
			errors: map[decode.Status]int64{}}
		t.rows[systemID] = b
	}
	return b
}

// bindName is the key a session's figures are filed under.
func bindName(s *session) string {
	switch {
	case s.systemID != "":
		return s.systemID
	case s.bindAsked != "":
		return s.bindAsked // a bind in progress, or one that failed
	}
	return "(no bind seen)"
}

func (t *bindTable) rowsSorted() []BindRow {
	out := make([]BindRow, 0, len(t.rows))
	for _, b := range t.rows {
		r := BindRow{SystemID: b.systemID, Connections: len(b.streams), PDUs: b.pdus, Submits: b.submits,
			Accepted: b.accepted, Resp: summarize(&b.resp), Receipt: summarize(&b.dlr), MaxWindow: b.window, PeakTPS: b.peakTPS}
		if b.windowN > 0 {
			r.MeanWindow = float64(b.windowSum) / float64(b.windowN)
		}
		for m := range b.modes {
			r.Modes = append(r.Modes, m)
		}
		sort.Strings(r.Modes)
		for st, n := range b.errors {
			r.Errors = append(r.Errors, NamedCount{Code: uint32(st), Name: st.String(), Count: n})
		}
		sort.Slice(r.Errors, func(i, j int) bool {
			return r.Errors[i].Count > r.Errors[j].Count || (r.Errors[i].Count == r.Errors[j].Count && r.Errors[i].Code < r.Errors[j].Code)
		})
		// Keys that differ may share a name: count by name.
		byName := map[string]int64{}
		b.outcomes.all(func(k outcomeKey, n int64) { byName[k.name()] += n })
		for o, n := range byName {
			r.Outcomes = append(r.Outcomes, NamedCount{Name: o, Count: n})
		}
		sort.Slice(r.Outcomes, func(i, j int) bool {
			return r.Outcomes[i].Count > r.Outcomes[j].Count || (r.Outcomes[i].Count == r.Outcomes[j].Count && r.Outcomes[i].Name < r.Outcomes[j].Name)
		})
		if d := b.last.Sub(b.first).Seconds(); d >= 1 {
			r.MeanTPS = float64(b.pdus) / d
		} else {
			r.MeanTPS = float64(b.pdus)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SystemID < out[j].SystemID })
	return out
}

// outcomeKey is a final receipt's outcome as counted: its stat and its err
// ("" when all zeros). The name the summary shows is built only then, so
// that counting a receipt with an error builds no string.
type outcomeKey struct {
	stat, err string
}

func newOutcomeKey(stat, err string) outcomeKey {
	if strings.Trim(err, "0") == "" {
		err = ""
	}
	return outcomeKey{stat: stat, err: err}
}

// name is the outcome as the summary shows it: the stat ("(no stat)" when
// none) and, when not all zeros, " err:" and the err.
func (k outcomeKey) name() string {
	n := k.stat
	if n == "" {
		n = "(no stat)"
	}
	if k.err != "" {
		n += " err:" + k.err
	}
	return n
}
