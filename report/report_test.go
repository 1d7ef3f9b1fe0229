package report

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/decode"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 123456000, time.UTC)

func meta(frame, stream int, fromESME bool) Meta {
	esme, smsc := netip.MustParseAddrPort("10.0.0.10:40001"), netip.MustParseAddrPort("10.0.0.1:2775")
	m := Meta{Frame: frame, Time: t0.Add(time.Duration(frame) * time.Millisecond), Stream: stream, Src: esme, Dst: smsc, Dir: "c>s"}
	if !fromESME {
		m.Src, m.Dst, m.Dir = smsc, esme, "s>c"
	}
	return m
}

func encode(t *testing.T, p *decode.PDU) []byte {
	t.Helper()
	b, err := p.Marshal()
	require.NoError(t, err)
	return b
}

// conversation is a small exchange touching every detail the writers print.
func conversation(t *testing.T) []struct {
	m   Meta
	raw []byte
} {
	bind := decode.New(decode.BindTransceiver, 0, 1).SetString(decode.FieldSystemID, "acme").
		SetString(decode.FieldPassword, "s3cret").SetInt(decode.FieldInterfaceVersion, 0x34)
	bindResp := decode.New(decode.BindTransceiverResp, 0, 1).SetString(decode.FieldSystemID, "SMSC").
		AddTLVInt(decode.TagSCInterfaceVersion, 0x34)
	sub := decode.New(decode.SubmitSM, 0, 2).SetInt(decode.FieldSourceAddrTON, 5).SetString(decode.FieldSourceAddr, "ACME").
		SetInt(decode.FieldDestAddrTON, 1).SetInt(decode.FieldDestAddrNPI, 1).SetString(decode.FieldDestinationAddr, "447700900123").
		SetInt(decode.FieldRegisteredDelivery, 1).SetInt(decode.FieldDataCoding, 1).SetBytes(decode.FieldShortMessage, []byte("Hi \x1b[31m\"there\"\n"))
	resp := decode.New(decode.SubmitSMResp, 0, 2).SetString(decode.FieldMessageID, "1a2b3c")
	sub2 := decode.New(decode.SubmitSM, 0, 3).SetString(decode.FieldDestinationAddr, "447700900123").SetString(decode.FieldShortMessage, "again")
	throttled := decode.New(decode.SubmitSMResp, decode.StatusThrottled, 3)
	throttled.Values = throttled.Values[:0]
	dlr := decode.New(decode.DeliverSM, 0, 7).SetInt(decode.FieldESMClass, 4).SetString(decode.FieldDestinationAddr, "ACME").
		SetString(decode.FieldShortMessage, "id:1a2b3c sub:001 dlvrd:001 submit date:2603020900 done date:2603020901 stat:DELIVRD err:000 text:Hi").
		AddTLVString(decode.TagReceiptedMessageID, "1a2b3c").AddTLVInt(decode.TagMessageState, 2)
	bad := decode.New(decode.EnquireLink, 5, 0) // request with a status and seq 0
	return []struct {
		m   Meta
		raw []byte
	}{
		{meta(1, 0, true), encode(t, bind)},
		{meta(2, 0, false), encode(t, bindResp)},
		{meta(3, 0, true), encode(t, sub)},
		{meta(4, 0, false), encode(t, resp)},
		{meta(5, 0, true), encode(t, sub2)},
		{meta(6, 0, false), encode(t, throttled)},
		{meta(7, 0, false), encode(t, dlr)},
		{meta(8, 0, true), encode(t, bad)},
	}
}

func runAll(t *testing.T, f Format, opts []Option, aopts ...AnalyzerOption) string {
	t.Helper()
	var out bytes.Buffer
	w, err := New(f, append([]Option{WithOutput(&out)}, opts...)...)
	require.NoError(t, err)
	a := NewAnalyzer(w, aopts...)
	for _, c := range conversation(t) {
		require.NoError(t, a.PDU(c.m, c.raw))
	}
	require.NoError(t, a.Gap(GapRecord{Meta: meta(9, 0, false), Bytes: 42, Reason: "loss"}))
	require.NoError(t, a.Finish([]Counter{{"packets", 9}}))
	return out.String()
}

