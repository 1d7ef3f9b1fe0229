package report

import (
	"testing"
	"time"
)

// TestBindStatsFirstLast: a bind's first and last times are the earliest
// and latest PDU times, as the plain two comparisons per PDU give them,
// for captures in order, out of order, and with zero and pre-1970 times.
func TestBindStatsFirstLast(t *testing.T) {
	base := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	for _, tc := range []struct {
		name  string
		times []time.Time
	}{
		{"in order", []time.Time{at(0), at(1), at(1), at(5)}},
		{"out of order", []time.Time{at(5), at(1), at(7), at(-3), at(6)}},
		{"zero time first", []time.Time{{}, at(2), at(1)}},
		{"zero time later", []time.Time{at(2), {}, at(3)}},
		{"before the zero time", []time.Time{time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), at(1), {}}},
		{"before 1970", []time.Time{time.Unix(-5, 0), time.Unix(-9, 0), time.Unix(3, 0)}},
	} {
		var b bindStats
		var first, last time.Time
		for _, ts := range tc.times {
			b.pdu(ts)
			if first.IsZero() || ts.Before(first) {
				first = ts
			}
			if ts.After(last) {
				last = ts
			}
		}
		if b.first != first || b.last != last {
			t.Errorf("%s: first %v last %v, want %v and %v", tc.name, b.first, b.last, first, last)
		}
	}
}

// TestOutcomeKeyName: receipts are counted by stat and significant err,
// and named as the summary shows them.
func TestOutcomeKeyName(t *testing.T) {
	for _, tc := range []struct{ stat, err, want string }{
		{"DELIVRD", "000", "DELIVRD"},
		{"DELIVRD", "", "DELIVRD"},
		{"UNDELIV", "001", "UNDELIV err:001"},
		{"", "0", "(no stat)"},
		{"", "0x1", "(no stat) err:0x1"},
	} {
		if got := newOutcomeKey(tc.stat, tc.err).name(); got != tc.want {
			t.Errorf("%q/%q: %q, want %q", tc.stat, tc.err, got, tc.want)
		}
	}
	if newOutcomeKey("X", "000") != newOutcomeKey("X", "") {
		t.Error("an all-zero err is counted apart from none")
	}
}
