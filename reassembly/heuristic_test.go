package reassembly

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"
)

// TestJunkBeforePDUs checks junk before the first PDU of a connection: on
// a listed port the connection stays SMPP however long the junk (past the
// bytes the probe holds, the framer discards it as it scans), the junk is
// one "resync" gap and the PDUs after it are framed; a connection of junk
// only is not SMPP. On other ports the heuristic decides as before.
func TestJunkBeforePDUs(t *testing.T) {
	const maxPDU = 1024 // the probe holds 2*1024+32 bytes per direction
	junk := func(n int) []byte { return bytes.Repeat([]byte{0xEE}, n) }
	other := netip.MustParseAddrPort("10.0.0.2:9000") // not listed
	tests := []struct {
		name   string
		srv    netip.AddrPort
		build  func(k *tconn)
		pdus   []uint32
		gaps   []gotGap // Frame not compared
		smpp   int64    // Stats.Streams
		nonSMP int64    // Stats.NonSMPPConns
	}{
		{
			name: "listed port: junk past the probe, then PDUs",
			srv:  server,
			build: func(k *tconn) {
				k.handshake()
				k.split(c2s, junk(5000), 1400, 2800, 4200)
				k.send(c2s, enquireLink(1))
				k.send(s2c, enquireLinkResp(1))
			},
			pdus: []uint32{idEnquireLink, idEnquireLinkResp},
			gaps: []gotGap{{ReasonResync, 0, c2s, 0, 0, 5000}},
			smpp: 1,
		},
		{
			name: "listed port: junk past the probe, PDUs in the same segment",
			srv:  server,
			build: func(k *tconn) {
				k.handshake()
				k.split(c2s, cat(junk(3000), enquireLink(1), enquireLink(2)), 1500)
			},
			pdus: []uint32{idEnquireLink, idEnquireLink},
			gaps: []gotGap{{ReasonResync, 0, c2s, 0, 0, 3000}},
			smpp: 1,
		},
		{
			name: "listed port: the other direction ended while the junk was scanned",
			srv:  server,
			build: func(k *tconn) {
				k.handshake()
				k.send(s2c, enquireLink(1)[:10]) // a partial PDU, then FIN
				k.fin(s2c)
				k.split(c2s, junk(4000), 2000)
				k.send(c2s, enquireLink(2))
			},
			pdus: []uint32{idEnquireLink},
			gaps: []gotGap{{ReasonIncomplete, 0, s2c, 0, 0, 10}, {ReasonResync, 0, c2s, 0, 0, 4000}},
			smpp: 1,
		},
		{
			name: "listed port: junk past the probe and nothing else",
			srv:  server,
			build: func(k *tconn) {
				k.handshake()
				k.split(c2s, junk(6000), 1500, 3000, 4500)
				k.send(s2c, junk(100))
			},
			nonSMP: 1,
		},
		{
			name: "listed port: a little junk and nothing else",
			srv:  server,
			build: func(k *tconn) {
				k.handshake()
				k.send(c2s, junk(500))
			},
			nonSMP: 1,
		},
		{
			name: "other port: junk past the probe is not SMPP for the heuristic",
			srv:  other,
			build: func(k *tconn) {
				k.handshake()
				k.split(c2s, junk(5000), 1400, 2800, 4200)
				k.send(c2s, enquireLink(1))
				k.send(s2c, enquireLinkResp(1))
			},
			nonSMP: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCapture(t, layers.LinkTypeEthernet)
			tt.build(c.conn(client, tt.srv))
			col, st := runCapture(t, c, Options{Ports: []uint16{2775}, Heuristic: true, MaxPDU: maxPDU})
			require.Equal(t, tt.pdus, nilIfEmpty(col.ids()))
			_, gaps := summarize(col)
			for i := range gaps {
				gaps[i].Frame = 0
			}
			require.Equal(t, tt.gaps, gaps)
			require.Equal(t, tt.smpp, st.Streams)
			require.Equal(t, tt.nonSMP, st.NonSMPPConns)
			if tt.smpp == 0 {
				require.Zero(t, st.Bytes, "no bytes of a connection that is not SMPP are counted")
			}
		})
	}
}

func nilIfEmpty(s []uint32) []uint32 {
	if len(s) == 0 {
		return nil
	}
	return s
}

// TestJunkBeforePDUsMemoryBounded: 16 MiB of junk on a listed port before
// its PDUs is scanned with bounded memory (the probe's bytes, then the
// framer's carry of less than a header), and counted in the gap.
func TestJunkBeforePDUsMemoryBounded(t *testing.T) {
	const n = 16 << 20
	c := newCapture(t, layers.LinkTypeRaw)
	k := c.conn(client, server)
	k.handshake()
	chunk := bytes.Repeat([]byte{0xEE}, 32<<10)
	for range n / len(chunk) {
		k.send(c2s, chunk)
	}
	k.send(c2s, enquireLink(1))
	k.send(s2c, enquireLinkResp(1))
	file := writeFile(t, "junk.pcap", c.pcap())
	c.frames = nil // the capture is on disk only

	var col *collector
	var st Stats
	peak := peakHeap(func() {
		var err error
		col, st, err = runFiles(t, Options{Ports: []uint16{2775}}, file)
		require.NoError(t, err)
	})
	t.Logf("%d MiB of junk: peak heap +%.1f MiB", n>>20, float64(peak)/(1<<20))
	require.Equal(t, []uint32{idEnquireLink, idEnquireLinkResp}, col.ids())
	require.Len(t, col.gaps, 1)
	require.EqualValues(t, n, col.gaps[0].Bytes)
	require.EqualValues(t, n, st.BytesDiscarded)
	require.Less(t, peak, uint64(8<<20))
}
