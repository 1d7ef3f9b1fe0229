package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/internal/smppgen"
)

const ms = time.Millisecond

var (
	shop  = smppgen.Alpha("Shop")
	alice = smppgen.Intl("447700900001")
)

func submitMsg(text string) *decode.PDU {
	return smppgen.SubmitSM(smppgen.Message{Src: shop, Dst: alice, Registered: 1, UserData: smppgen.MustGSM7(text)})
}

func receiptFor(id, stat string) *decode.PDU {
	return smppgen.Receipt(shop, alice, id, stat, "000", t0, t0.Add(time.Second), "")
}

// receiptTextOnly is a receipt whose id is only in the text (no TLV).
func receiptTextOnly(textID, stat string) *decode.PDU {
	return smppgen.DeliverSM(smppgen.Message{Src: alice, Dst: shop, ESMClass: 0x04,
		UserData: []byte(smppgen.ReceiptText(textID, stat, "000", t0, t0.Add(time.Second), ""))})
}

func messages(t *testing.T, recs map[string][]map[string]any) []map[string]any {
	t.Helper()
	require.Len(t, recs["summary"], 1)
	return recs["message"]
}

func TestCorrelationReceiptOnSeparateReceiverBind(t *testing.T) {
	s := newScenario(t)
	tx := s.session("10.9.0.2:41000", 0, false)
	rx := s.session("10.9.0.2:41001", 1*ms, false)
	s.bind(tx, decode.BindTransmitter, "acct")
	s.bind(rx, decode.BindReceiver, "acct")
	sub := submitMsg("hello")
	s.esme(tx, sub)
	tx.Wait(20 * ms)
	s.smsc(tx, smppgen.Resp(sub, 0, "a1b2"))
	rx.Wait(2 * time.Second)
	dlr := receiptFor("a1b2", "DELIVRD")
	s.smsc(rx, dlr)
	s.esme(rx, smppgen.Resp(dlr, 0, ""))
	recs := runJSON(t, s.file())
	msgs := messages(t, recs)
	require.Len(t, msgs, 1)
	m := msgs[0]
	require.Equal(t, "a1b2", m["message_id"])
	require.Equal(t, "DELIVRD", m["receipt_stat"])
	require.Equal(t, "exact", m["match"])
	require.Equal(t, float64(1), m["receipts"])
	require.Equal(t, float64(0), m["stream"])
	require.Equal(t, "hello", m["text"])
	sum := recs["summary"][0]
	require.Equal(t, float64(1), sum["receipts_matched"])
	require.Equal(t, float64(0), sum["receipts_orphan"])
	require.Equal(t, float64(0), sum["receipts_missing"])
}

func TestCorrelationReceiptBeforeResponse(t *testing.T) {
	s := newScenario(t)
	trx := s.session("10.9.0.3:41000", 0, false)
	s.bind(trx, decode.BindTransceiver, "fast")
	sub := submitMsg("race")
	s.esme(trx, sub)
	trx.Wait(5 * ms)
	dlr := receiptFor("77", "DELIVRD")
	s.smsc(trx, dlr) // the receipt overtakes the response
	s.esme(trx, smppgen.Resp(dlr, 0, ""))
	trx.Wait(5 * ms)
	s.smsc(trx, smppgen.Resp(sub, 0, "77"))
	recs := runJSON(t, s.file())
	m := messages(t, recs)[0]
	require.Equal(t, "77", m["message_id"])
	require.Equal(t, "DELIVRD", m["receipt_stat"])
	require.Equal(t, "exact", m["match"])
	require.Equal(t, float64(1), recs["summary"][0]["receipts_matched"])
	require.Equal(t, float64(0), recs["summary"][0]["receipts_orphan"])
}

