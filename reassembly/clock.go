package reassembly

import "time"

// unixToInternal is the Unix time of the zero Time, negated: the seconds
// from January 1, year 1 to the Unix epoch.
const unixToInternal int64 = (1969*365 + 1969/4 - 1969/100 + 1969/400) * 24 * 60 * 60

// instant is a time reduced to what orders it, so that the runner, which
// compares times for every packet, compares two integers inline where
// time.Time.After is a call. Its seconds are time.Time's own, counted from
// year 1 and wrapping as those do, not Unix seconds: pcapng times can be
// so far out that the two order differently.
type instant struct {
	sec  int64
	nsec int32
}

// instantOf returns t's instant.
func instantOf(t time.Time) instant {
	return instant{t.Unix() + unixToInternal, int32(t.Nanosecond())}
}

// after reports whether a is after b. For the instants of times t and u it
// is t.After(u) when t or u has no monotonic clock reading, which a
// capture time never has (the readers make it with time.Unix).
func (a instant) after(b instant) bool {
	return a.sec > b.sec || a.sec == b.sec && a.nsec > b.nsec
}

// latestTime is the latest of the capture times it was shown.
type latestTime struct {
	t  time.Time
	at instant // t's; the zero Time's is the zero instant
}

// see makes capture time t, whose instant is at, the latest if it is
// after it. It takes at from the caller to be inlined.
func (l *latestTime) see(t time.Time, at instant) {
	if at.after(l.at) {
		l.t, l.at = t, at
	}
}
