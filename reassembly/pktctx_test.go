package reassembly

import (
	"reflect"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/stretchr/testify/require"
)

// TestScratchSetsEveryField: scratch, which sets a reused context field by
// field, leaves nothing of the context it held before and makes the
// context next would make.
func TestScratchSetsEveryField(t *testing.T) {
	var s ctxSlab
	old := s.next(&fileRef{name: "old.pcap"}, 7, &gopacket.CaptureInfo{Timestamp: time.Unix(5, 0), CaptureLength: 60, Length: 60, InterfaceIndex: 2})
	old.truncated = true
	stale := *old
	v := reflect.ValueOf(stale)
	for i := range v.NumField() {
		require.False(t, v.Field(i).IsZero(), "pktCtx.%s: give it a value here, and set it in scratch", v.Type().Field(i).Name)
	}

	f := &fileRef{name: "new.pcap"}
	ci := gopacket.CaptureInfo{Timestamp: time.Unix(1772442000, 40000), CaptureLength: 91, Length: 91}
	c := &stale
	require.Same(t, c, s.scratch(c, f, 9, &ci))
	want := s.next(f, 9, &ci)
	require.Equal(t, want.order-1, c.order, "scratch takes its place in the order as next does")
	require.Same(t, c, ctxOf(c.ci))
	c.order, c.ci.AncillaryData, c.self = want.order, want.ci.AncillaryData, want.self
	require.Equal(t, *want, *c)
}
