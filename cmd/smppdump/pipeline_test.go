package main

import (
	"bytes"
	"io"
	"net/netip"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/reassembly"
	"smppdump.dev/smppdump/report"
)

// TestSetMetaSetsEveryField: setMeta assigns field by field, into a Meta
// that already holds something, so a field it missed would keep what was
// there. Every field starts out set
// (a new field of Meta fails here until stale is given a value for it)
// and must end as the PDU's.
func TestSetMetaSetsEveryField(t *testing.T) {
	stale := report.Meta{File: "old.pcap", Frame: 99, Time: time.Unix(1, 2), Stream: 7,
		Src: netip.MustParseAddrPort("192.0.2.1:1"), Dst: netip.MustParseAddrPort("192.0.2.2:2"),
		Dir: "s>c", Offset: 12345}
	v := reflect.ValueOf(stale)
	for i := range v.NumField() {
		require.False(t, v.Field(i).IsZero(), "stale.%s is not set", v.Type().Field(i).Name)
	}
	e := reassembly.Endpoint{Time: time.Unix(1700000000, 5).UTC(), Stream: 3,
		Src: netip.MustParseAddrPort("10.0.0.1:40000"), Dst: netip.MustParseAddrPort("10.0.0.2:2775"),
		Dir: reassembly.DirClientToServer}
	m := stale
	setMeta(&m, "new.pcap", 4, &e)
	require.Equal(t, report.Meta{File: "new.pcap", Frame: 4, Time: e.Time, Stream: 3, Src: e.Src, Dst: e.Dst, Dir: "c>s"}, m)
}

// TestGapsDoNotPileUp: gaps fill batches as PDUs do, so a capture of gaps
// and no PDUs keeps at most a batch of them waiting, with one core or two;
// every gap still reaches the analysis.
func TestGapsDoNotPileUp(t *testing.T) {
	for _, procs := range []int{1, 2} {
		prev := runtime.GOMAXPROCS(procs)
		var out bytes.Buffer
		w, err := report.New(report.FormatJSON, report.WithOutput(&out))
		require.NoError(t, err)
		a := report.NewAnalyzer(w)
		p := newPipeline(a, io.Discard, false, false, true)
		e := reassembly.Endpoint{Time: time.Unix(1700000000, 0).UTC(), Stream: 1,
			Src: netip.MustParseAddrPort("10.0.0.1:40000"), Dst: netip.MustParseAddrPort("10.0.0.2:2775")}
		const gaps = 10 * batchItems
		for i := range gaps {
			p.Gap(&reassembly.Gap{File: "x.pcap", Frame: i + 1, Endpoint: e, Bytes: 100, Reason: "lost"})
			require.Less(t, len(p.cur.items), batchItems, "%d cores: gap %d", procs, i+1)
		}
		require.NoError(t, p.close())
		require.NoError(t, a.Finish(nil))
		runtime.GOMAXPROCS(prev)
		require.Equal(t, gaps, strings.Count(out.String(), `"type":"gap"`), "%d cores", procs)
	}
}
