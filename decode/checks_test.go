package decode

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// anyOff skips the offset assertion.
const anyOff = -1

// checkCase is one single-PDU check of ref §12: bad raises code (and only
// the codes in also), clean differs minimally and raises only cleanAlso.
type checkCase struct {
	name      string
	v         Version // session version; 0 = unknown (v3.4 rules)
	maxPDU    uint32
	bad       []byte
	code      Code
	sev       Severity
	field     string
	off       int
	also      []Code
	clean     []byte
	cleanAlso []Code
}

func (c checkCase) opts() Options { return Options{Version: c.v, MaxPDU: c.maxPDU} }

func runChecks(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(string(tc.code)+"/"+tc.name, func(t *testing.T) {
			p := Decode(tc.bad, tc.opts())
			require.Equal(t, sortedCodes(append(tc.also, tc.code)...), codesOf(p), "bad: %v", p.Issues)
			is := requireIssue(t, p, tc.code)
			require.Equal(t, tc.sev, is.Severity, "%v", is)
			require.Equal(t, tc.field, is.Field, "%v", is)
			if tc.off != anyOff {
				require.Equal(t, tc.off, is.Offset, "%v", is)
			}
			require.NotEmpty(t, is.Detail)
			if tc.clean == nil {
				return
			}
			q := Decode(tc.clean, tc.opts())
			require.NotContains(t, codesOf(q), tc.code, "clean: %v", q.Issues)
			require.Equal(t, sortedCodes(tc.cleanAlso...), codesOf(q), "clean: %v", q.Issues)
		})
	}
}

// allChecks gathers every table, for the coverage test and the fuzz seeds.
func allChecks() []checkCase {
	return slices.Concat(hdrChecks(), fldChecks(), valChecks(), tlvChecks(), udChecks(), dlrChecks())
}

func hdrChecks() []checkCase {
	enq := hx(`00000010 00000015 00000000 00000001`)
	big := make([]byte, 65535)
	for i := range big {
		big[i] = 'a'
	}
	// bind_transmitter of 22 octets: one short of the 23 of ref §3.1.
	bindShort := hx(`00000016 00000002 00000000 00000001  61 62 00 70 00 00`)
	bindOK := hx(`0000001A 00000002 00000000 00000001  61 62 00 70 00 00 34 00 00 00`)
	// submit_sm whose body ends after data_coding (26 octets ≥ the minimum).
	smCut := hx(`0000002A 00000004 00000000 00000001  43 4D 54 00 01 01 41 43 4D 45 00 01 01 34 34 37 37 00 00 00 00 00 00 00 00 00`)
	full := pSubmit()
	return []checkCase{
		{name: "length 15", bad: withLen(enq, 15), code: CodeLengthTooShort, sev: SevError, field: "command_length", off: 0, clean: enq},
		{name: "below bind minimum", bad: bindShort, code: CodeBodyTruncated, sev: SevError, field: "command_length", off: 0, clean: bindOK},
		{name: "success resp without body", bad: hx(`00000010 80000004 00000000 00000001`), code: CodeBodyTruncated, sev: SevError,
			field: "command_length", off: 0, clean: hx(`00000011 80000004 00000000 00000001 00`)},
		{name: "fields run past the end", bad: smCut, code: CodeBodyTruncated, sev: SevError, field: "sm_default_msg_id", off: 42,
			clean: plus(smCut, 0, 0)},
		// ref §13 maximum command_length: error above ~65.9 KB (DefaultMaxPDU), info above 4 096.
		{name: "implausible length", maxPDU: 65536, bad: pData(fS(FieldShortMessage, ""), func(p *PDU) { p.TLVs[0].Value = big }),
			code: CodeLengthImplausib, sev: SevError, field: "command_length", off: 0,
			clean: pData(func(p *PDU) { p.TLVs[0].Value = big[:65000] }), cleanAlso: []Code{CodeLengthLarge}},
		{name: "over 4096", bad: pSubmit(fS(FieldShortMessage, ""), tB(TagMessagePayload, big[:4100])), code: CodeLengthLarge, sev: SevInfo,
			field: "command_length", off: 0, clean: pSubmit(fS(FieldShortMessage, ""), tB(TagMessagePayload, big[:100]))},
		{name: "capture ends in header", bad: enq[:10], code: CodeIncomplete, sev: SevInfo, field: "", off: 0, clean: enq},
		{name: "capture ends in body", bad: full[:len(full)-10], code: CodeIncomplete, sev: SevInfo, field: "", off: len(full) - 10, clean: full},
		{name: "capture ends in a C-string", bad: full[:30], code: CodeIncomplete, sev: SevInfo, field: "", off: 30, clean: full},
		{name: "unknown command_id", bad: hx(`00000010 0000000A 00000000 00000001`), code: CodeUnknownCommand, sev: SevError,
			field: "command_id", off: 4, clean: enq},
		{name: "vendor range", bad: hx(`00000010 00010200 00000000 00000001`), code: CodeVendorCommand, sev: SevInfo, field: "command_id", off: 4, clean: enq},
		{name: "huawei auth_acc", bad: hx(`00000010 01000001 00000000 00000001`), code: CodeVendorCommand, sev: SevInfo, field: "command_id", off: 4, clean: enq},
		{name: "bind_transceiver on v3.3", v: V33, bad: pBind(func(p *PDU) { p.ID, p.Cmd = BindTransceiver, LookupCommand(BindTransceiver) }),
			code: CodeCommandVersion, sev: SevWarning, field: "command_id", off: 4, clean: pBind()},
		{name: "param_retrieve on v3.4", v: V34, bad: mk(ParamRetrieve, fS(FieldParamName, "x")), code: CodeCommandVersion, sev: SevWarning,
			field: "command_id", off: 4},
		{name: "param_retrieve on v3.3 is fine", v: V33, bad: mk(ParamRetrieve, fS(FieldParamName, "x"), tI(0x4000, 1)), code: CodeTLVUnknown,
			sev: SevWarning, field: "tag_0x4000", off: 18, also: []Code{CodeTLVOnV33}, clean: mk(ParamRetrieve, fS(FieldParamName, "x"))},
		{name: "cancel_broadcast_sm on v3.4", v: V34, bad: mk(CancelBroadcastSM, fS(FieldSourceAddr, "ACME")), code: CodeCommandVersion,
			sev: SevWarning, field: "command_id", off: 4},
		{name: "cancel_broadcast_sm on v5.0", v: V50, bad: mk(CancelBroadcastSM, fS(FieldSourceAddr, "A\x01")), code: CodeNonPrintable,
			sev: SevWarning, field: "source_addr", off: 20, clean: mk(CancelBroadcastSM, fS(FieldSourceAddr, "ACME"))},
		{name: "request with status", bad: hx(`00000010 00000015 00000001 00000001`), code: CodeRequestStatus, sev: SevError,
			field: "command_status", off: 8, clean: enq},
		{name: "reserved status", bad: hx(`00000010 80000004 00000009 00000001`), code: CodeReservedStatus, sev: SevWarning,
			field: "command_status", off: 8, clean: hx(`00000010 80000004 00000045 00000001`)},
		{name: "vendor status", bad: hx(`00000010 80000004 00000400 00000001`), code: CodeReservedStatus, sev: SevInfo,
			field: "command_status", off: 8, clean: hx(`00000010 80000004 00000045 00000001`)},
		{name: "v5.0 status on v3.4", v: V34, bad: hx(`00000010 80000004 00000104 00000001`), code: CodeReservedStatus, sev: SevWarning,
			field: "command_status", off: 8},
		{name: "v5.0 status on v5.0", v: V50, bad: hx(`00000010 80000004 00000009 00000001`), code: CodeReservedStatus, sev: SevWarning,
			field: "command_status", off: 8, clean: hx(`00000010 80000004 00000104 00000001`)},
		{name: "sequence 0", bad: hx(`00000010 00000015 00000000 00000000`), code: CodeZeroSequence, sev: SevError, field: "sequence_number",
			off: 12, clean: hx(`00000010 80000000 00000003 00000000`)},
		// ref §13 sequence_number range: warning, not error, for ≥ 0x80000000.
		{name: "sequence high", bad: hx(`00000010 00000015 00000000 80000000`), code: CodeHighSequence, sev: SevWarning, field: "sequence_number",
			off: 12, clean: hx(`00000010 00000015 00000000 7FFFFFFF`)},
		{name: "outbind_resp", bad: hx(`00000010 8000000B 00000000 00000001`), code: CodeNoSuchResponse, sev: SevError, field: "command_id", off: 4, clean: enq},
		{name: "alert_notification_resp", bad: hx(`00000010 80000102 00000000 00000001`), code: CodeNoSuchResponse, sev: SevError,
			field: "command_id", off: 4, clean: enq},
		{name: "generic_nack ok", bad: hx(`00000010 80000000 00000000 00000001`), code: CodeNackStatusZero, sev: SevWarning,
			field: "command_status", off: 8, clean: hx(`00000010 80000000 00000003 00000001`)},
		{name: "enquire_link with body", bad: plus(enq, 0, 0, 0, 0), code: CodeHeaderOnlyBody, sev: SevWarning, field: "", off: 16, clean: enq},
		{name: "3 stray octets", bad: plus(full, 2, 4, 0), code: CodeTrailingOctets, sev: SevError, field: "", off: len(full), clean: full},
		{name: "1 stray octet", bad: plus(full, 0), code: CodeTrailingOctets, sev: SevError, field: "", off: len(full), clean: full},
		// SES-16 is the one session code decode raises: a body on an error
		// bind_*_resp (ref §1.7, §13: accept, warning in v3.4, else info).
		{name: "error bind resp with body v3.4", v: V34, bad: mk(BindTransmitterResp, hdr(StatusBindFail, 1), fS(FieldSystemID, "SMSC")),
			code: CodeBindRespBody, sev: SevWarning, field: "", off: 16, clean: hx(`00000010 80000002 0000000D 00000001`)},
		{name: "error bind resp with body v5.0", v: V50, bad: mk(BindTransmitterResp, hdr(StatusBindFail, 1), fS(FieldSystemID, "SMSC")),
			code: CodeBindRespBody, sev: SevInfo, field: "", off: 16, clean: hx(`00000010 80000002 0000000D 00000001`)},
	}
}

