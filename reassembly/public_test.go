package reassembly

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPublicCaptures runs each public capture (shared/pcaps/public, see its
// SOURCES.md) with the heuristic alone, as all of them use non-standard
// ports, and again with their ports listed and no heuristic.
func TestPublicCaptures(t *testing.T) {
	dir := publicDir(t)
	tests := []struct {
		file    string
		ports   []uint16
		pdus    int
		streams int
		ids     []uint32       // every command_id in delivery order, when short
		frames  []int          // every PDU's frame, when short
		hist    map[uint32]int // command_id counts
		mirrors int64          // mirror connections
	}{
		{
			file: "ndpi-smpp_in_general.pcap", ports: []uint16{9000}, pdus: 8, streams: 1,
			ids: []uint32{0x02, 0x80000002, 0x15, 0x80000015, 0x04, 0x80000004, 0x06, 0x80000006},
			// The frames Wireshark shows for smpp.cap (SOURCES.md).
			frames: []int{4, 5, 7, 8, 9, 10, 12, 13},
		},
		{
			file: "pcab_analyze-smpp_sample.pcap", ports: []uint16{4001}, pdus: 60, streams: 20,
			hist: map[uint32]int{0x09: 20, 0x80000009: 20, 0x04: 10, 0x80000004: 10},
		},
		{
			file: "segoranov-smpp_library-client_server_test.pcap", ports: []uint16{7778}, pdus: 2, streams: 1,
			ids: []uint32{0x02, 0x80000002}, frames: []int{4, 6},
		},
		{
			// Captured on "any": each PDU is there three times, on the
			// container's veth, on docker0 (same 4-tuple) and on the uplink
			// after SNAT (another address, same ports and TCP sequence
			// numbers). gopacket drops the docker0 copy as a retransmission
			// of the veth one; the NAT copy is a connection of its own,
			// found to be a mirror: 184 unique PDUs over 60 connections.
			file: "smpp_loss-v2smpp33.pcap", ports: []uint16{12028, 12041, 12042, 14010, 14011}, pdus: 184, streams: 60,
			hist:    map[uint32]int{0x15: 90, 0x80000015: 90, 0x04: 1, 0x80000004: 1, 0x05: 1, 0x80000005: 1},
			mirrors: 60,
		},
		{
			// tshark's heuristic takes two frames for bind_receiver.
			file: "negative/ndpi-tls_false_positives-NOT-SMPP.pcapng", pdus: 0, streams: 0,
		},
	}
	for _, tt := range tests {
		for _, mode := range []string{"heuristic", "ports"} {
			if mode == "ports" && tt.ports == nil {
				continue
			}
			t.Run(tt.file+"/"+mode, func(t *testing.T) {
				o := Options{Heuristic: true}
				if mode == "ports" {
					o = Options{Ports: tt.ports}
				}
				c, st, err := runFiles(t, o, filepath.Join(dir, tt.file))
				require.NoError(t, err)
				require.Empty(t, c.problems)
				require.Len(t, c.pdus, tt.pdus)
				require.EqualValues(t, tt.pdus, st.PDUs)
				require.EqualValues(t, tt.streams, st.Streams)
				streams := map[int]bool{}
				type key struct {
					stream int
					dir    Dir
					offset int64
				}
				seen := map[key]bool{}
				hist := map[uint32]int{}
				var frames []int
				for i, p := range c.pdus {
					streams[p.Stream] = true
					k := key{p.Stream, p.Dir, p.Offset}
					require.False(t, seen[k], "PDU delivered twice: %+v", k)
					seen[k] = true
					hist[c.ids()[i]]++
					frames = append(frames, p.Frame)
					require.Equal(t, []int{p.Frame}, p.Frames, "no public PDU spans segments")
				}
				require.Len(t, streams, tt.streams)
				if tt.ids != nil {
					require.Equal(t, tt.ids, c.ids())
					require.Equal(t, tt.frames, frames)
				}
				if tt.hist != nil {
					require.Equal(t, tt.hist, hist)
				}
				if tt.pdus == 0 {
					require.Empty(t, c.gaps)
					require.EqualValues(t, 1, st.NonSMPPConns)
					return
				}
				// Only the captures that start inside their connections
				// have gaps: one "mid-stream" per direction, nothing lost.
				for _, g := range c.gaps {
					require.Equal(t, ReasonMidStream, g.Reason)
					require.EqualValues(t, -1, g.Bytes)
					require.EqualValues(t, -1, g.Lost)
					require.Zero(t, g.Discarded)
				}
				require.Zero(t, st.BytesSkipped)
				require.Equal(t, tt.mirrors, st.MirrorStreams)
				require.Equal(t, int64(tt.pdus)*tt.mirrors/int64(max(tt.streams, 1)), st.DuplicatePDUs, "each mirror copies its primary whole")
				require.Zero(t, st.MirrorDelivered)
			})
		}
	}
}

// TestPublicMirrorsKept runs smpp_loss with Options.KeepDuplicates: both
// copies of each connection come out, as tshark counts them.
func TestPublicMirrorsKept(t *testing.T) {
	dir := publicDir(t)
	c, st, err := runFiles(t, Options{Heuristic: true, KeepDuplicates: true}, filepath.Join(dir, "smpp_loss-v2smpp33.pcap"))
	require.NoError(t, err)
	require.Len(t, c.pdus, 368)
	require.EqualValues(t, 120, st.Streams)
	require.Zero(t, st.MirrorStreams)
	require.Zero(t, st.DuplicatePDUs)
	require.Len(t, c.gaps, 240, "a mid-stream start per direction")
}
