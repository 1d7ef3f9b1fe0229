package main

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/internal/tshark"
)

// These tests check the comparison machinery of the oracle test without
// tshark: that its normalisations hide only representation differences and
// that a real difference is reported.

var (
	testSrc = netip.MustParseAddrPort("10.0.0.10:40001")
	testDst = netip.MustParseAddrPort("10.0.0.1:2775")
)

// tsPDU builds a tshark PDU from "name=value" fields in tshark's format.
func tsPDU(frame int, id, seq uint32, fields ...string) tshark.PDU {
	p := tshark.PDU{Frame: frame, CommandID: id, Seq: seq, CommandLength: 16, Src: testSrc, Dst: testDst, Fields: map[string]string{}}
	if id&0x80000000 != 0 {
		p.HasStatus = true
	}
	for _, f := range fields {
		name, val, _ := strings.Cut(f, "=")
		p.All = append(p.All, tshark.Field{Name: name, Value: val})
		if _, dup := p.Fields[name]; !dup {
			p.Fields[name] = val
		}
	}
	return p
}

// sdPDU builds an smppdump record with a body from name/value pairs.
func sdPDU(frame int, id, seq uint32, body ...any) dumpPDU {
	d := dumpPDU{Type: "pdu", Frame: frame, CommandID: id, Seq: seq, Length: 16,
		Src: testSrc.String(), Dst: testDst.String(), Body: map[string]json.RawMessage{}}
	for i := 0; i+1 < len(body); i += 2 {
		b, err := json.Marshal(body[i+1])
		if err != nil {
			panic(err)
		}
		d.Body[body[i].(string)] = b
	}
	return d
}

