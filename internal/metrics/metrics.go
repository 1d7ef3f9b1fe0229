// Package metrics exposes smppdump's analysis as Prometheus metrics: it is a
// report.Observer that updates counters and histograms, and an HTTP handler
// serving them. Metric names follow Prometheus conventions (smppdump_*,
// _total for counters, _seconds for durations).
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"smppdump.dev/smppdump/decode"
)

// latencyBuckets span 1 ms to 2 min for responses; receipts use longer ones.
var (
	respBuckets    = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}
	receiptBuckets = []float64{.1, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600}
)

// Metrics holds the collectors, registered on a registry of its own.
type Metrics struct {
	reg         *prometheus.Registry
	pdus        *prometheus.CounterVec
	respLatency *prometheus.HistogramVec
	dlrLatency  *prometheus.HistogramVec
	receipts    *prometheus.CounterVec
	issues      *prometheus.CounterVec
	gaps        prometheus.Counter
	gapBytes    prometheus.Counter
	window      *prometheus.GaugeVec
	drops       prometheus.Gauge
	packets     prometheus.Gauge
	// outstanding requests per bind and connection; the gauge is the sum
	// per bind, so its labels stay few however many connections come and go.
	out map[string]map[int]int
}

// New creates the collectors.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), out: map[string]map[int]int{}}
	m.pdus = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smppdump_pdus_total",
		Help: "SMPP PDUs decoded, by bind, command and (for responses) status."}, []string{"bind", "command", "status"})
	m.respLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "smppdump_response_latency_seconds",
		Help: "Time from a request to its response, by bind, request command and response status.", Buckets: respBuckets},
		[]string{"bind", "command", "status"})
	m.dlrLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "smppdump_receipt_latency_seconds",
		Help: "Time from a submit to its final delivery receipt, by bind.", Buckets: receiptBuckets}, []string{"bind"})
	m.receipts = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smppdump_receipts_total",
		Help: "Final delivery receipts matched to a submit, by bind and stat."}, []string{"bind", "stat"})
	m.issues = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smppdump_issues_total",
		Help: "Protocol issues found, by check code and severity."}, []string{"code", "severity"})
	m.gaps = prometheus.NewCounter(prometheus.CounterOpts{Name: "smppdump_stream_gaps_total",
		Help: "Places where bytes of a TCP stream could not be read."})
	m.gapBytes = prometheus.NewCounter(prometheus.CounterOpts{Name: "smppdump_stream_gap_bytes_total",
		Help: "Bytes of TCP streams lost to capture gaps (where known)."})
	m.window = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "smppdump_outstanding_requests",
		Help: "Requests waiting for their response, by bind (all its connections)."}, []string{"bind"})
	m.drops = prometheus.NewGauge(prometheus.GaugeOpts{Name: "smppdump_capture_drops",
		Help: "Packets the kernel dropped before smppdump could read them (live capture)."})
	m.packets = prometheus.NewGauge(prometheus.GaugeOpts{Name: "smppdump_capture_packets",
		Help: "Packets read from the capture."})
	m.reg.MustRegister(m.pdus, m.respLatency, m.dlrLatency, m.receipts, m.issues, m.gaps, m.gapBytes, m.window, m.drops, m.packets)
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Registry returns the registry, for tests and embedding.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// SetCapture records the capture front end's packet and drop counts.
func (m *Metrics) SetCapture(packets, drops int64) {
	m.packets.Set(float64(packets))
	m.drops.Set(float64(drops))
}

func bindLabel(b string) string {
	if b == "" {
		return "(none)"
	}
	return b
}

// PDU implements report.Observer.
func (m *Metrics) PDU(bind, command string, status decode.Status, isResponse bool) {
	st := ""
	if isResponse {
		st = status.String()
	}
	m.pdus.WithLabelValues(bindLabel(bind), command, st).Inc()
}

// Response implements report.Observer.
func (m *Metrics) Response(bind, request string, status decode.Status, latency time.Duration) {
	m.respLatency.WithLabelValues(bindLabel(bind), request, status.String()).Observe(latency.Seconds())
}

// Receipt implements report.Observer.
func (m *Metrics) Receipt(bind, stat string, latency time.Duration) {
	m.receipts.WithLabelValues(bindLabel(bind), stat).Inc()
	m.dlrLatency.WithLabelValues(bindLabel(bind)).Observe(latency.Seconds())
}

// Issue implements report.Observer.
func (m *Metrics) Issue(code decode.Code, sev decode.Severity) {
	m.issues.WithLabelValues(string(code), sev.String()).Inc()
}

// Gap implements report.Observer.
func (m *Metrics) Gap(bytes int64) {
	m.gaps.Inc()
	if bytes > 0 {
		m.gapBytes.Add(float64(bytes))
	}
}

// Window implements report.Observer.
func (m *Metrics) Window(bind string, stream, outstanding int) {
	b := bindLabel(bind)
	per := m.out[b]
	if per == nil {
		per = map[int]int{}
		m.out[b] = per
	}
	if outstanding == 0 {
		delete(per, stream)
	} else {
		per[stream] = outstanding
	}
	sum := 0
	for _, n := range per {
		sum += n
	}
	m.window.WithLabelValues(b).Set(float64(sum))
}