func TestCorrelationIDForms(t *testing.T) {
	for _, tc := range []struct {
		name, respID, receiptID, rule string
	}{
		{"hex response, decimal receipt", "1f4a0", "128160", "hex-dec"},
		{"decimal response, hex receipt", "128160", "1F4A0", "hex-dec"},
		{"case", "AbC123", "abc123", "case"},
		{"leading zeros", "000482", "482", "leading-zeros"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScenario(t)
			trx := s.session("10.9.0.4:41000", 0, false)
			s.bind(trx, decode.BindTransceiver, "ids")
			sub := submitMsg("x")
			s.esme(trx, sub)
			s.smsc(trx, smppgen.Resp(sub, 0, tc.respID))
			trx.Wait(time.Second)
			dlr := receiptTextOnly(tc.receiptID, "UNDELIV")
			s.smsc(trx, dlr)
			s.esme(trx, smppgen.Resp(dlr, 0, ""))
			m := messages(t, runJSON(t, s.file()))[0]
			require.Equal(t, tc.rule, m["match"])
			require.Equal(t, "UNDELIV", m["receipt_stat"])
		})
	}
}

func TestCorrelationMultipartWithMissingPart(t *testing.T) {
	s := newScenario(t)
	trx := s.session("10.9.0.5:41000", 0, false)
	s.bind(trx, decode.BindTransceiver, "multi")
	parts := smppgen.Concat(smppgen.MustGSM7("part one text part two text part three"), 9, 13)
	require.Len(t, parts, 3)
	var subs []*decode.PDU
	for i, ud := range parts {
		if i == 1 {
			continue // part 2 never sent
		}
		subs = append(subs, smppgen.SubmitSM(smppgen.Message{Src: shop, Dst: alice, ESMClass: 0x40, Registered: 1, UserData: ud}))
	}
	s.esme(trx, subs...)
	for i, p := range subs {
		s.smsc(trx, smppgen.Resp(p, 0, fmt.Sprintf("m%d", i)))
	}
	trx.Wait(time.Second)
	for i := range subs {
		dlr := receiptFor(fmt.Sprintf("m%d", i), "DELIVRD")
		s.smsc(trx, dlr)
		s.esme(trx, smppgen.Resp(dlr, 0, ""))
	}
	recs := runJSON(t, s.file())
	msgs := messages(t, recs)
	require.Len(t, msgs, 1, "the parts form one message")
	m := msgs[0]
	require.Equal(t, float64(3), m["parts"])
	require.Equal(t, float64(2), m["parts_seen"])
	require.Equal(t, []any{"m0", "", "m1"}, m["message_ids"])
	require.Equal(t, "part one text…t part three", m["text"])
	require.Equal(t, float64(2), m["receipts"])
}

func TestCorrelationMidSessionCapture(t *testing.T) {
	s := newScenario(t)
	trx := s.session("10.9.0.6:41000", 0, true) // no handshake, no bind
	trx.SetSeq(true, 5000)
	sub := submitMsg("mid")
	s.esme(trx, sub)
	s.smsc(trx, smppgen.Resp(sub, 0, "mid1"))
	s.smsc(trx, smppgen.Resp(decode.New(decode.SubmitSM, 0, 4999), 0, "old")) // its request predates the capture
	trx.Wait(time.Second)
	dlr := receiptFor("mid1", "EXPIRED")
	s.smsc(trx, dlr)
	s.esme(trx, smppgen.Resp(dlr, 0, ""))
	orphan := receiptFor("never-seen", "DELIVRD")
	s.smsc(trx, orphan)
	recs := runJSON(t, s.file())
	msgs := messages(t, recs)
	require.Len(t, msgs, 1)
	require.Equal(t, "EXPIRED", msgs[0]["receipt_stat"])
	sum := recs["summary"][0]
	require.Equal(t, float64(1), sum["receipts_orphan"])
	require.Equal(t, float64(1), sum["receipts_matched"])
	// The response to a request from before the capture is SES-01, and
	// nothing else is flagged.
	issues := sum["issues"].(map[string]any)
	require.Contains(t, issues, "SES-01")
	require.NotContains(t, issues, "SES-07")
	require.NotContains(t, issues, "SES-06")
	binds := sum["binds"].([]any)
	require.Equal(t, "(no bind seen)", binds[0].(map[string]any)["system_id"])
}