func TestChecksHeader(t *testing.T) { runChecks(t, hdrChecks()) }

func fldChecks() []checkCase {
	s16 := strings.Repeat("s", 16)
	// submit_multi declaring 2 destinations whose body ends after the first.
	multiCut := hx(`00000031 00000021 00000000 00000001  00 05 00 41 43 4D 45 00 02
		01 01 01 31 32 33 34 35 36 37 38 39 30 31 32 33 34 35 36 37 38 39 30 00`)
	// submit_multi_resp declaring 2 failures and carrying 1.
	respCut := hx(`0000001F 80000021 00000000 00000001  31 61 00 02  01 01 34 34 37 37 00 00 00 00 0B`)
	return []checkCase{
		{name: "address_range without NUL", bad: withLen(pBind(fS(FieldAddressRange, "abc"))[:31], 31), code: CodeCStringNoNUL, sev: SevError,
			field: "address_range", off: 28, clean: pBind(fS(FieldAddressRange, "abc"))},
		{name: "system_id of 16", bad: pBind(fS(FieldSystemID, s16)), code: CodeCStringTooLong, sev: SevError, field: "system_id", off: 16,
			clean: pBind(fS(FieldSystemID, s16[:15]))},
		{name: "source_addr of 21 in submit_sm", bad: pSubmit(fS(FieldSourceAddr, strings.Repeat("1", 21))), code: CodeCStringTooLong,
			sev: SevError, field: "source_addr", off: 19, clean: pSubmit(fS(FieldSourceAddr, strings.Repeat("1", 20)))},
		// ref §13 data_sm address length: C(65), not jsmpp's 21.
		{name: "data_sm allows 64-octet addresses", bad: pData(fS(FieldSourceAddr, strings.Repeat("1", 65))), code: CodeCStringTooLong,
			sev: SevError, field: "source_addr", off: 19, clean: pData(fS(FieldSourceAddr, strings.Repeat("1", 64)))},
		{name: "v3.3 message_id of 9", v: V33, bad: mk(SubmitSMResp, fS(FieldMessageID, "123456789")), code: CodeCStringTooLong,
			sev: SevError, field: "message_id", off: 16, also: []Code{CodeV33MessageID}, clean: mk(SubmitSMResp, fS(FieldMessageID, "12345678"))},
		{name: "dest_address too long", bad: pMulti(dests(sme(strings.Repeat("1", 21)))), code: CodeCStringTooLong, sev: SevError,
			field: "destination_addr", off: 25, clean: pMulti(dests(sme(strings.Repeat("1", 20))))},
		{name: "unsuccess_sme address too long", bad: mk(SubmitMultiResp, fS(FieldMessageID, "1a"), func(p *PDU) {
			p.Unsuccess = []Unsuccess{{TON: 1, NPI: 1, Addr: []byte(strings.Repeat("1", 21)), Status: StatusInvDstAdr}}
		}), code: CodeCStringTooLong, sev: SevError, field: "destination_addr", off: 20},
		{name: "v3.3 message_ids entry too long", v: V33, bad: mk(QueryLastMsgsResp, func(p *PDU) { p.MessageIDs = [][]byte{[]byte("123456789")} }),
			code: CodeCStringTooLong, sev: SevError, field: "message_ids", off: 17, also: []Code{CodeV33MessageID},
			clean: mk(QueryLastMsgsResp, func(p *PDU) { p.MessageIDs = [][]byte{[]byte("1234abcd")} })},
		{name: "schedule of 10", bad: pSubmit(fS(FieldScheduleDeliveryTime, "2401151230")), code: CodeTimeLength, sev: SevError,
			field: "schedule_delivery_time", off: offSched, clean: pSubmit(fS(FieldScheduleDeliveryTime, "240115123000004+"))},
		// A time of 17 characters is one FLD-03, not also FLD-02.
		{name: "validity of 17", bad: pSubmit(fS(FieldValidityPeriod, "240115123000004+0")), code: CodeTimeLength, sev: SevError,
			field: "validity_period", off: offValid, clean: pSubmit(fS(FieldValidityPeriod, "240115123000004+"))},
		{name: "final_date 12-char local form", bad: qsr12(), code: CodeTimeLength, sev: SevWarning, field: "final_date", off: 21,
			clean: pQSR("240115123000004+", 2)},
		{name: "month 13", bad: pSubmit(fS(FieldScheduleDeliveryTime, "241315123000004+")), code: CodeTimeContent, sev: SevError,
			field: "schedule_delivery_time", off: offSched, clean: pSubmit(fS(FieldScheduleDeliveryTime, "241215123000004+"))},
		{name: "non-digit", bad: pSubmit(fS(FieldScheduleDeliveryTime, "24011512300000X+")), code: CodeTimeContent, sev: SevError,
			field: "schedule_delivery_time", off: offSched},
		{name: "bad suffix", bad: pSubmit(fS(FieldValidityPeriod, "240115123000004X")), code: CodeTimeContent, sev: SevError,
			field: "validity_period", off: offValid},
		{name: "offset 49", bad: pSubmit(fS(FieldValidityPeriod, "240115123000049+")), code: CodeTimeContent, sev: SevError,
			field: "validity_period", off: offValid, clean: pSubmit(fS(FieldValidityPeriod, "240115123000048-"))},
		{name: "30 February", bad: pSubmit(fS(FieldScheduleDeliveryTime, "230229123000004+")), code: CodeTimeContent, sev: SevWarning,
			field: "schedule_delivery_time", off: offSched, clean: pSubmit(fS(FieldScheduleDeliveryTime, "240229123000004+"))},
		{name: "relative with tenths", bad: pSubmit(fS(FieldValidityPeriod, "000001000000100R")), code: CodeTimeRelative, sev: SevWarning,
			field: "validity_period", off: offValid, clean: pSubmit(fS(FieldValidityPeriod, "000001000000000R"))},
		{name: "relative on v3.3", v: V33, bad: pSubmit(fS(FieldValidityPeriod, "000001000000000R")), code: CodeTimeRelative, sev: SevWarning,
			field: "validity_period", off: offValid, clean: pSubmit(fS(FieldValidityPeriod, "240115123000004+"))},
		{name: "relative final_date", bad: pQSR("000001000000000R", 2), code: CodeTimeRelative, sev: SevWarning, field: "final_date", off: 21,
			clean: pQSR("240115123000004+", 2)},
		{name: "relative broadcast_end_time", v: V50, bad: pQBR(0, tS(TagBroadcastEndTime, "000001000000000R")), code: CodeTimeRelative,
			sev: SevWarning, field: "broadcast_end_time", off: anyOff, clean: pQBR(0, tS(TagBroadcastEndTime, "240115123000004+"))},
		{name: "broadcast_end_time month 13", v: V50, bad: pQBR(0, tS(TagBroadcastEndTime, "241315123000004+")), code: CodeTimeContent,
			sev: SevError, field: "broadcast_end_time", off: anyOff},
		{name: "sm_length overrun", bad: pSubmitLie(fI(FieldSMLength, 10)), code: CodeSMLengthOverrun, sev: SevError, field: "sm_length",
			off: offSMLen, clean: pSubmitLie(fI(FieldSMLength, 5))},
		// ref §13 sm_length maximum: v3.3 160, v3.4 254, v5.0 255.
		{name: "sm_length 255 on v3.4", v: V34, bad: pText(strings.Repeat("a", 255)), code: CodeSMLengthTooLarge, sev: SevError,
			field: "sm_length", off: offSMLen, also: []Code{CodeOversizeSMS}},
		{name: "sm_length 255 on v5.0", v: V50, bad: pText(strings.Repeat("a", 255)), code: CodeOversizeSMS, sev: SevInfo,
			field: "short_message", off: offSM},
		{name: "sm_length 161 on v3.3", v: V33, bad: pText(strings.Repeat("a", 161)), code: CodeSMLengthTooLarge, sev: SevError,
			field: "sm_length", off: offSMLen, also: []Code{CodeOversizeSMS}, clean: pText(strings.Repeat("a", 160))},
		{name: "short_message and message_payload", bad: pSubmit(tB(TagMessagePayload, []byte("Hello"))), code: CodeSMAndPayload,
			sev: SevError, field: "sm_length", off: offSMLen, clean: pSubmit(fS(FieldShortMessage, ""), tB(TagMessagePayload, []byte("Hello")))},
		{name: "number_of_dests 0", bad: pMulti(), code: CodeNumberOfDests, sev: SevError, field: "number_of_dests", off: 24,
			clean: pMulti(dests(sme("447700900123")))},
		// ref §13 number_of_dests maximum: 254 in v3.4, 255 in v5.0.
		{name: "255 dests on v3.4", v: V34, bad: pMulti(dests(manyDests(255)...)), code: CodeNumberOfDests, sev: SevError,
			field: "number_of_dests", off: 24, clean: pMulti(dests(manyDests(254)...))},
		{name: "255 dests on v5.0", v: V50, bad: pMulti(dests(manyDests(255)...), fI(FieldReplaceIfPresentFlag, 2)), code: CodeReplaceIfPresent,
			sev: SevWarning, field: "replace_if_present_flag", off: anyOff, clean: pMulti(dests(manyDests(255)...))},
		{name: "fewer dests than declared", bad: multiCut, code: CodeNumberOfDests, sev: SevError, field: "number_of_dests", off: 49,
			clean: pMulti(dests(sme("12345678901234567890")))},
		{name: "dest_flag 3", bad: pMulti(dests(Dest{Flag: 3, TON: 1, NPI: 1, Addr: []byte("4477")})), code: CodeDestFlag, sev: SevError,
			field: "dest_flag", off: 25, clean: pMulti(dests(sme("4477")))},
		{name: "distribution list", bad: pMulti(dests(Dest{Flag: 2, Addr: []byte("list\x01")})), code: CodeNonPrintable, sev: SevWarning,
			field: "dl_name", off: 25, clean: pMulti(dests(Dest{Flag: 2, Addr: []byte("list")}))},
		{name: "fewer unsuccess than declared", bad: respCut, code: CodeNoUnsuccess, sev: SevError, field: "no_unsuccess", off: 31,
			clean: plus(withLen(respCut[:19], 19), 1, 1, 1, '4', '4', '7', '7', 0, 0, 0, 0, 0x0B)},
		{name: "system_id control octet", bad: pBind(fS(FieldSystemID, "es\x01me")), code: CodeNonPrintable, sev: SevWarning,
			field: "system_id", off: 16, clean: pBind()},
		{name: "password DEL", bad: pBind(fS(FieldPassword, "p\x7f")), code: CodeNonPrintable, sev: SevWarning, field: "password", off: 21,
			clean: pBind(fS(FieldPassword, "p~"))},
		{name: "destination_addr latin-1", bad: pSubmit(fS(FieldDestinationAddr, "4477\xe9")), code: CodeNonPrintable, sev: SevWarning,
			field: "destination_addr", off: offDst},
		{name: "v3.3 message_id not hex", v: V33, bad: mk(SubmitSMResp, fS(FieldMessageID, "xyz")), code: CodeV33MessageID, sev: SevWarning,
			field: "message_id", off: 16, clean: mk(SubmitSMResp, fS(FieldMessageID, "1a2b"))},
		{name: "v3.4 message_id may be anything", v: V34, bad: mk(SubmitSMResp, fS(FieldMessageID, "xyz\x02")), code: CodeNonPrintable,
			sev: SevWarning, field: "message_id", off: 16, clean: mk(SubmitSMResp, fS(FieldMessageID, "xyz"))},
		{name: "v3.3 original_message_id", v: V33, bad: mk(QueryMsgDetails, fS(FieldOriginalMessageID, "zz")), code: CodeV33MessageID,
			sev: SevWarning, field: "original_message_id", off: 16, clean: mk(QueryMsgDetails, fS(FieldOriginalMessageID, "ff"))},
		{name: "empty system_id in bind", bad: pBind(fS(FieldSystemID, "")), code: CodeEmptyRequired, sev: SevWarning, field: "system_id",
			off: 16, clean: mk(Outbind, fS(FieldPassword, "pw"))},
		{name: "empty destination", bad: pSubmit(fS(FieldDestinationAddr, "")), code: CodeEmptyRequired, sev: SevWarning,
			field: "destination_addr", off: offDst, clean: mk(CancelSM, fS(FieldMessageID, "1a"), fS(FieldSourceAddr, "ACME"))},
		{name: "empty data_sm destination", bad: pData(fS(FieldDestinationAddr, "")), code: CodeEmptyRequired, sev: SevWarning,
			field: "destination_addr", off: anyOff, clean: pData()},
		{name: "deliver_sm_resp with id", bad: mk(DeliverSMResp, fS(FieldMessageID, "1a")), code: CodeDeliverRespMsgID, sev: SevWarning,
			field: "message_id", off: 16, clean: mk(DeliverSMResp)},
	}
}

