package reassembly

import (
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/stretchr/testify/require"
)

// TestSetEndpointOverwritesEveryField checks that setEndpoint leaves no
// field of a reused Endpoint as it was: it must give what endpoint builds
// from nothing, with and without a packet.
func TestSetEndpointOverwritesEveryField(t *testing.T) {
	c := &conn{index: 7, addr: [2]netip.AddrPort{
		netip.MustParseAddrPort("10.0.0.1:30000"), netip.MustParseAddrPort("10.0.0.2:2775")}}
	pc := &pktCtx{ci: gopacket.CaptureInfo{Timestamp: time.Unix(1700000000, 5).UTC()}}
	stale := Endpoint{Time: time.Unix(1, 2), Stream: 99, Src: netip.MustParseAddrPort("[::1]:1"),
		Dst: netip.MustParseAddrPort("[::2]:2"), Dir: DirServerToClient}
	require.Equal(t, reflect.TypeOf(stale).NumField(), 5, "a field was added to Endpoint: set it in setEndpoint and in stale here")
	v := reflect.ValueOf(stale)
	for i := range v.NumField() {
		require.False(t, v.Field(i).IsZero(), "stale must set field %s", v.Type().Field(i).Name)
	}
	for _, at := range []*pktCtx{nil, pc} {
		for _, d := range []Dir{DirClientToServer, DirServerToClient} {
			e := stale
			c.setEndpoint(&e, d, at)
			require.Equal(t, c.endpoint(d, at), e)
			want := Endpoint{Stream: 7, Src: c.addr[d], Dst: c.addr[d.Reverse()], Dir: d}
			if at != nil {
				want.Time = at.ci.Timestamp
			}
			require.Equal(t, want, e)
		}
	}
}

// TestPDUFieldsAreThoseDeliverSets lists the fields of PDU that
// framer.deliver sets one by one on the runner's reused PDU: a field added
// to PDU must be set there too, or it would keep the previous PDU's value.
func TestPDUFieldsAreThoseDeliverSets(t *testing.T) {
	var names []string
	typ := reflect.TypeOf(PDU{})
	for i := range typ.NumField() {
		names = append(names, typ.Field(i).Name)
	}
	require.Equal(t, []string{"File", "Frame", "Frames", "Endpoint", "Offset", "Data"}, names,
		"PDU's fields changed: framer.deliver must set every one of them")
}
