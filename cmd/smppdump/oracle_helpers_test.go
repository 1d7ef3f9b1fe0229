package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/internal/tshark"
)

// This file holds the machinery of the oracle comparison (oracle_test.go):
// running smppdump, pairing its pdu records with tshark's PDUs, and the
// rules that turn tshark's representation and smppdump's into comparable
// strings.

// dumpPDU is one {"type":"pdu"} record of smppdump --json.
type dumpPDU struct {
	Type      string                     `json:"type"`
	Frame     int                        `json:"frame"`
	Stream    int                        `json:"stream"`
	Src       string                     `json:"src"`
	Dst       string                     `json:"dst"`
	Command   string                     `json:"command"`
	CommandID uint32                     `json:"command_id"`
	Status    uint32                     `json:"status"`
	Seq       uint32                     `json:"seq"`
	Length    uint32                     `json:"length"`
	MessageID *string                    `json:"message_id"`
	Body      map[string]json.RawMessage `json:"body"`
	TLVs      []dumpTLV                  `json:"tlvs"`
	UserData  *dumpUserData              `json:"user_data"`
}

type dumpTLV struct {
	Tag    uint16          `json:"tag"`
	Name   string          `json:"name"`
	Length int             `json:"length"`
	Value  json.RawMessage `json:"value"`
}

type dumpUserData struct {
	Source   string `json:"source"`
	Encoding string `json:"encoding"`
	Text     string `json:"text"`
}