func TestChecksFields(t *testing.T) { runChecks(t, fldChecks()) }

func qsr12() []byte { return pQSR("240115123000", 2) }

func manyDests(n int) []Dest {
	out := make([]Dest, n)
	for i := range out {
		out[i] = sme("4477" + strconv.Itoa(100000+i))
	}
	return out
}

func valChecks() []checkCase {
	iv := func(v uint32) []byte { return pBind(fI(FieldInterfaceVersion, v)) }
	return []checkCase{
		{name: "interface_version 0x35", bad: iv(0x35), code: CodeInterfaceVersion, sev: SevWarning, field: "interface_version", off: 25, clean: iv(0x50)},
		{name: "interface_version 0x51", bad: iv(0x51), code: CodeInterfaceVersion, sev: SevWarning, field: "interface_version", off: 25, clean: iv(0x00)},
		{name: "TON 7", bad: pSubmit(fI(FieldSourceAddrTON, 7)), code: CodeTON, sev: SevWarning, field: "source_addr_ton", off: offSrcTON,
			clean: pSubmit(fI(FieldSourceAddrTON, 6))},
		{name: "dest_address TON 7", bad: pMulti(dests(Dest{Flag: 1, TON: 7, NPI: 1, Addr: []byte("4477")})), code: CodeTON, sev: SevWarning,
			field: "dest_addr_ton", off: 26, clean: pMulti(dests(sme("4477")))},
		// ref §13 NPI value 2: reserved (cloudhopper's NPI_ISDN = 2 is not followed).
		{name: "NPI 2", bad: pSubmit(fI(FieldDestAddrNPI, 2)), code: CodeNPI, sev: SevWarning, field: "dest_addr_npi", off: offDstNPI,
			clean: pSubmit(fI(FieldDestAddrNPI, 18))},
		{name: "unsuccess NPI 5", bad: mk(SubmitMultiResp, fS(FieldMessageID, "1a"), func(p *PDU) {
			p.Unsuccess = []Unsuccess{{TON: 1, NPI: 5, Addr: []byte("4477"), Status: StatusInvDstAdr}}
		}), code: CodeNPI, sev: SevWarning, field: "dest_addr_npi", off: 21},
		{name: "esm_class type 0x0C", bad: pSubmit(fI(FieldESMClass, 0x0C)), code: CodeESMClassType, sev: SevWarning, field: "esm_class",
			off: offESM, clean: pSubmit(fI(FieldESMClass, 0x08))},
		{name: "esm_class type 0x24 in deliver_sm", bad: pDeliver(fI(FieldESMClass, 0x24)), code: CodeESMClassType, sev: SevWarning,
			field: "esm_class", off: offESM, clean: pDeliver(fI(FieldESMClass, 0x10))},
		{name: "receipt type from the ESME v3.4", v: V34, bad: pSubmit(fI(FieldESMClass, 0x04)), code: CodeESMClassType, sev: SevWarning,
			field: "esm_class", off: offESM},
		{name: "receipt type from the ESME v5.0", v: V50, bad: pSubmit(fI(FieldESMClass, 0x04), fI(FieldPriorityFlag, 5)), code: CodePriorityFlag,
			sev: SevError, field: "priority_flag", off: offPrio, clean: pSubmit(fI(FieldESMClass, 0x04))},
		{name: "mode bits in deliver_sm", bad: pDeliver(fI(FieldESMClass, 0x01)), code: CodeESMClassMode, sev: SevInfo, field: "esm_class",
			off: offESM, clean: pDeliver()},
		{name: "transaction mode v3.4", v: V34, bad: pSubmit(fI(FieldESMClass, 0x02)), code: CodeTransactionMode, sev: SevWarning,
			field: "esm_class", off: offESM, clean: pData(fI(FieldESMClass, 0x02))},
		{name: "transaction mode v5.0", v: V50, bad: pSubmit(fI(FieldESMClass, 0x02), fI(FieldESMClass, 0x0E)), code: CodeESMClassType,
			sev: SevWarning, field: "esm_class", off: offESM, clean: pSubmit(fI(FieldESMClass, 0x02))},
		// ref §13 priority_flag range: v3.3 0–1, v3.4 0–3, v5.0 0–4.
		{name: "priority 2 on v3.3", v: V33, bad: pSubmit(fI(FieldPriorityFlag, 2)), code: CodePriorityFlag, sev: SevError,
			field: "priority_flag", off: offPrio, clean: pSubmit(fI(FieldPriorityFlag, 1))},
		{name: "priority 4 on v3.4", v: V34, bad: pSubmit(fI(FieldPriorityFlag, 4)), code: CodePriorityFlag, sev: SevError,
			field: "priority_flag", off: offPrio, clean: pSubmit(fI(FieldPriorityFlag, 3))},
		{name: "priority 5 on v5.0", v: V50, bad: pSubmit(fI(FieldPriorityFlag, 5)), code: CodePriorityFlag, sev: SevError,
			field: "priority_flag", off: offPrio, clean: pSubmit(fI(FieldPriorityFlag, 4))},
		// ref §13 intermediate-notification bit: 0x10 (bit 4), so 0x1D is clean and 0x20 is reserved.
		{name: "registered_delivery bit 5", bad: pSubmit(fI(FieldRegisteredDelivery, 0x21)), code: CodeRegDelivery, sev: SevWarning,
			field: "registered_delivery", off: offReg, clean: pSubmit(fI(FieldRegisteredDelivery, 0x1D))},
		// ref §13 registered_delivery value 3: reserved in v3.4, "success only" in v5.0.
		{name: "receipt type 3 on v3.4", v: V34, bad: pSubmit(fI(FieldRegisteredDelivery, 3)), code: CodeRegDelivery, sev: SevWarning,
			field: "registered_delivery", off: offReg, clean: pSubmit(fI(FieldRegisteredDelivery, 2))},
		{name: "receipt type 3 on v5.0", v: V50, bad: pSubmit(fI(FieldRegisteredDelivery, 0x43)), code: CodeRegDelivery, sev: SevWarning,
			field: "registered_delivery", off: offReg, clean: pSubmit(fI(FieldRegisteredDelivery, 3))},
		{name: "registered_delivery 2 on v3.3", v: V33, bad: pSubmit(fI(FieldRegisteredDelivery, 2)), code: CodeRegDelivery, sev: SevWarning,
			field: "registered_delivery", off: offReg, clean: pSubmit(fI(FieldRegisteredDelivery, 1))},
		{name: "replace_if_present 2", bad: pSubmit(fI(FieldReplaceIfPresentFlag, 2)), code: CodeReplaceIfPresent, sev: SevWarning,
			field: "replace_if_present_flag", off: offRepl, clean: pSubmit(fI(FieldReplaceIfPresentFlag, 1))},
		{name: "replace in deliver_sm v3.4", v: V34, bad: pDeliver(fI(FieldReplaceIfPresentFlag, 1)), code: CodeReplaceIfPresent,
			sev: SevWarning, field: "replace_if_present_flag", off: offRepl},
		{name: "replace in deliver_sm v5.0", v: V50, bad: pDeliver(fI(FieldReplaceIfPresentFlag, 2)), code: CodeReplaceIfPresent,
			sev: SevWarning, field: "replace_if_present_flag", off: offRepl, clean: pDeliver(fI(FieldReplaceIfPresentFlag, 1))},
		{name: "replace in submit_multi v3.4", v: V34, bad: pMulti(dests(sme("4477")), fI(FieldReplaceIfPresentFlag, 1)),
			code: CodeReplaceIfPresent, sev: SevWarning, field: "replace_if_present_flag", off: anyOff},
		{name: "data_coding 0x0B", bad: pText("Hi", fI(FieldDataCoding, 0x0B)), code: CodeDataCodingRsvd, sev: SevWarning,
			field: "data_coding", off: offDC, clean: pText("Hi", fI(FieldDataCoding, 0x04))},
		{name: "data_coding 0x0C", bad: pText("Hi", fI(FieldDataCoding, 0x0C)), code: CodeDataCodingRsvd, sev: SevWarning,
			field: "data_coding", off: offDC, clean: pText("Hi", fI(FieldDataCoding, 0x0D))},
		{name: "data_coding 0x0F", bad: pText("Hi", fI(FieldDataCoding, 0x0F)), code: CodeDataCodingRsvd, sev: SevWarning,
			field: "data_coding", off: offDC, clean: pText("Hi", fI(FieldDataCoding, 0x0E))},
		// ref §13 data_coding 0xE0–0xEF: decoded as GSM MWI/UCS2, with a warning.
		{name: "data_coding 0xE0", bad: pText("Hi", fI(FieldDataCoding, 0xE0)), code: CodeDataCodingRsvd, sev: SevWarning,
			field: "data_coding", off: offDC, clean: pText("Hi", fI(FieldDataCoding, 0xD0))},
		{name: "data_coding 0xF8", bad: pText("Hi", fI(FieldDataCoding, 0xF8)), code: CodeDataCodingRsvd, sev: SevWarning,
			field: "data_coding", off: offDC, clean: pText("Hi", fI(FieldDataCoding, 0xF0))},
		{name: "data_coding 0x10", bad: pText("Hi", fI(FieldDataCoding, 0x10)), code: CodeDataCodingGSM, sev: SevInfo,
			field: "data_coding", off: offDC, clean: pText("Hi", fI(FieldDataCoding, 0x00))},
		// ref §13 sm_default_msg_id range: v3.3 1–100, v3.4 1–254, v5.0 1–255.
		{name: "sm_default_msg_id 255 v3.4", v: V34, bad: pSubmit(fI(FieldSMDefaultMsgID, 255)), code: CodeDefaultMsgID, sev: SevWarning,
			field: "sm_default_msg_id", off: offDflt, clean: pSubmit(fI(FieldSMDefaultMsgID, 254))},
		{name: "sm_default_msg_id 255 v5.0", v: V50, bad: pSubmit(fI(FieldSMDefaultMsgID, 255), fI(FieldPriorityFlag, 9)),
			code: CodePriorityFlag, sev: SevError, field: "priority_flag", off: offPrio, clean: pSubmit(fI(FieldSMDefaultMsgID, 255))},
		{name: "sm_default_msg_id 101 v3.3", v: V33, bad: pSubmit(fI(FieldSMDefaultMsgID, 101)), code: CodeDefaultMsgID, sev: SevWarning,
			field: "sm_default_msg_id", off: offDflt, clean: pSubmit(fI(FieldSMDefaultMsgID, 100))},
		{name: "sm_default_msg_id in deliver_sm v3.4", v: V34, bad: pDeliver(fI(FieldSMDefaultMsgID, 1)), code: CodeDefaultMsgID,
			sev: SevWarning, field: "sm_default_msg_id", off: offDflt},
		{name: "sm_default_msg_id in deliver_sm v5.0", v: V50, bad: pDeliver(fI(FieldSMDefaultMsgID, 1), fI(FieldESMClass, 1)),
			code: CodeESMClassMode, sev: SevInfo, field: "esm_class", off: offESM, clean: pDeliver(fI(FieldSMDefaultMsgID, 1))},
		{name: "deliver_sm validity v3.4", v: V34, bad: pDeliver(fS(FieldValidityPeriod, "000001000000000R")), code: CodeDeliverTimes,
			sev: SevWarning, field: "validity_period", off: offValid},
		{name: "deliver_sm schedule v5.0", v: V50, bad: pDeliver(fS(FieldScheduleDeliveryTime, "000001000000000R"), fI(FieldESMClass, 3)),
			code: CodeESMClassMode, sev: SevInfo, field: "esm_class", off: anyOff, clean: pDeliver(fS(FieldScheduleDeliveryTime, "000001000000000R"))},
		{name: "message_state 10", bad: pQSR("240115123000004+", 10), code: CodeMessageState, sev: SevError, field: "message_state", off: 38,
			clean: pQSR("240115123000004+", 8)},
		// ref §13 message_state 0 and 9: v5.0 only.
		{name: "message_state 0 on v3.4", v: V34, bad: pQSR("", 0), code: CodeMessageState, sev: SevWarning, field: "message_state", off: 22,
			clean: pQSR("", 1)},
		{name: "message_state 9 on v5.0", v: V50, bad: pQSR("240115123000004+", 10), code: CodeMessageState, sev: SevError,
			field: "message_state", off: 38, clean: pQSR("240115123000004+", 9)},
		{name: "message_state TLV 9 on v3.4", v: V34, bad: pRcpt("", tS(TagReceiptedMessageID, "1a2b"), tI(TagMessageState, 9)),
			code: CodeMessageState, sev: SevWarning, field: "message_state", off: anyOff},
		{name: "message_state TLV 9 on v5.0", v: V50, bad: pRcpt("", tS(TagReceiptedMessageID, "1a2b"), tI(TagMessageState, 11)),
			code: CodeMessageState, sev: SevError, field: "message_state", off: anyOff,
			clean: pRcpt("", tS(TagReceiptedMessageID, "1a2b"), tI(TagMessageState, 9))},
		{name: "reserved state says nothing about final_date", bad: pQSR("", 10), code: CodeMessageState, sev: SevError, field: "message_state",
			off: 22, clean: pQSR("", 1)},
		{name: "final_date while enroute", bad: pQSR("240115123000004+", 1), code: CodeFinalDateState, sev: SevWarning, field: "final_date",
			off: 21, clean: pQSR("", 1)},
		{name: "no final_date while delivered", bad: pQSR("", 2), code: CodeFinalDateState, sev: SevWarning, field: "final_date", off: 21,
			clean: pQSR("", 7)},
	}
}

