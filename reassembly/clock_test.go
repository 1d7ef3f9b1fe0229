package reassembly

import (
	"math"
	"testing"
	"time"
)

// TestInstantAfterAgrees: instants order every pair of times as
// time.Time.After does, the far ends of time.Unix's range included, where Unix seconds
// and time.Time's own seconds (from year 1) wrap apart.
func TestInstantAfterAgrees(t *testing.T) {
	times := []time.Time{
		{},
		time.Unix(0, 0),
		time.Unix(0, 1),
		time.Unix(1772442000, 40000),
		time.Unix(1772442000, 40001),
		time.Unix(1772442001, 0),
		time.Unix(-1, 999999999),
		time.Unix(-unixToInternal, 0), // the zero Time's second
		time.Unix(-unixToInternal-1, 5),
		time.Unix(math.MaxInt64, 0),
		time.Unix(math.MaxInt64-unixToInternal, 0), // time.Time's seconds wrap just above
		time.Unix(math.MaxInt64-unixToInternal+1, 0),
		time.Unix(math.MinInt64, 0),
		time.Unix(math.MinInt64, 999999999),
		time.Unix(math.MinInt64+unixToInternal, 0),
		time.Unix(math.MinInt64+unixToInternal-1, 0),
		time.Unix(1<<62, 3).UTC(),
		time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("x", 3600)), // a zone changes nothing
	}
	for _, a := range times {
		for _, b := range times {
			if got, want := instantOf(a).after(instantOf(b)), a.After(b); got != want {
				t.Errorf("%v after %v: %v, want %v", a, b, got, want)
			}
		}
	}
	if instantOf(time.Time{}) != (instant{}) {
		t.Error("the zero Time's instant is not the zero instant, which latestTime starts from")
	}
	// Unix seconds would order this pair the other way.
	hi, lo := time.Unix(math.MaxInt64-unixToInternal+1, 0), time.Unix(0, 0)
	if hi.Unix() <= lo.Unix() || hi.After(lo) {
		t.Fatal("the wrapping pair does not tell seconds from year 1 and Unix seconds apart")
	}
}

// TestLatestTime: latestTime keeps the latest time, by time.Time.After,
// of times that go back and forth.
func TestLatestTime(t *testing.T) {
	var l latestTime
	var want time.Time
	for _, ts := range []time.Time{
		time.Unix(1772442000, 40000), time.Unix(1772442000, 39999), time.Unix(1772442001, 0),
		time.Unix(1772441999, 999999999), time.Unix(1772442001, 0).UTC(), time.Unix(1772442001, 1),
		{}, time.Unix(math.MaxInt64, 0), time.Unix(math.MaxInt64-unixToInternal+1, 0),
	} {
		l.see(ts, instantOf(ts))
		if ts.After(want) {
			want = ts
		}
		if l.t != want || l.at != instantOf(want) {
			t.Fatalf("after %v: latest %v, want %v", ts, l.t, want)
		}
	}
}
