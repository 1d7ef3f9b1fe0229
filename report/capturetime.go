package report

import "time"

// maxFastSubSec bounds the differences, in seconds, that elapsed computes
// itself: their nanoseconds fit a Duration with room to spare.
const maxFastSubSec = 1 << 33

// elapsed returns t.Sub(u), the latency between two capture times.
//
// time.Time.Sub checks its result by adding it back to u and comparing,
// several times the cost of the subtraction; the analyzer takes a
// difference for every response and receipt. Capture times come from
// packet headers, carry no monotonic clock reading and lie within
// centuries of each other, and then the difference of their seconds and
// nanoseconds is exactly what Sub returns (it reads the monotonic clock
// only when both times have a reading, so checking t suffices). Any
// other pair goes to Sub.
func elapsed(t, u time.Time) time.Duration {
	ds := t.Unix() - u.Unix()
	if ds >= maxFastSubSec || ds <= -maxFastSubSec || t != t.Round(0) {
		return t.Sub(u) // far apart, or a monotonic reading (Round(0) strips it)
	}
	return time.Duration(ds)*time.Second + time.Duration(t.Nanosecond()-u.Nanosecond())
}
