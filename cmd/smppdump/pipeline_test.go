package main

import (
	"net/netip"
	"reflect"
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