func TestTextLines(t *testing.T) {
	out := runAll(t, FormatText, []Option{WithSummary(false)})
	want := []string{
		`09:00:00.124456 10.0.0.10:40001 > 10.0.0.1:2775 #0 bind_transceiver seq=1 system_id=acme password=******** system_type="" version=3.4`,
		`09:00:00.125456 10.0.0.1:2775 > 10.0.0.10:40001 #0 bind_transceiver_resp ESME_ROK seq=1 latency=1.000ms system_id=SMSC sc_version=3.4`,
		`09:00:00.126456 10.0.0.10:40001 > 10.0.0.1:2775 #0 submit_sm seq=2 src=5/0:ACME dst=1/1:447700900123 dlr=1 dc=1 "Hi \x1b[31m\"there\"\n"`,
		`09:00:00.127456 10.0.0.1:2775 > 10.0.0.10:40001 #0 submit_sm_resp ESME_ROK seq=2 latency=1.000ms id=1a2b3c`,
		`09:00:00.128456 10.0.0.10:40001 > 10.0.0.1:2775 #0 submit_sm seq=3 src=0/0:"" dst=0/0:447700900123 dc=0 "again"`,
		`09:00:00.129456 10.0.0.1:2775 > 10.0.0.10:40001 #0 submit_sm_resp ESME_RTHROTTLED seq=3 latency=1.000ms`,
		`09:00:00.130456 10.0.0.1:2775 > 10.0.0.10:40001 #0 deliver_sm seq=7 src=0/0:"" dst=0/0:ACME esm=0x04 dc=0 receipt id=1a2b3c stat=DELIVRD err=000 receipted_id=1a2b3c`,
		`09:00:00.131456 10.0.0.10:40001 > 10.0.0.1:2775 #0 enquire_link status=ESME_RALYBND seq=0 [error:HDR-11 error:HDR-09]`,
		`09:00:00.132456 10.0.0.1:2775 > 10.0.0.10:40001 #0 GAP 42 bytes (loss) frame 9`,
	}
	require.Equal(t, strings.Join(want, "\n")+"\n", out)
	require.NotContains(t, out, "\x1b", "control bytes must be escaped")
}

func TestShowSecrets(t *testing.T) {
	out := runAll(t, FormatText, []Option{WithSummary(false)}, ShowSecrets(true))
	require.Contains(t, out, "password=s3cret")
	out = runAll(t, FormatJSON, nil)
	require.NotContains(t, out, "s3cret")
}

