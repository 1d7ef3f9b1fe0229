package report

import (
	"time"

	"smppdump.dev/smppdump/decode"
)

// Observer receives the analyzer's events as they happen, for live
// monitoring (metrics, rolling summaries). Calls come from the analyzer's
// goroutine; implementations that are read elsewhere synchronise themselves.
type Observer interface {
	// PDU: every decoded PDU, with its bind ("" until a bind is seen).
	PDU(bind string, command string, status decode.Status, isResponse bool)
	// Response: a response matched to its request.
	Response(bind string, request string, status decode.Status, latency time.Duration)
	// Receipt: a final receipt matched to its submit.
	Receipt(bind string, stat string, latency time.Duration)
	// Issue: every issue raised on a PDU (and SES-04 at the end).
	Issue(code decode.Code, sev decode.Severity)
	// Gap: bytes of a stream that could not be read (-1: unknown).
	Gap(bytes int64)
	// Window: outstanding requests of a connection after a change.
	Window(bind string, stream int, outstanding int)
}

// WithObserver attaches an Observer.
func WithObserver(o Observer) AnalyzerOption { return func(a *Analyzer) { a.obs = o } }

// nopObserver does nothing; it stands in when no Observer is attached.
type nopObserver struct{}

func (nopObserver) PDU(string, string, decode.Status, bool)               {}
func (nopObserver) Response(string, string, decode.Status, time.Duration) {}
func (nopObserver) Receipt(string, string, time.Duration)                 {}
func (nopObserver) Issue(decode.Code, decode.Severity)                    {}
func (nopObserver) Gap(int64)                                             {}
func (nopObserver) Window(string, int, int)                               {}

// SetObserver attaches an Observer after construction.
func (a *Analyzer) SetObserver(o Observer) {
	if o == nil {
		o = nopObserver{}
	}
	_, nop := o.(nopObserver)
	a.obs, a.observed = o, !nop
}
