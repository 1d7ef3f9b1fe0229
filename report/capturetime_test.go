package report

import (
	"math"
	"testing"
	"time"
)

// TestElapsed: elapsed agrees with time.Time.Sub everywhere, including
// the far apart pairs that Sub saturates and times with a monotonic
// clock reading.
func TestElapsed(t *testing.T) {
	base := time.Date(2026, 5, 4, 10, 0, 0, 123456789, time.UTC)
	now := time.Now() // has a monotonic reading
	for _, tc := range []struct {
		name string
		t, u time.Time
	}{
		{"equal", base, base},
		{"later", base.Add(42 * time.Millisecond), base},
		{"earlier", base, base.Add(1500 * time.Millisecond)},
		{"nanosecond borrow", base.Add(time.Second - 200*time.Nanosecond), base.Add(300 * time.Nanosecond)},
		{"other zone", base.In(time.FixedZone("x", 3600)).Add(time.Hour), base},
		{"unix epoch", time.Unix(0, 0), time.Unix(0, 1)},
		{"zero time", base, time.Time{}},
		{"just inside", time.Unix(maxFastSubSec-1, 999999999), time.Unix(0, 0)},
		{"just outside", time.Unix(maxFastSubSec, 0), time.Unix(0, 0)},
		{"saturates up", time.Unix(math.MaxInt64/2, 0), time.Unix(-math.MaxInt64/2, 0)},
		{"saturates down", time.Unix(-math.MaxInt64/2, 0), time.Unix(math.MaxInt64/2, 0)},
		{"year 9999 and 1", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"monotonic both", now.Add(time.Millisecond), now},
		{"monotonic t", now, base},
		{"monotonic u", base, now},
		{"monotonic u, near", now.Round(0).Add(time.Millisecond), now},
	} {
		if got, want := elapsed(tc.t, tc.u), tc.t.Sub(tc.u); got != want {
			t.Errorf("%s: elapsed %v, Sub %v", tc.name, got, want)
		}
	}
}