func TestJSONLines(t *testing.T) {
	out := runAll(t, FormatJSON, nil)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 12) // 8 PDUs, a gap, 2 messages, the summary
	var recs, msgs []map[string]any
	for _, l := range lines {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		if m["type"] == "message" {
			msgs = append(msgs, m) // written when each message completes
			continue
		}
		recs = append(recs, m)
	}
	require.Equal(t, "submit_sm_resp", recs[5]["command"])
	require.Equal(t, "message", func() string {
		var m map[string]any
		_ = json.Unmarshal([]byte(lines[6]), &m)
		return m["type"].(string)
	}(),
		"the throttled message is complete at its response and written right after it")
	for _, r := range recs[:8] {
		require.Equal(t, "pdu", r["type"])
		for _, k := range []string{"frame", "time", "stream", "src", "dst", "command", "command_id", "status", "status_name", "seq", "length", "body", "tlvs", "issues"} {
			require.Contains(t, r, k)
		}
	}
	sub := recs[2]
	require.Equal(t, "submit_sm", sub["command"])
	require.Equal(t, float64(4), sub["command_id"])
	require.Equal(t, "2026-03-02T09:00:00.126456Z", sub["time"])
	body := sub["body"].(map[string]any)
	require.Equal(t, "447700900123", body["destination_addr"])
	require.Equal(t, float64(1), body["registered_delivery"])
	require.Equal(t, "Hi \x1b[31m\"there\"\n", sub["user_data"].(map[string]any)["text"])
	require.Equal(t, "1a2b3c", recs[3]["message_id"])
	require.Equal(t, float64(1), recs[3]["resp_latency_ms"])
	require.Equal(t, float64(3), recs[3]["request_frame"])
	require.Equal(t, "ESME_RTHROTTLED", recs[5]["status_name"])
	require.Equal(t, map[string]any{}, recs[5]["body"])
	dlr := recs[6]
	require.Equal(t, "1a2b3c", dlr["message_id"])
	require.Equal(t, "DELIVRD", dlr["receipt"].(map[string]any)["stat"])
	tlvs := dlr["tlvs"].([]any)
	require.Equal(t, map[string]any{"tag": float64(0x1e), "name": "receipted_message_id", "length": float64(7), "value": "1a2b3c"}, tlvs[0])
	require.Equal(t, map[string]any{"tag": float64(0x427), "name": "message_state", "length": float64(1), "value": float64(2)}, tlvs[1])
	issues := recs[7]["issues"].([]any)
	require.Len(t, issues, 2)
	require.Equal(t, "HDR-11", issues[0].(map[string]any)["code"])
	require.Equal(t, "error", issues[0].(map[string]any)["severity"])
	gap := recs[8]
	require.Equal(t, map[string]any{"type": "gap", "frame": float64(9), "time": "2026-03-02T09:00:00.132456Z", "stream": float64(0),
		"src": "10.0.0.1:2775", "dst": "10.0.0.10:40001", "dir": "s>c", "bytes": float64(42), "reason": "loss"}, gap)
	require.Len(t, msgs, 2)
	throttledMsg, msg := msgs[0], msgs[1]
	require.Equal(t, "message", msg["type"])
	require.Equal(t, "1a2b3c", msg["message_id"])
	require.Equal(t, "DELIVRD", msg["receipt_stat"])
	require.Equal(t, "exact", msg["match"])
	require.Equal(t, float64(4), msg["receipt_latency_ms"])
	require.Equal(t, float64(1), msg["receipts"])
	require.Equal(t, "ESME_RTHROTTLED", throttledMsg["resp_status_name"])
	require.Nil(t, throttledMsg["receipt_stat"])
	sum := recs[9]
	require.Equal(t, "summary", sum["type"])
	require.Equal(t, float64(8), sum["pdus"])
	require.Equal(t, float64(2), sum["requests_unanswered"]) // the receipt and the bad enquire_link
	require.Equal(t, float64(1), sum["receipts_matched"])
	binds := sum["binds"].([]any)
	require.Len(t, binds, 1)
	acme := binds[0].(map[string]any)
	require.Equal(t, "acme", acme["system_id"])
	require.Equal(t, float64(2), acme["submits"])
	require.Equal(t, float64(1), acme["accepted"])
	require.Equal(t, map[string]any{"ESME_RTHROTTLED": float64(1)}, acme["errors"])
	require.Equal(t, map[string]any{"DELIVRD": float64(1)}, acme["receipt_outcomes"])
	require.Equal(t, map[string]any{"bind_transceiver": float64(1), "bind_transceiver_resp": float64(1), "submit_sm": float64(2),
		"submit_sm_resp": float64(2), "deliver_sm": float64(1), "enquire_link": float64(1)}, sum["commands"])
	require.Equal(t, map[string]any{"ESME_ROK": float64(2), "ESME_RTHROTTLED": float64(1)}, sum["statuses"])
	require.Equal(t, float64(1), sum["gaps"])
	require.Equal(t, map[string]any{"packets": float64(9)}, sum["capture"])
}

func TestSummaryTables(t *testing.T) {
	out := runAll(t, FormatText, []Option{WithPDUs(false)})
	require.True(t, strings.HasPrefix(out, "8 PDUs in 1 connections, 1 gaps (42 bytes lost)\n"), out)
	for _, s := range []string{"submit_sm_resp", "0x80000004", "ESME_RTHROTTLED", "HDR-09", "SES-04", "packets"} {
		require.Contains(t, out, s)
	}
	require.NotContains(t, out, "GAP")
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"plain", "quote\" back\\slash", "ctl\x00\x01\x1f\x7f", "utf8 ü 😀", "bad \xff\xfe utf8", "line\u2028sep", "<html>&"} {
		b := appendJSONString(nil, s)
		var got string
		require.NoError(t, json.Unmarshal(b, &got), string(b))
		if strings.ToValidUTF8(s, "\ufffd") == s {
			require.Equal(t, s, got)
		}
	}
}