func TestChecksValues(t *testing.T) { runChecks(t, valChecks()) }

func tlvChecks() []checkCase {
	base := pSubmit()
	end := len(base)
	udh := "\x05\x00\x03\x01\x02\x01Hi"
	sar := []mod{tI(TagSARMsgRefNum, 7), tI(TagSARTotalSegments, 2), tI(TagSARSegmentSeqnum, 1)}
	return []checkCase{
		{name: "length past the end", bad: plus(base, 0x02, 0x04, 0x00, 0x0A, 0x00, 0x01), code: CodeTLVOverrun, sev: SevError,
			field: "user_message_reference", off: end, clean: plus(base, 0x02, 0x04, 0x00, 0x02, 0x00, 0x01)},
		{name: "dest_addr_subunit of 2", bad: pSubmit(tB(TagDestAddrSubunit, []byte{0, 1})), code: CodeTLVLength, sev: SevError,
			field: "dest_addr_subunit", off: end, clean: pSubmit(tB(TagDestAddrSubunit, []byte{1}))},
		// ref §13 source_telematics_id width: 1, warning on 2.
		{name: "source_telematics_id of 2 tolerated", bad: pData(tB(TagSourceTelematicsID, []byte{0, 1})), code: CodeTLVLength, sev: SevWarning,
			field: "source_telematics_id", off: anyOff, clean: pData(tB(TagSourceTelematicsID, []byte{1}))},
		{name: "source_telematics_id of 3", bad: pData(tB(TagSourceTelematicsID, []byte{0, 0, 1})), code: CodeTLVLength, sev: SevError,
			field: "source_telematics_id", off: anyOff},
		// ref §13 broadcast_rep_num width: 2, warning on 1.
		{name: "broadcast_rep_num of 1 tolerated", v: V50, bad: pBC(TagBroadcastRepNum, tB(TagBroadcastRepNum, []byte{3})), code: CodeTLVLength,
			sev: SevWarning, field: "broadcast_rep_num", off: anyOff, clean: pBC(0)},
		// ref §13 broadcast_end_time length: 16 or 17 (16 is a warning, and not also TLV-08).
		{name: "broadcast_end_time of 16 tolerated", v: V50, bad: pQBR(0, tB(TagBroadcastEndTime, []byte("240115123000004+"))),
			code: CodeTLVLength, sev: SevWarning, field: "broadcast_end_time", off: anyOff, clean: pQBR(0, tS(TagBroadcastEndTime, "240115123000004+"))},
		{name: "ms_validity of 4 on v3.4", v: V34, bad: pSubmit(tB(TagMSValidity, []byte{4, 3, 0, 1})), code: CodeTLVLength, sev: SevError,
			field: "ms_validity", off: end, clean: pSubmit(tB(TagMSValidity, []byte{3}))},
		{name: "ms_validity of 4 on v5.0", v: V50, bad: pSubmit(tB(TagMSValidity, []byte{4, 3, 0, 1, 0})), code: CodeTLVLength, sev: SevError,
			field: "ms_validity", off: end, clean: pSubmit(tB(TagMSValidity, []byte{4, 3, 0, 1}))},
		{name: "alert_on_message_delivery of 1 on v3.4", v: V34, bad: pSubmit(tB(TagAlertOnMessageDelivery, []byte{1})), code: CodeTLVLength,
			sev: SevError, field: "alert_on_message_delivery", off: end, clean: pSubmit(tB(TagAlertOnMessageDelivery, nil))},
		{name: "alert_on_message_delivery of 1 on v5.0", v: V50, bad: pSubmit(tB(TagAlertOnMessageDelivery, []byte{1, 0})), code: CodeTLVLength,
			sev: SevError, field: "alert_on_message_delivery", off: end, clean: pSubmit(tB(TagAlertOnMessageDelivery, []byte{1}))},
		{name: "receipted_message_id in submit_sm", bad: pSubmit(tS(TagReceiptedMessageID, "1a")), code: CodeTLVNotAllowed, sev: SevWarning,
			field: "receipted_message_id", off: end, clean: pDeliver(tS(TagReceiptedMessageID, "1a"))},
		{name: "ussd_service_op in deliver_sm v3.4", v: V34, bad: pDeliver(tI(TagUSSDServiceOp, 17)), code: CodeTLVNotAllowed,
			sev: SevWarning, field: "ussd_service_op", off: end},
		{name: "ussd_service_op in deliver_sm v5.0", v: V50, bad: pDeliver(tI(TagUSSDServiceOp, 4)), code: CodeTLVValue,
			sev: SevWarning, field: "ussd_service_op", off: end, clean: pDeliver(tI(TagUSSDServiceOp, 17))},
		{name: "message_payload in replace_sm v3.4", v: V34, bad: mk(ReplaceSM, fS(FieldMessageID, "1a"), tB(TagMessagePayload, []byte("x"))),
			code: CodeTLVNotAllowed, sev: SevWarning, field: "message_payload", off: anyOff},
		{name: "message_payload in replace_sm v5.0", v: V50, bad: mk(ReplaceSM, fS(FieldMessageID, "1a"), tB(TagMessagePayload, []byte("x")),
			fS(FieldShortMessage, "y")), code: CodeSMAndPayload, sev: SevError, field: "sm_length", off: anyOff,
			clean: mk(ReplaceSM, fS(FieldMessageID, "1a"), tB(TagMessagePayload, []byte("x")))},
		{name: "congestion_state on v3.4", v: V34, bad: mk(SubmitSMResp, fS(FieldMessageID, "1a"), tI(TagCongestionState, 50)),
			code: CodeTLVNotAllowed, sev: SevWarning, field: "congestion_state", off: 19},
		// ref §13 congestion_state ranges overlap at 90; only > 100 is reserved.
		{name: "congestion_state on v5.0", v: V50, bad: mk(SubmitSMResp, fS(FieldMessageID, "1a"), tI(TagCongestionState, 101)),
			code: CodeTLVValue, sev: SevWarning, field: "congestion_state", off: 19, clean: mk(SubmitSMResp, fS(FieldMessageID, "1a"), tI(TagCongestionState, 100))},
		// ref §5.3 Y* / §13: listed in the v3.4 table, but "not supported".
		{name: "dest_subaddress in submit_multi v3.4", v: V34, bad: pMulti(dests(sme("4477")), tB(TagDestSubaddress, []byte{0xA0, 1})),
			code: CodeTLVNotAllowed, sev: SevWarning, field: "dest_subaddress", off: anyOff, clean: pMulti(dests(sme("4477")))},
		{name: "dest_subaddress in submit_multi v5.0", v: V50, bad: pMulti(dests(sme("4477")), tB(TagDestSubaddress, []byte{0xA0, 1})),
			code: CodeTLVNotAllowed, sev: SevWarning, field: "dest_subaddress", off: anyOff, clean: pSubmit(tB(TagDestSubaddress, []byte{0xA0, 1}))},
		{name: "vendor tag", bad: pSubmit(tB(0x1400, []byte{1})), code: CodeTLVVendor, sev: SevInfo, field: "vendor_0x1400", off: end, clean: base},
		{name: "unknown tag 0x4000", bad: pSubmit(tB(0x4000, []byte{1})), code: CodeTLVUnknown, sev: SevWarning, field: "tag_0x4000", off: end, clean: base},
		{name: "unassigned 0x060C", v: V50, bad: pSubmit(tB(0x060C, []byte{1})), code: CodeTLVUnknown, sev: SevWarning, field: "tag_0x060c", off: end, clean: base},
		{name: "repeated", bad: pSubmit(tI(TagUserMessageReference, 1), tI(TagUserMessageReference, 2)), code: CodeTLVRepeated, sev: SevWarning,
			field: "user_message_reference", off: end + 6, clean: pSubmit(tB(TagCallbackNum, []byte{1, 1, 1, '1'}), tB(TagCallbackNum, []byte{1, 1, 1, '2'}))},
		{name: "dest_network_type 9", bad: pData(tI(TagDestNetworkType, 9)), code: CodeTLVValue, sev: SevWarning, field: "dest_network_type",
			off: anyOff, clean: pData(tI(TagDestNetworkType, 8))},
		{name: "payload_type 2", bad: pSubmit(tI(TagPayloadType, 2)), code: CodeTLVValue, sev: SevWarning, field: "payload_type", off: end,
			clean: pSubmit(tI(TagPayloadType, 1))},
		{name: "ms_availability_status 3", bad: mk(AlertNotification, tI(TagMSAvailabilityStatus, 3)), code: CodeTLVValue, sev: SevWarning,
			field: "ms_availability_status", off: 22, clean: mk(AlertNotification, tI(TagMSAvailabilityStatus, 2))},
		{name: "display_time 3", bad: pSubmit(tI(TagDisplayTime, 3)), code: CodeTLVValue, sev: SevWarning, field: "display_time", off: end,
			clean: pSubmit(tI(TagDisplayTime, 2))},
		{name: "ms_validity 4 in one octet", v: V50, bad: pSubmit(tB(TagMSValidity, []byte{4})), code: CodeTLVValue, sev: SevWarning,
			field: "ms_validity", off: end, clean: pSubmit(tB(TagMSValidity, []byte{0}))},
		{name: "sc_interface_version 0x40", bad: mk(BindTransmitterResp, fS(FieldSystemID, "SMSC"), tI(TagSCInterfaceVersion, 0x40)),
			code: CodeTLVValue, sev: SevWarning, field: "sc_interface_version", off: 21,
			clean: mk(BindTransmitterResp, fS(FieldSystemID, "SMSC"), tI(TagSCInterfaceVersion, 0x34))},
		{name: "receipted_message_id without NUL", bad: pDeliver(tB(TagReceiptedMessageID, []byte("1a2b"))), code: CodeTLVNoNUL,
			sev: SevWarning, field: "receipted_message_id", off: end, clean: pDeliver(tS(TagReceiptedMessageID, "1a2b"))},
		{name: "SAR ref only", bad: pSubmit(sar[0]), code: CodeSAR, sev: SevError, field: "sar_msg_ref_num", off: anyOff, clean: pSubmit(sar...)},
		{name: "SAR seqnum 0", bad: pSubmit(sar[0], sar[1], tI(TagSARSegmentSeqnum, 0)), code: CodeSAR, sev: SevError,
			field: "sar_segment_seqnum", off: anyOff, clean: pSubmit(sar...)},
		{name: "SAR seqnum > total", bad: pSubmit(sar[0], sar[1], tI(TagSARSegmentSeqnum, 3)), code: CodeSAR, sev: SevError,
			field: "sar_segment_seqnum", off: anyOff, clean: pSubmit(sar[0], sar[1], tI(TagSARSegmentSeqnum, 2))},
		{name: "SAR total 0", bad: pSubmit(sar[0], tI(TagSARTotalSegments, 0), sar[2]), code: CodeSAR, sev: SevError,
			field: "sar_segment_seqnum", off: anyOff, clean: pSubmit(sar[0], tI(TagSARTotalSegments, 1), sar[2])},
		{name: "SAR with UDHI", bad: pText(udh, append([]mod{fI(FieldESMClass, 0x40)}, sar...)...), code: CodeSARWithUDHI, sev: SevWarning,
			field: "sar_msg_ref_num", off: anyOff, clean: pText(udh, fI(FieldESMClass, 0x40))},
		{name: "port with UDHI", bad: pText(udh, fI(FieldESMClass, 0x40), tI(TagDestinationPort, 2948)), code: CodeSARWithUDHI, sev: SevWarning,
			field: "source_port", off: anyOff, clean: pText("Hi", tI(TagDestinationPort, 2948))},
		{name: "broadcast_sm without area", v: V50, bad: pBC(TagBroadcastAreaIdentifier), code: CodeTLVMissing, sev: SevError,
			field: "broadcast_area_identifier", off: 16, clean: pBC(0)},
		{name: "broadcast_sm without content type", v: V50, bad: pBC(TagBroadcastContentType), code: CodeTLVMissing, sev: SevError,
			field: "broadcast_content_type", off: 16, clean: pBC(0)},
		{name: "broadcast_sm without rep num", v: V50, bad: pBC(TagBroadcastRepNum), code: CodeTLVMissing, sev: SevError,
			field: "broadcast_rep_num", off: 16, clean: pBC(0)},
		{name: "broadcast_sm without frequency", v: V50, bad: pBC(TagBroadcastFrequencyInt), code: CodeTLVMissing, sev: SevError,
			field: "broadcast_frequency_interval", off: 16, clean: pBC(0)},
		{name: "query_broadcast_sm_resp without state", v: V50, bad: pQBR(TagMessageState), code: CodeTLVMissing, sev: SevError,
			field: "message_state", off: 16, clean: pQBR(0)},
		{name: "query_broadcast_sm_resp without area", v: V50, bad: pQBR(TagBroadcastAreaIdentifier), code: CodeTLVMissing, sev: SevError,
			field: "broadcast_area_identifier", off: 16, clean: pQBR(0)},
		{name: "query_broadcast_sm_resp without success", v: V50, bad: pQBR(TagBroadcastAreaSuccess), code: CodeTLVMissing, sev: SevError,
			field: "broadcast_area_success", off: 16, clean: pQBR(0)},
		{name: "data_sm without payload", bad: pDataNoPayload(), code: CodeDataSMNoPayload, sev: SevWarning, field: "message_payload", off: 16,
			clean: pData()},
		{name: "congestion_state in a request v5.0", v: V50, bad: pSubmit(tI(TagCongestionState, 10)), code: CodeCongestionInReq,
			sev: SevWarning, field: "congestion_state", off: end, clean: base},
		{name: "congestion_state in a request v3.4", v: V34, bad: pSubmit(tI(TagCongestionState, 10)), code: CodeCongestionInReq,
			sev: SevWarning, field: "congestion_state", off: end, clean: base},
		{name: "pres_ind without callback_num", bad: pSubmit(tI(TagCallbackNumPresInd, 0)), code: CodeCallbackCount, sev: SevWarning,
			field: "callback_num", off: 16, clean: pSubmit(tI(TagCallbackNumPresInd, 0), tB(TagCallbackNum, []byte{1, 1, 1, '1'}))},
		{name: "atag count differs", bad: pSubmit(tB(TagCallbackNum, []byte{1, 1, 1, '1'}), tB(TagCallbackNum, []byte{1, 1, 1, '2'}),
			tB(TagCallbackNumAtag, []byte{0, 'A'})), code: CodeCallbackCount, sev: SevWarning, field: "callback_num", off: 16,
			clean: pSubmit(tB(TagCallbackNum, []byte{1, 1, 1, '1'}), tB(TagCallbackNumAtag, []byte{0, 'A'}))},
		{name: "ported without np information", v: V50, bad: pSubmit(tI(TagDestAddrNPResolution, 2), tB(TagDestAddrNPCountry, []byte{0x44})),
			code: CodeTLVDependency, sev: SevWarning, field: "dest_addr_np_resolution", off: end,
			clean: pSubmit(tI(TagDestAddrNPResolution, 2), tB(TagDestAddrNPCountry, []byte{0x44}), tB(TagDestAddrNPInformation, []byte("0123456789")))},
		{name: "network_id without node_id", v: V50, bad: pSubmit(tS(TagSourceNetworkID, "1234015")), code: CodeTLVDependency,
			sev: SevWarning, field: "source_network_id", off: end, clean: pSubmit(tS(TagSourceNetworkID, "1234015"), tB(TagSourceNodeID, []byte("000001")))},
		{name: "dest_network_id without node_id", v: V50, bad: pDeliver(tS(TagDestNetworkID, "1234015")), code: CodeTLVDependency,
			sev: SevWarning, field: "dest_network_id", off: end, clean: pDeliver(tS(TagDestNetworkID, "1234015"), tB(TagDestNodeID, []byte("000001")))},
		{name: "broadcast message_id and reference", v: V50, bad: pBC(0, fS(FieldMessageID, "b1"), tI(TagUserMessageReference, 1)),
			code: CodeTLVDependency, sev: SevWarning, field: "user_message_reference", off: 16, clean: pBC(0, tI(TagUserMessageReference, 1))},
		// ref §5.6 says broadcast_rep_num should be absent for priority 1,
		// §3.6/§12.5 make it mandatory: info, as §5.6 grades it.
		{name: "immediate broadcast with rep num", v: V50, bad: pBC(0, fI(FieldPriorityFlag, 1)), code: CodeTLVDependency, sev: SevInfo,
			field: "broadcast_rep_num", off: 16, clean: pBC(0, fI(FieldPriorityFlag, 2))},
		{name: "TLV on v3.3", v: V33, bad: pSubmit(tI(TagUserMessageReference, 1)), code: CodeTLVOnV33, sev: SevWarning,
			field: "user_message_reference", off: end, clean: base},
		{name: "unknown TLV on v3.3", v: V33, bad: pSubmit(tI(0x1500, 1)), code: CodeTLVOnV33, sev: SevWarning,
			field: "tag_0x1500", off: end, also: []Code{CodeTLVVendor}, clean: base},
	}
}

