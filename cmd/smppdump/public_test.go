package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/internal/tshark"
)

// The summaries of the public captures, checked by hand against
// shared/pcaps/public/SOURCES.md and the PDUs themselves.
func TestPublicCaptureSummaries(t *testing.T) {
	dir := tshark.PublicCaptures(t)
	type bind struct {
		submits, accepted, connections int
		modes                          []any
	}
	for _, tc := range []struct {
		file     string
		pdus     int
		streams  int
		commands map[string]any
		statuses map[string]any
		issues   []string // codes present, nothing else
		messages int
		receipts int
		midGaps  int
		unans    int
		binds    map[string]bind
	}{
		{
			// One transmitter session: bind, enquire_link, one submit
			// without a receipt request, unbind; all statuses 0. The bind's
			// interface_version 0x01 makes it a v3.3 session.
			file: "ndpi-smpp_in_general.pcap", pdus: 8, streams: 1,
			commands: map[string]any{"bind_transmitter": 1.0, "bind_transmitter_resp": 1.0, "submit_sm": 1.0, "submit_sm_resp": 1.0,
				"unbind": 1.0, "unbind_resp": 1.0, "enquire_link": 1.0, "enquire_link_resp": 1.0},
			statuses: map[string]any{"ESME_ROK": 4.0}, messages: 1,
			binds: map[string]bind{"abhik": {1, 1, 1, []any{"transmitter"}}},
		},
		{
			// 20 connections that start mid-stream (only PSH segments were
			// captured): 19 only bind, one binds and submits 10 messages.
			// Each direction of each connection starts mid-stream: 40 gaps
			// of unknown size, no byte lost.
			file: "pcab_analyze-smpp_sample.pcap", pdus: 60, streams: 20,
			commands: map[string]any{"bind_transceiver": 20.0, "bind_transceiver_resp": 20.0, "submit_sm": 10.0, "submit_sm_resp": 10.0},
			statuses: map[string]any{"ESME_ROK": 30.0}, messages: 10, midGaps: 40,
			binds: map[string]bind{"test_client_1": {0, 0, 10, []any{"transceiver"}}, "test_client_3": {10, 10, 10, []any{"transceiver"}}},
		},
		{
			// A v5.0 bind answered with sequence_number 0 instead of 1 (a bug
			// of that library): the response matches no request (SES-01),
			// carries the reserved sequence number 0 (HDR-11), and the bind
			// stays unanswered (SES-04), so the session never counts as bound.
			file: "segoranov-smpp_library-client_server_test.pcap", pdus: 2, streams: 1,
			commands: map[string]any{"bind_transmitter": 1.0, "bind_transmitter_resp": 1.0},
			statuses: map[string]any{"ESME_ROK": 1.0}, issues: []string{"HDR-11", "SES-01", "SES-04"}, unans: 1,
			binds: map[string]bind{"SMPP3TEST": {0, 0, 1, []any{}}},
		},
		{
			// Production traffic captured on "any": every PDU three times, on
			// the container's veth and docker0 (same 4-tuple: TCP reassembly
			// drops the copy) and after NAT (another 4-tuple: a mirror
			// connection, counted once). 60 connections already bound when
			// the capture starts, mostly enquire_links; one submit whose
			// receipt arrives on another connection of the same account,
			// matched by the 38-character id; three vendor TLVs 0x1400-0x1402
			// on the submit (TLV-04, info).
			file: "smpp_loss-v2smpp33.pcap", pdus: 184, streams: 60,
			commands: map[string]any{"enquire_link": 90.0, "enquire_link_resp": 90.0, "submit_sm": 1.0, "submit_sm_resp": 1.0,
				"deliver_sm": 1.0, "deliver_sm_resp": 1.0},
			statuses: map[string]any{"ESME_ROK": 92.0}, issues: []string{"TLV-04"}, messages: 1, receipts: 1, midGaps: 120,
			binds: map[string]bind{"(no bind seen)": {1, 1, 60, []any{}}},
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			recs := runJSON(t, filepath.Join(dir, tc.file))
			require.Len(t, recs["summary"], 1)
			s := recs["summary"][0]
			require.Equal(t, float64(tc.pdus), s["pdus"])
			require.Equal(t, float64(tc.streams), s["streams"])
			require.Equal(t, tc.commands, s["commands"])
			require.Equal(t, tc.statuses, s["statuses"])
			var codes []string
			for c := range s["issues"].(map[string]any) {
				codes = append(codes, c)
			}
			require.ElementsMatch(t, tc.issues, codes)
			require.Equal(t, float64(tc.messages), s["messages"])
			require.Len(t, recs["message"], tc.messages)
			require.Equal(t, float64(tc.receipts), s["receipts_matched"])
			require.Equal(t, float64(0), s["receipts_orphan"])
			require.Equal(t, float64(0), s["receipts_missing"])
			require.Equal(t, float64(tc.unans), s["requests_unanswered"])
			require.Equal(t, float64(tc.midGaps), s["gaps"])
			require.Equal(t, float64(tc.midGaps), s["gaps_mid_stream"])
			require.Equal(t, float64(0), s["gap_bytes"])
			got := map[string]bind{}
			for _, b := range s["binds"].([]any) {
				m := b.(map[string]any)
				got[m["system_id"].(string)] = bind{int(m["submits"].(float64)), int(m["accepted"].(float64)),
					int(m["connections"].(float64)), m["modes"].([]any)}
			}
			require.Equal(t, tc.binds, got)
		})
	}
}

// The NAT copy of smpp_loss is counted once by default and kept with
// --keep-duplicates (as tshark shows it: 368 PDUs, each twice).
func TestDuplicateCaptureCountedOnce(t *testing.T) {
	path := filepath.Join(tshark.PublicCaptures(t), "smpp_loss-v2smpp33.pcap")
	once := runJSON(t, path)["summary"][0]
	both := runJSON(t, "--keep-duplicates", path)["summary"][0]
	require.Equal(t, 184.0, once["pdus"])
	require.Equal(t, 60.0, once["streams"])
	require.Equal(t, 368.0, both["pdus"])
	require.Equal(t, 120.0, both["streams"])
	// Kept twice, the submit makes two messages with one id: the first
	// takes the receipt, the copy's receipt is a duplicate and the copied
	// message misses its receipt.
	require.Equal(t, 2.0, both["messages"])
	require.Equal(t, 1.0, both["receipts_matched"])
	require.Equal(t, 1.0, both["receipts_duplicate"])
	require.Equal(t, 1.0, both["receipts_missing"])
	require.Equal(t, 1.0, once["receipts_matched"])
	require.Equal(t, 0.0, once["receipts_duplicate"])
}