// runDump runs smppdump on path the way the oracle needs it: JSON lines, no
// summary, passwords shown (tshark shows them), and only the given ports
// decoded as SMPP, with the heuristic off, as tshark is run, and with
// --keep-duplicates: tshark dissects both copies of a conversation captured
// twice under two 4-tuples (smpp_loss's NAT copies), which smppdump by
// default counts once (TestDuplicateCaptureCountedOnce checks that). It
// returns the pdu records in output order.
func runDump(t *testing.T, path string, ports []int) []dumpPDU {
	t.Helper()
	ps := make([]string, len(ports))
	for i, p := range ports {
		ps[i] = strconv.Itoa(p)
	}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"--json", "--no-summary", "--show-secrets", "--no-heuristic", "--keep-duplicates",
		"-p", strings.Join(ps, ","), path}, strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, exitOK, code, "smppdump %s: %s", path, stderr.String())
	require.Empty(t, stderr.String())
	var out []dumpPDU
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var head struct {
			Type string `json:"type"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &head), "%s", sc.Bytes())
		if head.Type != "pdu" {
			continue
		}
		var p dumpPDU
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&p), "%s", sc.Bytes())
		out = append(out, p)
	}
	require.NoError(t, sc.Err())
	return out
}

// oracleDiff is one disagreement between tshark and smppdump.
type oracleDiff struct {
	Frame    int
	PDU      string // "submit_sm seq=5"
	Field    string
	TShark   string
	Smppdump string
}

func (d oracleDiff) String() string {
	return fmt.Sprintf("frame %d %s %s: tshark %q, smppdump %q", d.Frame, d.PDU, d.Field, d.TShark, d.Smppdump)
}

// oracleResult is the outcome of comparing one capture.
type oracleResult struct {
	PDUs   int // PDUs present in both and compared field by field
	Fields int // field comparisons made, the matching key included
	Diffs  []oracleDiff
	// Uncompared counts tshark fields that no rule compares (a coverage
	// note for the log, not a failure).
	Uncompared map[string]int
}

func (r *oracleResult) check(frame int, pdu, field, ts, sd string) {
	r.Fields++
	if ts != sd {
		r.Diffs = append(r.Diffs, oracleDiff{Frame: frame, PDU: pdu, Field: field, TShark: ts, Smppdump: sd})
	}
}

func pduLabel(id, seq uint32) string {
	return fmt.Sprintf("%s seq=%d", decode.CommandName(decode.CommandID(id)), seq)
}

const absent = "<absent>"

// pduKey is how PDUs are paired: the frame that completed the PDU, its
// command_id and its sequence_number. Both sides may hold several PDUs with
// the same key (a retransmitted request in one frame); they are paired in
// order.
type pduKey struct {
	frame int
	id    uint32
	seq   uint32
}

// compareOracle pairs tshark's PDUs with smppdump's records as a multiset on
// (frame, command_id, sequence_number) and compares every pair field by
// field. A PDU on one side only is a difference on the field "pdu".
func compareOracle(ts []tshark.PDU, sd []dumpPDU) oracleResult {
	r := oracleResult{Uncompared: map[string]int{}}
	pending := map[pduKey][]int{}
	for i, d := range sd {
		k := pduKey{d.Frame, d.CommandID, d.Seq}
		pending[k] = append(pending[k], i)
	}
	streams := newStreamPairing()
	for _, tp := range ts {
		k := pduKey{tp.Frame, tp.CommandID, tp.Seq}
		label := pduLabel(tp.CommandID, tp.Seq)
		idx := pending[k]
		if len(idx) == 0 {
			r.Diffs = append(r.Diffs, oracleDiff{Frame: tp.Frame, PDU: label, Field: "pdu", TShark: "present", Smppdump: absent})
			continue
		}
		pending[k] = idx[1:]
		r.PDUs++
		r.Fields += 3 // frame, command_id and sequence_number agree by pairing
		comparePDU(&r, tp, &sd[idx[0]], streams)
	}
	var left []oracleDiff
	for _, idx := range pending {
		for _, i := range idx {
			d := sd[i]
			left = append(left, oracleDiff{Frame: d.Frame, PDU: pduLabel(d.CommandID, d.Seq), Field: "pdu", TShark: absent, Smppdump: "present"})
		}
	}
	sort.Slice(left, func(i, j int) bool {
		if left[i].Frame != left[j].Frame {
			return left[i].Frame < left[j].Frame
		}
		return left[i].PDU < left[j].PDU
	})
	r.Diffs = append(r.Diffs, left...)
	return r
}

// streamPairing checks that tshark's tcp.stream and smppdump's stream split
// the PDUs into the same connections. The numbers themselves differ by
// design: tshark counts every TCP connection of the capture, smppdump only
// those that carry SMPP.
type streamPairing struct{ t2s, s2t map[int]int }

func newStreamPairing() *streamPairing {
	return &streamPairing{t2s: map[int]int{}, s2t: map[int]int{}}
}

// pair returns "T~S" as tshark's side sees it (T with the smppdump stream
// first paired with T) and as smppdump's side sees it; they are equal when
// the pairing is consistent.
func (p *streamPairing) pair(ts, ss int) (string, string) {
	wantS, ok := p.t2s[ts]
	if !ok {
		p.t2s[ts], wantS = ss, ss
	}
	wantT, ok := p.s2t[ss]
	if !ok {
		p.s2t[ss], wantT = ts, ts
	}
	return fmt.Sprintf("%d~%d", ts, wantS), fmt.Sprintf("%d~%d", wantT, ss)
}

// Field kinds of the comparison table.
type fieldKind uint8

const (
	kindCString     fieldKind = iota // C-octet string: tshark leaves out empty ones
	kindServiceType                  // C-octet string printed "(Default)" when empty
	kindInt                          // tshark "0x%02x" or decimal; smppdump a number
	kindESMClass                     // tshark's esm.submit.* bit fields
	kindRegDel                       // tshark's regdel.* bit fields
	kindOctets                       // tshark "aa:bb"; smppdump lowercase hex
	kindTime                         // see tsharkTime
)

// bodyField maps a mandatory field of smppdump's body to tshark's name.
type bodyField struct {
	name   string // smppdump body key (the spec's snake_case name)
	tshark string // tshark field without "smpp."; "" for the bit-field kinds
	kind   fieldKind
}

// bodyFields are the mandatory fields compared. tshark's esm_class and
// registered_delivery bit fields and its *_r relative times are consumed by
// the esm_class, registered_delivery and time rules.
var bodyFields = []bodyField{
	{"system_id", "system_id", kindCString},
	{"password", "password", kindCString},
	{"system_type", "system_type", kindCString},
	{"interface_version", "interface_version", kindInt},
	{"addr_ton", "addr_ton", kindInt},
	{"addr_npi", "addr_npi", kindInt},
	{"address_range", "address_range", kindCString},
	{"service_type", "service_type", kindServiceType},
	{"source_addr_ton", "source_addr_ton", kindInt},
	{"source_addr_npi", "source_addr_npi", kindInt},
	{"source_addr", "source_addr", kindCString},
	{"dest_addr_ton", "dest_addr_ton", kindInt},
	{"dest_addr_npi", "dest_addr_npi", kindInt},
	{"destination_addr", "destination_addr", kindCString},
	{"esm_class", "", kindESMClass},
	{"protocol_id", "protocol_id", kindInt},
	{"priority_flag", "priority_flag", kindInt},
	{"schedule_delivery_time", "schedule_delivery_time", kindTime},
	{"validity_period", "validity_period", kindTime},
	{"registered_delivery", "", kindRegDel},
	{"replace_if_present_flag", "replace_if_present_flag", kindInt},
	{"data_coding", "data_coding", kindInt},
	{"sm_default_msg_id", "sm_default_msg_id", kindInt},
	{"sm_length", "sm_length", kindInt},
	{"short_message", "message", kindOctets},
	{"final_date", "final_date", kindTime},
	{"message_state", "message_state", kindInt},
	{"error_code", "error_code", kindInt},
	{"esme_addr_ton", "esme_addr_ton", kindInt},
	{"esme_addr_npi", "esme_addr_npi", kindInt},
	{"esme_addr", "esme_addr", kindCString},
}

// consumedFields are tshark fields that the rules above read under another
// name, so they are not reported as uncompared.
var consumedFields = map[string]bool{
	"esm.submit.msg_mode": true, "esm.submit.msg_type": true, "esm.submit.features": true,
	"regdel.receipt": true, "regdel.acks": true, "regdel.notif": true,
	"schedule_delivery_time_r": true, "validity_period_r": true,
	"message_text":  true,
	"opt_param_tag": true, "opt_param_len": true, // compared as each TLV's tag and length
}

// tlvValueKinds says how to compare the value of a TLV, by the name of the
// field tshark decodes it into. TLVs whose field is not listed have their
// tag and length compared only, and the field is logged as uncompared.
var tlvValueKinds = map[string]fieldKind{
	"receipted_message_id":        kindCString,
	"additional_status_info_text": kindCString,
	"message_state":               kindInt,
	"sar_msg_ref_num":             kindInt,
	"sar_total_segments":          kindInt,
	"sar_segment_seqnum":          kindInt,
	"SC_interface_version":        kindInt,
	"user_message_reference":      kindInt,
	"source_port":                 kindInt,
	"destination_port":            kindInt,
	"payload_type":                kindInt,
	"language_indicator":          kindInt,
	"delivery_failure_reason":     kindInt,
	"more_messages_to_send":       kindInt,
	"number_of_messages":          kindInt,
	"message_payload":             kindOctets,
	"vendor_op":                   kindOctets,
	"reserved_op":                 kindOctets,
}

// comparePDU compares one pair.
func comparePDU(r *oracleResult, tp tshark.PDU, d *dumpPDU, streams *streamPairing) {
	f, label := tp.Frame, pduLabel(tp.CommandID, tp.Seq)
	r.check(f, label, "command_length", strconv.FormatUint(uint64(tp.CommandLength), 10), strconv.FormatUint(uint64(d.Length), 10))
	// tshark prints command_status for responses only (normalised: a
	// request's status is not compared).
	if tp.HasStatus {
		r.check(f, label, "command_status", fmt.Sprintf("0x%08x", tp.Status), fmt.Sprintf("0x%08x", d.Status))
	}
	// message_id: the response's (or query/cancel/replace's) message_id
	// field, else a receipt's receipted_message_id TLV, which is what
	// smppdump's top-level message_id holds. tshark leaves out an empty
	// message_id, so absent and "" are the same.
	tmid := tp.MessageID
	if !tp.HasMessageID {
		tmid = tp.Fields["receipted_message_id"]
	}
	smid := ""
	if d.MessageID != nil {
		smid = *d.MessageID
	}
	if tp.HasMessageID || tmid != "" || d.MessageID != nil {
		r.check(f, label, "message_id", tmid, tsharkString(smid))
	}
	r.check(f, label, "src", tp.Src.String(), d.Src)
	r.check(f, label, "dst", tp.Dst.String(), d.Dst)
	tsPair, sdPair := streams.pair(tp.Stream, d.Stream)
	r.check(f, label, "stream", tsPair, sdPair)

	tlvNames := map[string]bool{}
	for _, t := range tp.TLVs {
		for n := range t.Fields {
			tlvNames[n] = true
		}
	}
	body := map[string]string{} // tshark's body fields, first value
	for _, fl := range tp.All {
		if tlvNames[fl.Name] {
			continue
		}
		if _, dup := body[fl.Name]; !dup {
			body[fl.Name] = fl.Value
		}
	}
	used := map[string]bool{
		"command_length": true, "command_id": true, "command_status": true,
		"sequence_number": true, "message_id": true,
	}
	listed := compareLists(r, tp, d, used)
	for _, bf := range bodyFields {
		if !listed[bf.name] {
			compareBodyField(r, tp, d, body, bf, used)
		}
	}
	compareTLVs(r, tp, d)
	compareText(r, tp, d)
	for name := range body {
		if !used[name] && !consumedFields[name] {
			r.Uncompared[name]++
		}
	}
}

func compareBodyField(r *oracleResult, tp tshark.PDU, d *dumpPDU, body map[string]string, bf bodyField, used map[string]bool) {
	f, label := tp.Frame, pduLabel(tp.CommandID, tp.Seq)
	raw, sok := d.Body[bf.name]
	if bf.tshark != "" {
		used[bf.tshark] = true
	}
	switch bf.kind {
	case kindCString, kindServiceType:
		tv, tok := body[bf.tshark]
		if !tok && !sok {
			return
		}
		sv := absent
		if sok {
			sv = tsharkString(jsonString(raw))
		}
		switch {
		case !tok && sv == "":
			tv = "" // tshark leaves out an empty C-octet string
		case !tok:
			tv = absent
		case bf.kind == kindServiceType && tv == "(Default)":
			tv = "" // tshark's label for the empty service_type
		}
		r.check(f, label, bf.name, tv, sv)
	case kindInt:
		tv, tok := body[bf.tshark]
		if !tok && !sok {
			return
		}
		r.check(f, label, bf.name, tsharkInt(tv, tok), jsonInt(raw, sok))
	case kindOctets:
		tv, tok := body[bf.tshark]
		if !tok && !sok {
			return
		}
		sv := absent
		if sok {
			sv = jsonString(raw)
		}
		switch {
		case tok:
			tv = strings.ReplaceAll(tv, ":", "")
		case sv == "":
			tv = "" // tshark leaves out an empty short_message when there are TLVs
		default:
			tv = absent
		}
		r.check(f, label, bf.name, tv, sv)
	case kindESMClass, kindRegDel:
		v, tok := tp.ESMClass()
		if bf.kind == kindRegDel {
			v, tok = tp.RegisteredDelivery()
		}
		if !tok && !sok {
			return
		}
		tv := absent
		if tok {
			tv = strconv.Itoa(int(v))
		}
		r.check(f, label, bf.name, tv, jsonInt(raw, sok))
	case kindTime:
		used[bf.tshark+"_r"] = true
		tv, tok := body[bf.tshark]
		if tok {
			tv = bf.tshark + "=" + tv
		} else if rv, ok := body[bf.tshark+"_r"]; ok {
			tv, tok = bf.tshark+"_r="+rv, true
		}
		if !tok && !sok {
			return
		}
		if !tok {
			tv = absent
		}
		sv := absent
		if sok {
			sv = tsharkTime(bf.tshark, jsonString(raw))
		}
		if !tok && sv == "" {
			tv = "" // an empty final_date is left out (see tsharkTime)
		}
		r.check(f, label, bf.name, tv, sv)
	}
}

// listFields are the fields of submit_multi's dest_address and
// submit_multi_resp's unsuccess_sme entries that tshark prints, once per
// entry (it prints neither dest_flag, number_of_dests nor no_unsuccess).
var listFields = map[string][]bodyField{
	"dest_address": {
		{"dest_addr_ton", "dest_addr_ton", kindInt},
		{"dest_addr_npi", "dest_addr_npi", kindInt},
		{"destination_addr", "destination_addr", kindCString},
		{"dl_name", "dl_name", kindCString},
	},
	"unsuccess_sme": {
		{"dest_addr_ton", "dest_addr_ton", kindInt},
		{"dest_addr_npi", "dest_addr_npi", kindInt},
		{"destination_addr", "destination_addr", kindCString},
		{"error_status_code", "error_status_code", kindInt},
	},
}

// compareLists compares the repeated fields of submit_multi(_resp): all of
// tshark's values of a field, in order, with the same field of every entry
// of smppdump's list. It returns the names it compared, which the
// single-valued rules then skip.
func compareLists(r *oracleResult, tp tshark.PDU, d *dumpPDU, used map[string]bool) map[string]bool {
	done := map[string]bool{}
	for list, fields := range listFields {
		raw, ok := d.Body[list]
		if !ok {
			continue
		}
		var entries []map[string]json.RawMessage
		if err := json.Unmarshal(raw, &entries); err != nil {
			r.check(tp.Frame, pduLabel(tp.CommandID, tp.Seq), list, "a list", "json:"+string(raw))
			continue
		}
		for _, lf := range fields {
			done[lf.name], used[lf.tshark] = true, true
			var tv, sv []string
			for _, v := range tp.Values(lf.tshark) {
				if lf.kind == kindInt {
					v = tsharkInt(v, true)
				}
				tv = append(tv, v)
			}
			for _, e := range entries {
				v, ok := e[lf.name]
				if !ok {
					continue
				}
				if lf.kind == kindInt {
					sv = append(sv, jsonInt(v, true))
				} else {
					sv = append(sv, tsharkString(jsonString(v)))
				}
			}
			if len(tv) == 0 && len(sv) == 0 {
				continue
			}
			r.check(tp.Frame, pduLabel(tp.CommandID, tp.Seq), list+"."+lf.name, strings.Join(tv, ","), strings.Join(sv, ","))
		}
	}
	return done
}

// compareTLVs compares the optional parameters in wire order: their number,
// then each one's tag, declared length and value.
func compareTLVs(r *oracleResult, tp tshark.PDU, d *dumpPDU) {
	f, label := tp.Frame, pduLabel(tp.CommandID, tp.Seq)
	if len(tp.TLVs) == 0 && len(d.TLVs) == 0 {
		return
	}
	r.check(f, label, "tlvs.count", strconv.Itoa(len(tp.TLVs)), strconv.Itoa(len(d.TLVs)))
	for i := range min(len(tp.TLVs), len(d.TLVs)) {
		tt, st := tp.TLVs[i], d.TLVs[i]
		pre := fmt.Sprintf("tlvs[%d].", i)
		r.check(f, label, pre+"tag", fmt.Sprintf("0x%04x", tt.Tag), fmt.Sprintf("0x%04x", st.Tag))
		r.check(f, label, pre+"length", strconv.Itoa(tt.Length), strconv.Itoa(st.Length))
		if tt.Tag != st.Tag {
			continue
		}
		if ty, ok := tt.Fields["network_error.type"]; ok {
			// network_error_code: one type octet and a two-octet code,
			// which smppdump prints as the TLV's hex.
			tc := tt.Fields["network_error.code"]
			tv, err1 := strconv.ParseUint(ty, 0, 8)
			cv, err2 := strconv.ParseUint(tc, 0, 16)
			want := absent
			if err1 == nil && err2 == nil {
				want = fmt.Sprintf("%02x%04x", tv, cv)
			}
			r.check(f, label, pre+"network_error_code", want, jsonString(st.Value))
			continue
		}
		for name, tv := range tt.Fields {
			kind, ok := tlvValueKinds[name]
			if !ok {
				r.Uncompared["tlv:"+name]++
				continue
			}
			switch kind {
			case kindCString:
				r.check(f, label, pre+name, tv, tsharkString(jsonString(st.Value)))
			case kindInt:
				r.check(f, label, pre+name, tsharkInt(tv, true), tlvInt(st.Value))
			case kindOctets:
				r.check(f, label, pre+name, strings.ReplaceAll(tv, ":", ""), tlvHex(st.Value, st.Length))
			}
		}
	}
}

// sameAlphabet lists, per data_coding, the encoding smppdump must report for
// its text to be comparable with tshark's message_text: tshark decodes
// data_coding 0 as unpacked GSM 7-bit (the smpp.decode_sms_over_smpp
// setting tshark.Dissect passes), 1 as ASCII, 3 as Latin-1, 6 and 7 as
// ISO-8859-5/-8, 8 as UCS-2. smppdump's "gsm7-packed" (packed septets
// detected in data_coding 0) is a different alphabet and is not compared.
var sameAlphabet = map[uint64]string{0: "gsm7", 1: "ascii", 3: "latin1", 6: "iso-8859-5", 7: "iso-8859-8", 8: "ucs2"}

// compareText compares tshark's message_text (the text after any UDH, of
// short_message or message_payload) with smppdump's user_data.text.
func compareText(r *oracleResult, tp tshark.PDU, d *dumpPDU) {
	tv, ok := tp.Fields["message_text"]
	if !ok {
		return
	}
	// replace_sm has no data_coding: both decode its text with the
	// default alphabet, as data_coding 0.
	dc, _ := tp.Uint("data_coding")
	want, known := sameAlphabet[dc]
	switch {
	case d.UserData == nil:
		r.check(tp.Frame, pduLabel(tp.CommandID, tp.Seq), "text", tv, absent)
	case !known || d.UserData.Encoding != want:
		r.Uncompared[fmt.Sprintf("message_text (data_coding %d, smppdump %s)", dc, d.UserData.Encoding)]++
	default:
		r.check(tp.Frame, pduLabel(tp.CommandID, tp.Seq), "text", tv, d.UserData.Text)
	}
}

// tsharkString renders a string the way tshark prints C-octet strings:
// every octet above 0x7f becomes U+FFFD. smppdump prints valid UTF-8 as is
// and each invalid octet as one U+FFFD, so a multi-byte character becomes
// one U+FFFD per octet.
func tsharkString(s string) string {
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf {
			b.WriteRune(r)
			continue
		}
		n := utf8.RuneLen(r)
		if r == utf8.RuneError {
			n = 1 // smppdump's mark for one invalid octet
		}
		b.WriteString(strings.Repeat("\uFFFD", n))
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// tsharkInt normalises tshark's "0x2a" or "42" to decimal.
func tsharkInt(v string, ok bool) string {
	if !ok {
		return absent
	}
	n, err := strconv.ParseUint(v, 0, 64)
	if err != nil {
		return "tshark:" + v
	}
	return strconv.FormatUint(n, 10)
}

func jsonString(raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "json:" + string(raw)
	}
	return s
}

func jsonInt(raw json.RawMessage, ok bool) string {
	if !ok {
		return absent
	}
	n, isNum := jsonNumber(raw)
	if !isNum {
		return "json:" + string(raw)
	}
	return n
}

// jsonNumber returns raw as a decimal string when it is a JSON number (and
// not a string, which json.Number would also accept when it holds digits).
func jsonNumber(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || raw[0] == '"' {
		return "", false
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", false
	}
	return n.String(), true
}

// tlvInt normalises smppdump's TLV value for an integer TLV: a number, or
// hex when smppdump does not read the TLV as an integer (an unexpected
// length), taken as a big-endian integer.
func tlvInt(raw json.RawMessage) string {
	if n, ok := jsonNumber(raw); ok {
		return n
	}
	b, err := hex.DecodeString(jsonString(raw))
	if err != nil || len(b) == 0 || len(b) > 8 {
		return "json:" + string(raw)
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return strconv.FormatUint(v, 10)
}

// tlvHex normalises smppdump's TLV value for an octet-string TLV: hex, or
// a number (a TLV smppdump reads as an integer) written big-endian in the
// TLV's length.
func tlvHex(raw json.RawMessage, length int) string {
	if n, ok := jsonNumber(raw); ok {
		v, err := strconv.ParseUint(n, 10, 64)
		if err != nil || length < 1 || length > 8 {
			return "json:" + string(raw)
		}
		b := make([]byte, length)
		for i := length - 1; i >= 0; i-- {
			b[i], v = byte(v), v>>8
		}
		return hex.EncodeToString(b)
	}
	if string(raw) == "null" {
		return ""
	}
	return jsonString(raw)
}

// tsharkTime renders smppdump's time field (the raw C-octet string,
// "YYMMDDhhmmsstnnp") as tshark prints it, "name=value" or "name_r=value":
//
//   - empty: name_r=0.000000000 for schedule_delivery_time and
//     validity_period; final_date is left out (returned as "").
//   - absolute (p '+' or '-'): converted to UTC (ref §4: UTC = local ∓
//     nn×15 min), years 00-37 as 20YY, 38-99 as 19YY (v3.4 Appendix C), with
//     the tenths as nanoseconds: name=Jun 29, 2025 13:32:17.400000000 UTC.
//   - relative (p 'R'): name_r=SECONDS.000000000. A relative time counts
//     years and months too (ref §4), which have no fixed length in seconds;
//     tshark ignores them (see the exceptions), so only days, hours, minutes
//     and seconds are converted and a time with years or months is returned
//     as name_r=YYMMDDhhmmsstnnR, which cannot equal tshark's value.
//
// Anything else is returned as "name=<raw>" so that the difference shows.
func tsharkTime(name, s string) string {
	if s == "" {
		if name == "final_date" {
			return ""
		}
		return name + "_r=0.000000000"
	}
	d := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
	if len(s) != 16 || strings.Trim(s[:15], "0123456789") != "" {
		return name + "=" + s
	}
	switch s[15] {
	case 'R':
		if d(0) != 0 || d(2) != 0 {
			return name + "_r=" + s
		}
		secs := ((d(4)*24+d(6))*60+d(8))*60 + d(10)
		return fmt.Sprintf("%s_r=%d.000000000", name, secs)
	case '+', '-':
		year := 2000 + d(0)
		if d(0) >= 38 {
			year = 1900 + d(0)
		}
		local := time.Date(year, time.Month(d(2)), d(4), d(6), d(8), d(10), int(s[12]-'0')*100_000_000, time.UTC)
		off := time.Duration(d(13)) * 15 * time.Minute
		if s[15] == '+' {
			off = -off
		}
		return name + "=" + local.Add(off).Format("Jan _2, 2006 15:04:05.000000000 UTC")
	}
	return name + "=" + s
}

// oracleException is a known difference between tshark and smppdump where
// tshark is wrong. The comparison asserts that the difference is still
// there with exactly these values, so smppdump's answer stays pinned.
type oracleException struct {
	Capture  string // capture file name, or "synthetic/<case>"
	Frame    int
	PDU      string // "submit_sm seq=5"
	Field    string
	TShark   string // what tshark says (as normalised by the comparison)
	Smppdump string // what smppdump says (as normalised)
	Reason   string // why tshark is wrong, with the reference section
}

// applyExceptions fails the test for every difference that has no entry in
// exceptions, asserts the recorded values of those that have one, and fails
// for entries of this capture that no difference used (a stale entry). It
// returns the number of exceptions hit.
func applyExceptions(t *testing.T, capture string, diffs []oracleDiff, exceptions []oracleException) int {
	t.Helper()
	type key struct {
		frame      int
		pdu, field string
	}
	mine := map[key]int{}
	for i, e := range exceptions {
		if e.Capture == capture {
			k := key{e.Frame, e.PDU, e.Field}
			_, dup := mine[k]
			require.False(t, dup, "exception listed twice: %+v", e)
			mine[k] = i
		}
	}
	hit := map[int]bool{}
	var unexplained []string
	for _, d := range diffs {
		i, ok := mine[key{d.Frame, d.PDU, d.Field}]
		if !ok {
			unexplained = append(unexplained, d.String())
			continue
		}
		e := exceptions[i]
		require.False(t, hit[i], "exception %+v hit twice", e)
		hit[i] = true
		require.Equal(t, e.TShark, d.TShark, "exception %s frame %d %s %s: tshark changed", capture, e.Frame, e.PDU, e.Field)
		require.Equal(t, e.Smppdump, d.Smppdump, "exception %s frame %d %s %s: smppdump changed", capture, e.Frame, e.PDU, e.Field)
		t.Logf("exception: frame %d %s %s: tshark %q, smppdump %q (%s)", e.Frame, e.PDU, e.Field, e.TShark, e.Smppdump, e.Reason)
	}
	require.Empty(t, unexplained, "%s: %d differences between tshark and smppdump not in the exceptions table", capture, len(unexplained))
	for k, i := range mine {
		require.True(t, hit[i], "stale exception: %s frame %d %s %s no longer differs", capture, k.frame, k.pdu, k.field)
	}
	return len(hit)
}

// uncomparedSummary lists the uncompared tshark fields for the log.
func uncomparedSummary(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s×%d", n, m[n])
	}
	return strings.Join(parts, ", ")
}