func TestChecksTLVs(t *testing.T) { runChecks(t, tlvChecks()) }

func udChecks() []checkCase {
	udhi := fI(FieldESMClass, 0x40)
	ucs2 := fI(FieldDataCoding, 0x08)
	sar := []mod{tI(TagSARMsgRefNum, 7), tI(TagSARTotalSegments, 2), tI(TagSARSegmentSeqnum, 1)}
	return []checkCase{
		{name: "UDHL past the data", bad: pText("\x09\x00\x03\x01\x02\x01Hi", udhi), code: CodeUDHInvalid, sev: SevError, field: "short_message",
			off: offSM, clean: pText("\x05\x00\x03\x01\x02\x01Hi", udhi)},
		{name: "IE past the UDH", bad: pText("\x05\x00\x05\x01\x02\x01Hi", udhi), code: CodeUDHInvalid, sev: SevError, field: "short_message",
			off: offSM, clean: pText("\x05\x00\x03\x01\x02\x01Hi", udhi)},
		{name: "UDHI with no data", bad: pText("", udhi), code: CodeUDHInvalid, sev: SevError, field: "short_message", off: offSM,
			clean: pText("", fI(FieldESMClass, 0x80))},
		{name: "port IE of 3", bad: pText("\x05\x04\x03\x01\x02\x03Hi", udhi), code: CodeUDHInvalid, sev: SevError, field: "short_message",
			off: offSM, clean: pText("\x04\x04\x02\x01\x02Hi", udhi)},
		{name: "UDH in message_payload", bad: pSubmit(fS(FieldShortMessage, ""), udhi, tB(TagMessagePayload, []byte{9, 0})), code: CodeUDHInvalid,
			sev: SevError, field: "message_payload", off: offSM + 4, clean: pSubmit(fS(FieldShortMessage, ""), udhi, tB(TagMessagePayload, []byte{0, 'a'}))},
		{name: "concat IEDL 4", bad: pText("\x06\x00\x04\x01\x02\x01\x00Hi", udhi), code: CodeConcatIE, sev: SevError, field: "short_message",
			off: offSM, clean: pText("\x06\x08\x04\x01\x02\x02\x01Hi", udhi)},
		{name: "concat total 0", bad: pText("\x05\x00\x03\x01\x00\x01Hi", udhi), code: CodeConcatIE, sev: SevError, field: "short_message",
			off: offSM, clean: pText("\x05\x00\x03\x01\x01\x01Hi", udhi)},
		{name: "concat part 0", bad: pText("\x05\x00\x03\x01\x02\x00Hi", udhi), code: CodeConcatIE, sev: SevError, field: "short_message",
			off: offSM, clean: pText("\x05\x00\x03\x01\x02\x02Hi", udhi)},
		{name: "concat part > total", bad: pText("\x06\x08\x04\x00\x01\x02\x03Hi", udhi), code: CodeConcatIE, sev: SevError,
			field: "short_message", off: offSM, clean: pText("\x06\x08\x04\x00\x01\x03\x03Hi", udhi)},
		{name: "two concat IEs", bad: pText("\x0A\x00\x03\x01\x02\x01\x00\x03\x01\x02\x01Hi", udhi), code: CodeConcatIE, sev: SevWarning,
			field: "short_message", off: offSM, clean: pText("\x09\x00\x03\x01\x02\x01\x04\x02\x01\x02Hi", udhi)},
		{name: "UDH without UDHI", bad: pText("\x05\x00\x03\x01\x02\x01Hi"), code: CodeMissingUDHI, sev: SevInfo, field: "short_message",
			off: offSM, clean: pText("\x05\x00\x03\x01\x02\x01Hi", udhi)},
		{name: "high bit in default alphabet", bad: pText("caf\xe9"), code: CodeGSMHighBit, sev: SevWarning, field: "short_message",
			off: offSM, clean: pText("caf\xe9", fI(FieldDataCoding, 0x03))},
		{name: "trailing escape", bad: pText("Hi\x1b"), code: CodeGSMEscape, sev: SevWarning, field: "short_message", off: offSM,
			clean: pText("Hi\x1b\x65")},
		{name: "undefined extension", bad: pText("Hi\x1b\x41"), code: CodeGSMEscape, sev: SevWarning, field: "short_message", off: offSM,
			clean: pText("Hi\x1b\x3c")},
		{name: "UCS2 odd", bad: pText("\x00H\x00", ucs2), code: CodeUCS2OddLength, sev: SevError, field: "short_message", off: offSM,
			clean: pText("\x00H\x00i", ucs2)},
		{name: "UCS2 odd after UDH", bad: pText("\x05\x00\x03\x01\x02\x01\x00H\x00i\x00", ucs2, udhi), code: CodeUCS2OddLength, sev: SevError,
			field: "short_message", off: offSM, clean: pText("\x05\x00\x03\x01\x02\x01\x00H\x00i", ucs2, udhi)},
		{name: "unpaired high surrogate", bad: pText("\xd8\x3d\x00H", ucs2), code: CodeUCS2Surrogate, sev: SevWarning, field: "short_message",
			off: offSM, clean: pText("\xd8\x3d\xde\x00", ucs2)},
		{name: "ends in high surrogate", bad: pText("\x00H\xd8\x3d", ucs2), code: CodeUCS2Surrogate, sev: SevWarning, field: "short_message",
			off: offSM, clean: pText("\x00H\x00i", ucs2)},
		{name: "lone low surrogate", bad: pText("\xde\x00", ucs2), code: CodeUCS2Surrogate, sev: SevWarning, field: "short_message", off: offSM},
		{name: "161 GSM octets", bad: pText(strings.Repeat("a", 161)), code: CodeOversizeSMS, sev: SevInfo, field: "short_message", off: offSM,
			clean: pText(strings.Repeat("a", 161), sar...)},
		{name: "142 UCS2 octets", bad: pText(strings.Repeat("\x00a", 71), ucs2), code: CodeOversizeSMS, sev: SevInfo, field: "short_message",
			off: offSM, clean: pText(strings.Repeat("\x00a", 70), ucs2)},
		{name: "141 binary octets", bad: pText(strings.Repeat("\xff", 141), fI(FieldDataCoding, 4)), code: CodeOversizeSMS, sev: SevInfo,
			field: "short_message", off: offSM, clean: pText(strings.Repeat("\x00a", 80), udhi, fI(FieldDataCoding, 4))},
	}
}