func TestCompareOracle(t *testing.T) {
	const submitSM, submitSMResp, bindTX, enquire = 4, 0x80000004, 2, 0x15
	tests := []struct {
		name   string
		ts     []tshark.PDU
		sd     []dumpPDU
		tweak  func(ts []tshark.PDU, sd []dumpPDU)
		pdus   int
		fields int
		diffs  []string // oracleDiff.String()
	}{
		{
			name: "identical header-only PDUs",
			ts:   []tshark.PDU{tsPDU(1, enquire, 1)},
			sd:   []dumpPDU{sdPDU(1, enquire, 1)},
			pdus: 1, fields: 3 + 4, // key, command_length, src, dst, stream
		},
		{
			name: "a request's status is not compared, a response's is",
			ts:   []tshark.PDU{tsPDU(1, enquire, 1), tsPDU(2, submitSMResp, 1)},
			sd:   []dumpPDU{sdPDU(1, enquire, 1), sdPDU(2, submitSMResp, 1)},
			tweak: func(ts []tshark.PDU, sd []dumpPDU) {
				sd[0].Status = 5
				sd[1].Status = 0x58
			},
			pdus: 2, fields: 7 + 8,
			diffs: []string{`frame 2 submit_sm_resp seq=1 command_status: tshark "0x00000000", smppdump "0x00000058"`},
		},
		{
			name: "empty strings, (Default) and the empty times are representation",
			ts: []tshark.PDU{tsPDU(1, bindTX, 1, "password=pw", "interface_version=52", "addr_ton=0x00", "addr_npi=0x00"),
				tsPDU(2, submitSM, 2, "service_type=(Default)", "schedule_delivery_time_r=0.000000000", "validity_period_r=86400.000000000")},
			sd: []dumpPDU{sdPDU(1, bindTX, 1, "system_id", "", "password", "pw", "system_type", "", "interface_version", 0x34,
				"addr_ton", 0, "addr_npi", 0, "address_range", ""),
				sdPDU(2, submitSM, 2, "service_type", "", "schedule_delivery_time", "", "validity_period", "000001000000000R")},
			pdus: 2, fields: 14 + 7 + 3,
		},
		{
			name: "a string tshark lacks or shows differently",
			ts:   []tshark.PDU{tsPDU(1, submitSM, 2, "service_type=CMT", "source_addr=12\uFFFD\uFFFD")},
			sd:   []dumpPDU{sdPDU(1, submitSM, 2, "service_type", "", "source_addr", "12é", "destination_addr", "999")},
			pdus: 1, fields: 7 + 3,
			diffs: []string{
				`frame 1 submit_sm seq=2 service_type: tshark "CMT", smppdump ""`,
				`frame 1 submit_sm seq=2 destination_addr: tshark "<absent>", smppdump "999"`,
			},
		},
		{
			name: "integers, bit fields, octets and times",
			ts: []tshark.PDU{tsPDU(1, submitSM, 2, "data_coding=0x08", "esm.submit.msg_mode=0x03", "esm.submit.msg_type=0x01",
				"esm.submit.features=0x01", "regdel.receipt=0x01", "regdel.acks=0x00", "regdel.notif=0x00",
				"message=74:65", "schedule_delivery_time=Jun 29, 2025 12:32:17.400000000 UTC")},
			sd: []dumpPDU{sdPDU(1, submitSM, 2, "data_coding", 8, "esm_class", 0x47, "registered_delivery", 0x11,
				"short_message", "7465", "schedule_delivery_time", "250629133217404+")},
			pdus: 1, fields: 7 + 5,
			diffs: []string{`frame 1 submit_sm seq=2 registered_delivery: tshark "1", smppdump "17"`},
		},
		{
			name: "PDUs on one side only; pairing as a multiset",
			ts:   []tshark.PDU{tsPDU(1, enquire, 1), tsPDU(1, enquire, 1), tsPDU(3, enquire, 2)},
			sd:   []dumpPDU{sdPDU(1, enquire, 1), sdPDU(1, enquire, 1), sdPDU(4, enquire, 2)},
			pdus: 2, fields: 2 * 7,
			diffs: []string{
				`frame 3 enquire_link seq=2 pdu: tshark "present", smppdump "<absent>"`,
				`frame 4 enquire_link seq=2 pdu: tshark "<absent>", smppdump "present"`,
			},
		},
		{
			name: "the connection split must agree, not the numbers",
			ts:   []tshark.PDU{tsPDU(1, enquire, 1), tsPDU(2, enquire, 2), tsPDU(3, enquire, 3)},
			sd:   []dumpPDU{sdPDU(1, enquire, 1), sdPDU(2, enquire, 2), sdPDU(3, enquire, 3)},
			tweak: func(ts []tshark.PDU, sd []dumpPDU) {
				ts[0].Stream, ts[1].Stream, ts[2].Stream = 4, 4, 7
				sd[0].Stream, sd[1].Stream, sd[2].Stream = 0, 1, 1
			},
			pdus: 3, fields: 3 * 7,
			diffs: []string{
				`frame 2 enquire_link seq=2 stream: tshark "4~0", smppdump "4~1"`,
				`frame 3 enquire_link seq=3 stream: tshark "7~1", smppdump "4~1"`,
			},
		},
		{
			name: "message_id: response field, receipt TLV, absent when empty",
			ts:   []tshark.PDU{tsPDU(1, submitSMResp, 2), tsPDU(2, 5, 3), tsPDU(3, 0x80000005, 3)},
			sd:   []dumpPDU{sdPDU(1, submitSMResp, 2, "message_id", "abc"), sdPDU(2, 5, 3), sdPDU(3, 0x80000005, 3, "message_id", "")},
			tweak: func(ts []tshark.PDU, sd []dumpPDU) {
				ts[0].MessageID, ts[0].HasMessageID = "abc", true
				ts[1].TLVs = []tshark.TLV{{Tag: 0x1e, Length: 4, Fields: map[string]string{"receipted_message_id": "abd"}}}
				ts[1].Fields["receipted_message_id"] = "abd"
				ts[1].All = append(ts[1].All, tshark.Field{Name: "receipted_message_id", Value: "abd"})
				id1, id2, id3 := "abc", "abc", ""
				sd[0].MessageID, sd[1].MessageID, sd[2].MessageID = &id1, &id2, &id3
				sd[1].TLVs = []dumpTLV{{Tag: 0x1e, Name: "receipted_message_id", Length: 4, Value: json.RawMessage(`"abc"`)}}
			},
			pdus: 3, fields: 3*7 + 2 + 3 + 4, // + statuses, message_ids, TLV count/tag/length/value
			diffs: []string{
				`frame 2 deliver_sm seq=3 message_id: tshark "abd", smppdump "abc"`,
				`frame 2 deliver_sm seq=3 tlvs[0].receipted_message_id: tshark "abd", smppdump "abc"`,
			},
		},
		{
			name: "TLVs: count, tag, length and typed values",
			ts:   []tshark.PDU{tsPDU(1, submitSM, 2)},
			sd:   []dumpPDU{sdPDU(1, submitSM, 2)},
			tweak: func(ts []tshark.PDU, sd []dumpPDU) {
				ts[0].TLVs = []tshark.TLV{
					{Tag: 0x020c, Length: 2, Fields: map[string]string{"sar_msg_ref_num": "4660"}},
					{Tag: 0x1401, Length: 2, Fields: map[string]string{"vendor_op": "01:02"}},
					{Tag: 0x0423, Length: 3, Fields: map[string]string{"network_error.type": "3", "network_error.code": "0x0005"}},
					{Tag: 0x020f, Length: 1, Fields: map[string]string{"sar_segment_seqnum": "1"}},
				}
				sd[0].TLVs = []dumpTLV{
					{Tag: 0x020c, Length: 2, Value: json.RawMessage(`"1234"`)},
					{Tag: 0x1401, Length: 2, Value: json.RawMessage(`"0102"`)},
					{Tag: 0x0423, Length: 3, Value: json.RawMessage(`"030006"`)},
				}
			},
			pdus: 1, fields: 7 + 1 + 3*3,
			diffs: []string{
				`frame 1 submit_sm seq=2 tlvs.count: tshark "4", smppdump "3"`,
				`frame 1 submit_sm seq=2 tlvs[2].network_error_code: tshark "030005", smppdump "030006"`,
			},
		},
		{
			name: "text only where both decode the same alphabet",
			ts: []tshark.PDU{tsPDU(1, submitSM, 2, "data_coding=0x00", "message_text=a_b"),
				tsPDU(2, submitSM, 3, "data_coding=0x00", "message_text=packed?"),
				tsPDU(3, submitSM, 4, "data_coding=0x08", "message_text=x")},
			sd: []dumpPDU{sdPDU(1, submitSM, 2, "data_coding", 0), sdPDU(2, submitSM, 3, "data_coding", 0),
				sdPDU(3, submitSM, 4, "data_coding", 8)},
			tweak: func(ts []tshark.PDU, sd []dumpPDU) {
				sd[0].UserData = &dumpUserData{Encoding: "gsm7", Text: "a_b"}
				sd[1].UserData = &dumpUserData{Encoding: "gsm7-packed", Text: "packed"}
			},
			pdus: 3, fields: 3*8 + 1 + 1,
			diffs: []string{`frame 3 submit_sm seq=4 text: tshark "x", smppdump "<absent>"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.tweak != nil {
				tt.tweak(tt.ts, tt.sd)
			}
			r := compareOracle(tt.ts, tt.sd)
			var got []string
			for _, d := range r.Diffs {
				got = append(got, d.String())
			}
			require.Equal(t, tt.diffs, got)
			require.Equal(t, tt.pdus, r.PDUs)
			require.Equal(t, tt.fields, r.Fields)
		})
	}
}

func TestTsharkTime(t *testing.T) {
	tests := []struct {
		name, field, in, want string
	}{
		{"empty", "validity_period", "", "validity_period_r=0.000000000"},
		{"empty final_date is left out", "final_date", "", ""},
		{"relative days", "validity_period", "000001000000000R", "validity_period_r=86400.000000000"},
		{"relative hh:mm:ss", "validity_period", "000000013005000R", "validity_period_r=5405.000000000"},
		{"relative with years and months is not converted", "validity_period", "020610233429000R", "validity_period_r=020610233429000R"},
		{"absolute ahead of UTC", "schedule_delivery_time", "240115123000004+", "schedule_delivery_time=Jan 15, 2024 11:30:00.000000000 UTC"},
		{"absolute behind UTC, tenths, day padded", "schedule_delivery_time", "991231235959908-", "schedule_delivery_time=Jan  1, 2000 01:59:59.900000000 UTC"},
		{"century pivot 38", "final_date", "380101000000000+", "final_date=Jan  1, 1938 00:00:00.000000000 UTC"},
		{"century pivot 37", "final_date", "370101000000000+", "final_date=Jan  1, 2037 00:00:00.000000000 UTC"},
		{"twelve-character local time kept raw", "final_date", "260302090100", "final_date=260302090100"},
		{"bad sign kept raw", "final_date", "260302090100000X", "final_date=260302090100000X"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tsharkTime(tt.field, tt.in))
		})
	}
}

func TestTsharkString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"", ""},
		{"café", "caf\uFFFD\uFFFD"},
		{"a\uFFFDb", "a\uFFFDb"},
		{"€", "\uFFFD\uFFFD\uFFFD"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tsharkString(tt.in), "%q", tt.in)
	}
}
