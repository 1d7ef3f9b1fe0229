package metrics

import (
	"context"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/reassembly"
	"smppdump.dev/smppdump/report"
)

type feed struct{ a *report.Analyzer }

func (f feed) PDU(p *reassembly.PDU) {
	_ = f.a.PDU(report.Meta{Frame: p.Frame, Time: p.Time, Stream: p.Stream, Src: p.Src, Dst: p.Dst, Dir: p.Dir.String()}, p.Data)
}
func (f feed) Gap(g *reassembly.Gap) {
	_ = f.a.Gap(report.GapRecord{Meta: report.Meta{Frame: g.Frame, Stream: g.Stream}, Bytes: g.Bytes})
}
func (feed) Problem(*reassembly.Problem) {}

// The demo capture's counts, as the metrics show them.
func TestMetricsFromDemoCapture(t *testing.T) {
	m := New()
	w, err := report.New(report.FormatText, report.WithOutput(io.Discard))
	require.NoError(t, err)
	a := report.NewAnalyzer(w, report.WithObserver(m))
	st, err := reassembly.Run(context.Background(), []string{filepath.Join("..", "..", "pcaps", "demo.pcap")},
		reassembly.Options{Ports: []uint16{2775}}, feed{a})
	require.NoError(t, err)
	require.NoError(t, a.Finish(nil))
	m.SetCapture(st.Packets, 0)

	require.Equal(t, 7.0, testutil.ToFloat64(m.pdus.WithLabelValues("acme", "submit_sm", "")))
	require.Equal(t, 1.0, testutil.ToFloat64(m.pdus.WithLabelValues("acme", "submit_sm_resp", "ESME_RTHROTTLED")))
	require.Equal(t, 1.0, testutil.ToFloat64(m.pdus.WithLabelValues("acme", "bind_transmitter_resp", "ESME_RINVPASWD")))
	require.Equal(t, 5.0, testutil.ToFloat64(m.receipts.WithLabelValues("acme", "DELIVRD")))
	require.Equal(t, 1.0, testutil.ToFloat64(m.receipts.WithLabelValues("acme_tx", "UNDELIV")))
	require.Equal(t, 0.0, testutil.ToFloat64(m.window.WithLabelValues("acme")))
	require.Equal(t, 124.0, testutil.ToFloat64(m.packets))

	// The scrape: text format, conventional names, no lint problems.
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, name := range []string{"smppdump_pdus_total", "smppdump_response_latency_seconds_bucket",
		"smppdump_receipt_latency_seconds_count", "smppdump_receipts_total", "smppdump_outstanding_requests"} {
		require.Contains(t, body, name)
	}
	problems, err := testutil.GatherAndLint(m.Registry())
	require.NoError(t, err)
	require.Empty(t, problems)
	require.False(t, strings.Contains(body, "stream="), "no per-connection labels")
	require.Contains(t, body, `smppdump_response_latency_seconds_count{bind="acme",command="submit_sm",status="ESME_ROK"} 6`+"\n")
	require.Contains(t, body, `smppdump_response_latency_seconds_count{bind="acme",command="submit_sm",status="ESME_RTHROTTLED"} 1`+"\n")
}