func TestChecksUserData(t *testing.T) { runChecks(t, udChecks()) }

func dlrChecks() []checkCase {
	rid := tS(TagReceiptedMessageID, "1a2b")
	return []checkCase{
		{name: "empty receipt", bad: pRcpt(""), code: CodeReceipt, sev: SevWarning, field: "short_message", off: anyOff,
			clean: pRcpt("", rid, tI(TagMessageState, 2))},
		{name: "text without labels", bad: pRcpt("your message was delivered"), code: CodeReceipt, sev: SevWarning, field: "short_message",
			off: anyOff, clean: pRcpt("your message was delivered", rid, tI(TagMessageState, 2))},
		// ref §13 receipt stat values: accept ACKED/BUFFRED/BUFFERD too (§8.4), warn on others.
		{name: "unknown stat", bad: pRcpt(strings.Replace(receiptText, "DELIVRD", "FOOBAR", 1), rid, tI(TagMessageState, 2)), code: CodeReceipt,
			sev: SevWarning, field: "short_message", off: anyOff, clean: pRcpt(strings.Replace(receiptText, "DELIVRD", "ACKED", 1), rid, tI(TagMessageState, 1), fI(FieldESMClass, 0x20))},
		{name: "buffered stat with a final state", bad: pRcpt(strings.Replace(receiptText, "DELIVRD", "BUFFRED", 1), rid, tI(TagMessageState, 2)),
			code: CodeReceipt, sev: SevWarning, field: "message_state", off: anyOff},
		{name: "state disagrees", bad: pRcpt(receiptText, rid, tI(TagMessageState, 5)), code: CodeReceipt, sev: SevWarning, field: "message_state",
			off: anyOff, clean: pRcpt(receiptText, rid, tI(TagMessageState, 2))},
		// ref §13 receipt message ids: compared after hex/decimal/zero normalisation.
		{name: "ids differ", bad: pRcpt(receiptText, tS(TagReceiptedMessageID, "ffff"), tI(TagMessageState, 2)), code: CodeReceipt, sev: SevInfo,
			field: "receipted_message_id", off: anyOff, clean: pRcpt(strings.Replace(receiptText, "1a2b", "6699", 1), rid, tI(TagMessageState, 2))},
		{name: "partial v3.4", bad: pRcpt(receiptText, rid), code: CodeReceipt, sev: SevInfo, field: "message_state", off: anyOff,
			clean: pRcpt(receiptText, rid, tI(TagMessageState, 2))},
		{name: "final receipt not final", bad: pRcpt(receiptText[:8], rid, tI(TagMessageState, 1)), code: CodeReceipt, sev: SevInfo,
			field: "message_state", off: 16, clean: pRcpt(receiptText[:8], rid, tI(TagMessageState, 1), fI(FieldESMClass, 0x20))},
		{name: "final receipt ENROUTE text", bad: pRcpt(strings.Replace(receiptText, "DELIVRD", "ENROUTE", 1)), code: CodeReceipt, sev: SevInfo,
			field: "message_state", off: 16, clean: pRcpt(strings.Replace(receiptText, "DELIVRD", "ENROUTE", 1), fI(FieldESMClass, 0x20))},
	}
}

func TestChecksReceipts(t *testing.T) { runChecks(t, dlrChecks()) }

// TestEveryCodeExercised parses issues.go and requires each Code constant
// to be the code of at least one check case. SES-* codes are raised by
// report/, except SES-16 which decode raises (ref §1.7).
func TestEveryCodeExercised(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "issues.go", nil, 0)
	require.NoError(t, err)
	var all []Code
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || vs.Type == nil || len(vs.Values) != 1 {
			return true
		}
		if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
			return true
		}
		lit, ok := vs.Values[0].(*ast.BasicLit)
		require.True(t, ok)
		s, err := strconv.Unquote(lit.Value)
		require.NoError(t, err)
		if !strings.HasPrefix(s, "SES-") || Code(s) == CodeBindRespBody {
			all = append(all, Code(s))
		}
		return true
	})
	require.Len(t, all, 16+15+15+16+8+1+1)
	seen := map[Code]bool{}
	for _, c := range allChecks() {
		seen[c.code] = true
		for _, a := range c.also {
			seen[a] = true
		}
	}
	for _, c := range all {
		require.True(t, seen[c], "no check case raises %s", c)
	}
}
