package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/internal/smppgen"
	"smppdump.dev/smppdump/internal/tshark"
)

// The oracle test compares smppdump's JSON output with Wireshark's SMPP
// dissector (tshark, through internal/tshark), PDU by PDU.
//
// Pairing: tshark's PDUs and smppdump's pdu records are paired as a
// multiset on (frame, command_id, sequence_number), frame being the packet
// that completed the PDU on both sides. A PDU on one side only is a
// difference (field "pdu").
//
// Fields compared for every pair: command_length, command_status (responses
// only), message_id, src, dst, the connection split (stream), every
// mandatory body field tshark prints (bodyFields), every TLV (tag, length
// and, by tshark's field name, its value) and the decoded text when both
// decode the same alphabet (sameAlphabet).
//
// Representation differences are normalised, not excepted:
//
//   - tshark does not print command_status for requests: compared for
//     responses only.
//   - tshark leaves out empty C-octet strings (and an empty message_id):
//     absent on tshark's side equals "" on smppdump's.
//   - tshark prints an empty service_type as "(Default)".
//   - tshark prints integers as "0x%02x" or decimal, esm_class and
//     registered_delivery as bit fields (rebuilt with ESMClass and
//     RegisteredDelivery), octet strings as "aa:bb", non-ASCII octets of a
//     C-octet string as U+FFFD each (tsharkString).
//   - tshark prints times converted: absolute ones as a UTC date, relative
//     and empty ones as *_r seconds (tsharkTime converts smppdump's raw
//     string).
//   - tcp.stream numbers every TCP connection, smppdump's stream only SMPP
//     ones: the test checks that both split PDUs into the same connections.
//   - smppdump masks passwords unless --show-secrets, which the test passes.
//
// Anything else that differs fails the test unless it is in
// oracleExceptions, which records both answers and why tshark is wrong; the
// test asserts smppdump's recorded answer, so an exception pins it.
//
// Both tools run with the same configuration: the capture's SMPP ports
// decoded as SMPP and the heuristics off; tshark with
// tcp.reassemble_out_of_order on (its best effort) and data_coding 0
// decoded as GSM 7-bit.

// oracleExceptions lists every known difference; see oracleException.
var oracleExceptions = []oracleException{
	{
		Capture: "demo.pcap", Frame: 12, PDU: "submit_sm seq=3", Field: "text",
		TShark:   "您好，您的包裹已发货 " + strings.Repeat("\uFFFD", 6),
		Smppdump: "您好，您的包裹已发货 📦",
		Reason: "tshark decodes data_coding 8 as strict UCS-2: the surrogate pair D83D DCE6 becomes two lone " +
			"surrogates, which it writes as invalid UTF-8 (ED A0 BD ED B3 A6, six U+FFFD once read). Ref §9.6: UCS2 " +
			"carries UTF-16BE in practice and decoders should accept surrogate pairs; this one is U+1F4E6 📦.",
	},
	{
		Capture: "synthetic/split-header", Frame: 9, PDU: "submit_sm seq=2", Field: "pdu",
		TShark: absent, Smppdump: "present",
		Reason: "tshark checks only the start of each segment: one holding 10 header octets is not SMPP, nor is the next, " +
			"which starts inside the PDU. Ref §1.1: a PDU may span segments, framing is by command_length alone " +
			"(Appendix B step 1: need ≥ 4 octets, then command_length octets).",
	},
	{
		Capture: "synthetic/out-of-order-first", Frame: 5, PDU: "bind_transceiver seq=1", Field: "pdu",
		TShark: absent, Smppdump: "present",
		Reason: "with its default tcp.reassemble_out_of_order (FALSE) tshark does not reorder: the tail, captured first, " +
			"does not start a PDU and the head, captured next, is an out-of-order segment it does not desegment. The " +
			"stream is whole once both are captured (ref §1.1; Appendix B step 1: reassemble the TCP stream per " +
			"direction, then frame).",
	},
	{
		Capture: "synthetic/out-of-order-first-midstream", Frame: 2, PDU: "bind_transceiver seq=1", Field: "pdu",
		TShark: absent, Smppdump: "present",
		Reason: "the capture starts inside the connection and its first two segments are captured tail first: tshark " +
			"starts the stream at the tail and drops the head even with tcp.reassemble_out_of_order, while the bytes " +
			"of the whole PDU are on the wire; smppdump holds a mid-stream direction's first packets briefly and " +
			"starts it at the lowest sequence number captured (ref §1.1; Appendix B step 1).",
	},
	{
		Capture: "synthetic/fields", Frame: 8, PDU: "submit_sm seq=3", Field: "validity_period",
		TShark: "validity_period_r=948869.000000000", Smppdump: "validity_period_r=020610233429000R",
		Reason: "tshark converts a relative time from days, hours, minutes and seconds only and drops its years and " +
			"months: 020610233429000R is 2 years, 6 months, 10 days, 23:34:29 (ref §4, the spec's own example), " +
			"not 10 d 23:34:29 = 948869 s. smppdump keeps the raw value.",
	},
	{
		Capture: "synthetic/fields", Frame: 18, PDU: "data_sm_resp seq=7", Field: "tlvs.count",
		TShark: "0", Smppdump: "2",
		Reason: "tshark decodes a response body only when command_status is 0. Ref §1.7 (transaction mode): a " +
			"data_sm_resp with ESME_RDELIVERYFAILURE may carry delivery_failure_reason and additional_status_info_text, " +
			"TLVs that only make sense on failure.",
	},
	{
		Capture: "synthetic/fields", Frame: 24, PDU: "submit_multi seq=9", Field: "validity_period",
		TShark: absent, Smppdump: "validity_period_r=0.000000000",
		Reason: "tshark prints submit_multi's empty validity_period as a second smpp.schedule_delivery_time_r (its tree " +
			"says \"Scheduled delivery time: SMSC default validity period\"). Ref §3.4: field 11 of submit_multi is " +
			"validity_period; smppdump reports it empty (SMSC default).",
	},
	{
		Capture: "synthetic/fields", Frame: 38, PDU: "submit_sm_resp seq=12", Field: "message_id",
		TShark: "", Smppdump: "X12",
		Reason: "tshark does not dissect the body of a response with a non-zero command_status, though it is on the " +
			"wire (command_length 20). Ref §1.7: peers do send a body with an error status; accept a well-formed one.",
	},
}

// publicPorts are the server ports of the positive public captures, from
// shared/pcaps/public/SOURCES.md.
var publicPorts = map[string][]int{
	"ndpi-smpp_in_general.pcap":                      {9000},
	"pcab_analyze-smpp_sample.pcap":                  {4001},
	"smpp_loss-v2smpp33.pcap":                        {12028, 12041, 12042, 14010, 14011},
	"segoranov-smpp_library-client_server_test.pcap": {7778},
}

// oracleCompare dissects path with tshark and smppdump and checks them
// with oracleCheck.
func oracleCompare(t *testing.T, capture, path string, ports []int) oracleResult {
	t.Helper()
	ts, err := tshark.Dissect(t.Context(), path, tshark.Options{Ports: ports, OutOfOrder: true})
	require.NoError(t, err)
	return oracleCheck(t, capture, ts, runDump(t, path, ports))
}

// oracleCheck compares tshark's PDUs with smppdump's, applies the
// exceptions and logs the counts.
func oracleCheck(t *testing.T, capture string, ts []tshark.PDU, sd []dumpPDU) oracleResult {
	t.Helper()
	r := compareOracle(ts, sd)
	hit := applyExceptions(t, capture, r.Diffs, oracleExceptions)
	t.Logf("%s: tshark %d PDUs, smppdump %d PDUs; %d PDUs compared, %d field comparisons, %d exceptions hit; tshark fields not compared: %s",
		capture, len(ts), len(sd), r.PDUs, r.Fields, hit, uncomparedSummary(r.Uncompared))
	return r
}

// TestOracleCaptures compares every capture in pcaps/ and every positive
// public capture.
func TestOracleCaptures(t *testing.T) {
	tshark.Require(t)
	type capture struct {
		name  string
		path  func(t *testing.T) string
		ports []int
	}
	var tests []capture
	own, err := filepath.Glob(filepath.Join("..", "..", "pcaps", "*.pcap"))
	require.NoError(t, err)
	require.NotEmpty(t, own)
	for _, p := range own {
		tests = append(tests, capture{name: filepath.Base(p), path: func(*testing.T) string { return p }, ports: []int{2775}})
	}
	for name, ports := range publicPorts {
		tests = append(tests, capture{name: name, ports: ports, path: func(t *testing.T) string {
			return filepath.Join(tshark.PublicCaptures(t), name)
		}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := oracleCompare(t, tt.name, tt.path(t), tt.ports)
			require.Positive(t, r.PDUs)
		})
	}
	t.Run("every public capture is listed", func(t *testing.T) {
		found, err := filepath.Glob(filepath.Join(tshark.PublicCaptures(t), "*.pcap"))
		require.NoError(t, err)
		for _, p := range found {
			require.Contains(t, publicPorts, filepath.Base(p), "new public capture: add its ports from SOURCES.md")
		}
	})
}

// pduRef names one PDU of a synthetic capture: the frame that completes
// it, its command_id, sequence_number and command_length.
type pduRef struct {
	Frame  int
	ID     decode.CommandID
	Seq    uint32
	Length int
}

func (r pduRef) String() string {
	return fmt.Sprintf("frame %d %s", r.Frame, pduLabel(uint32(r.ID), r.Seq))
}

func bindTRX(seq uint32) *decode.PDU {
	p := smppgen.Bind(decode.BindTransceiver, "acme", "s3cret", "", decode.V34)
	p.Seq = seq
	return p
}

func bindTRXResp(seq uint32) *decode.PDU {
	return smppgen.BindResp(bindTRX(seq), decode.StatusOK, "SMSC01", decode.V34)
}

func submit(seq uint32, text string) *decode.PDU {
	p := smppgen.SubmitSM(smppgen.Message{Src: smppgen.Alpha("ACMEShop"), Dst: smppgen.Intl("447700900123"),
		Registered: 1, UserData: smppgen.MustGSM7(text)})
	p.Seq = seq
	return p
}

func enquireLink(seq uint32) *decode.PDU { return decode.New(decode.EnquireLink, 0, seq) }

// withSeq sets the sequence numbers of PDUs, from first up.
func withSeq(first uint32, pdus ...*decode.PDU) []*decode.PDU {
	for i, p := range pdus {
		p.Seq = first + uint32(i)
	}
	return pdus
}

// buildReordered writes one session whose first client data, a
// bind_transceiver, is captured as two segments in reverse order (the
// 20-octet head after the 13-octet tail), then an ordinary exchange. It
// returns the bind, reported in the frame of its head, the one that fills
// the hole.
func buildReordered(s *synth, esme string, midStream bool) []pduRef {
	ss := s.session(esme, midStream)
	bind := bindTRX(1)
	f := s.reversed(ss, true, 20, bind)
	s.send(ss, false, bindTRXResp(1))
	sub := submit(2, "after the reordered bind")
	s.send(ss, true, sub)
	s.send(ss, false, smppgen.Resp(sub, decode.StatusOK, "m-0002"))
	s.close(ss)
	return []pduRef{{f[1], decode.BindTransceiver, 1, len(s.encode(bind))}}
}

// buildFields writes one session with a PDU of most commands and most field
// kinds, to exercise every comparison rule.
func buildFields(s *synth) []pduRef {
	ss := s.session("10.0.0.20:41000", false)
	bind := smppgen.Bind(decode.BindTransceiver, "fields\xe9", "pw", "VMA", decode.V34).
		SetInt(decode.FieldAddrTON, 1).SetInt(decode.FieldAddrNPI, 1).SetString(decode.FieldAddressRange, "^44.*")
	bind.Seq = 1
	s.send(ss, true, bind)
	s.send(ss, false, smppgen.BindResp(bind, decode.StatusOK, "SMSC01", decode.V50))

	// Seven submit_sm in one segment: times, flags and seven alphabets.
	m := smppgen.Message{Src: smppgen.Intl("447700900001"), Dst: smppgen.Intl("447700900002"), Registered: 0x1d,
		ServiceType: "CMT", Validity: "000001000000000R", UserData: smppgen.MustGSM7("GSM {escapes} €")}
	gsm := smppgen.SubmitSM(m).SetString(decode.FieldScheduleDeliveryTime, "250629133217404+").
		SetInt(decode.FieldProtocolID, 0x40).SetInt(decode.FieldPriorityFlag, 2).SetInt(decode.FieldReplaceIfPresentFlag, 1)
	m.Validity, m.DataCoding, m.UserData = "020610233429000R", 3, []byte("caf\xe9 \xa3")
	latin1 := smppgen.SubmitSM(m).SetString(decode.FieldScheduleDeliveryTime, "991231235959908-")
	m.Validity, m.DataCoding, m.UserData, m.ESMClass = "", 8, smppgen.UCS2("Привет"), 0x03
	ucs2 := smppgen.SubmitSM(m).AddTLVInt(decode.TagSARMsgRefNum, 0x1234).
		AddTLVInt(decode.TagSARTotalSegments, 2).AddTLVInt(decode.TagSARSegmentSeqnum, 1).
		AddTLVInt(decode.TagUserMessageReference, 7).AddTLVInt(decode.TagSourcePort, 2948).
		AddTLVInt(decode.TagDestinationPort, 9200).AddTLVInt(decode.TagLanguageIndicator, 1)
	m.DataCoding, m.UserData, m.PayloadInTLV, m.ESMClass = 0, smppgen.MustGSM7("in the payload"), true, 0
	payload := smppgen.SubmitSM(m).AddTLVInt(decode.TagPayloadType, 1).AddTLV(0x1401, []byte{1, 2, 3})
	m.DataCoding, m.UserData, m.PayloadInTLV = 1, []byte("IA5 text"), false
	ia5 := smppgen.SubmitSM(m).AddTLV(0x7777, []byte{9})
	m.DataCoding, m.UserData = 6, []byte("\xbf\xe0\xd8\xd2\xd5\xe2 \xf0")
	cyrillic := smppgen.SubmitSM(m)
	m.DataCoding, m.UserData = 7, []byte("\xf9\xec\xe5\xed \xaa")
	hebrew := smppgen.SubmitSM(m)
	subs := withSeq(2, gsm, latin1, ucs2, payload, ia5, cyrillic, hebrew)
	s.send(ss, true, subs...)
	var resps []*decode.PDU
	for i, p := range subs {
		resps = append(resps, smppgen.Resp(p, decode.StatusOK, fmt.Sprintf("M%d", i)))
	}
	s.send(ss, false, resps...)

	// A receipt with a network error.
	dlr := smppgen.Receipt(m.Src, m.Dst, "M0", "UNDELIV", "005", synthStart, synthStart.Add(time.Minute), "GSM").
		AddTLV(decode.TagNetworkErrorCode, []byte{3, 0, 5})
	dlr.Seq = 1
	s.send(ss, false, dlr)
	s.send(ss, true, smppgen.Resp(dlr, decode.StatusOK, ""))

	// data_sm answered in transaction mode: a failure status with TLVs.
	s.send(ss, true, decode.New(decode.DataSM, 0, 7).SetString(decode.FieldServiceType, "WAP").
		SetInt(decode.FieldSourceAddrTON, 1).SetInt(decode.FieldSourceAddrNPI, 1).SetString(decode.FieldSourceAddr, "111").
		SetInt(decode.FieldDestAddrTON, 1).SetInt(decode.FieldDestAddrNPI, 1).SetString(decode.FieldDestinationAddr, "222").
		SetInt(decode.FieldRegisteredDelivery, 1).SetInt(decode.FieldDataCoding, 8).
		AddTLV(decode.TagMessagePayload, smppgen.UCS2("data")))
	s.send(ss, false, decode.New(decode.DataSMResp, decode.StatusDeliveryFailed, 7).SetString(decode.FieldMessageID, "").
		AddTLVInt(decode.TagDeliveryFailureReason, 2).AddTLVString(decode.TagAdditionalStatusInfoText, "no route"))

	// query_sm, submit_multi, replace_sm, cancel_sm.
	s.send(ss, true, decode.New(decode.QuerySM, 0, 8).SetString(decode.FieldMessageID, "M0").
		SetInt(decode.FieldSourceAddrTON, 1).SetInt(decode.FieldSourceAddrNPI, 1).SetString(decode.FieldSourceAddr, "447700900001"))
	s.send(ss, false, decode.New(decode.QuerySMResp, 0, 8).SetString(decode.FieldMessageID, "M0").
		SetString(decode.FieldFinalDate, "260302090100000+").SetInt(decode.FieldMessageState, 5).SetInt(decode.FieldErrorCode, 5))
	multi := decode.New(decode.SubmitMulti, 0, 9).SetString(decode.FieldSourceAddr, "333").
		SetBytes(decode.FieldShortMessage, []byte("multi"))
	multi.Dests = []decode.Dest{{Flag: 1, TON: 1, NPI: 1, Addr: []byte("444")}, {Flag: 2, Addr: []byte("friends")}}
	s.send(ss, true, multi)
	multiResp := decode.New(decode.SubmitMultiResp, 0, 9).SetString(decode.FieldMessageID, "M9")
	multiResp.Unsuccess = []decode.Unsuccess{{TON: 1, NPI: 1, Addr: []byte("444"), Status: decode.StatusInvDstAdr}}
	s.send(ss, false, multiResp)
	s.send(ss, true, decode.New(decode.ReplaceSM, 0, 10).SetString(decode.FieldMessageID, "M1").
		SetInt(decode.FieldSourceAddrTON, 1).SetInt(decode.FieldSourceAddrNPI, 1).SetString(decode.FieldSourceAddr, "447700900001").
		SetString(decode.FieldScheduleDeliveryTime, "260302100000000+").SetString(decode.FieldValidityPeriod, "000002000000000R").
		SetBytes(decode.FieldShortMessage, []byte("replaced")))
	s.send(ss, false, decode.New(decode.ReplaceSMResp, 0, 10))
	s.send(ss, true, decode.New(decode.CancelSM, 0, 11).SetString(decode.FieldMessageID, "M2"))
	s.send(ss, false, decode.New(decode.CancelSMResp, 0, 11))

	// A submit refused with a body, a generic_nack, an alert_notification.
	refused := submit(12, "refused")
	s.send(ss, true, refused)
	s.send(ss, false, smppgen.Resp(refused, decode.StatusSubmitFail, "X12"))
	s.send(ss, true, enquireLink(13))
	s.send(ss, false, decode.New(decode.GenericNack, decode.StatusInvCmdID, 13))
	s.send(ss, false, decode.New(decode.AlertNotification, 0, 2).
		SetInt(decode.FieldSourceAddrTON, 1).SetInt(decode.FieldSourceAddrNPI, 1).SetString(decode.FieldSourceAddr, "447700900002").
		SetInt(decode.FieldESMEAddrTON, 1).SetInt(decode.FieldESMEAddrNPI, 1).SetString(decode.FieldESMEAddr, "447700900001"))
	s.send(ss, true, decode.New(decode.Unbind, 0, 14))
	s.send(ss, false, decode.New(decode.UnbindResp, 0, 14))
	s.close(ss)
	return nil
}

// TestOracleSynthetic compares tshark and smppdump on captures written by
// the test. lost lists the PDUs tshark's framing loses (internal/tshark's
// documentation, "Which PDUs tshark reports"): the test asserts that tshark
// does not report them and that smppdump does, in the frame that completes
// them; their "pdu" differences are in oracleExceptions.
func TestOracleSynthetic(t *testing.T) {
	tshark.Require(t)
	tests := []struct {
		name string
		// tsharkInOrder runs tshark with its default
		// tcp.reassemble_out_of_order (FALSE) instead of TRUE.
		tsharkInOrder bool
		build         func(s *synth) (lost []pduRef)
		// missing, when set, says what smppdump's reassembly does not do
		// yet: the case asserts that smppdump still loses the PDUs of lost
		// (so that a fix is noticed) and skips.
		missing string
	}{
		{
			// A submit_sm whose first segment holds 10 of its 16 header
			// octets: tshark rejects a segment that starts with fewer than
			// 16 octets, and the next one, which starts inside the PDU.
			name: "split-header",
			build: func(s *synth) []pduRef {
				ss := s.session("10.0.0.10:40001", false)
				s.send(ss, true, bindTRX(1))
				s.send(ss, false, bindTRXResp(1))
				sub := submit(2, "split inside the header")
				f := s.split(ss, true, []int{10}, sub)
				s.send(ss, false, smppgen.Resp(sub, decode.StatusOK, "m-0002"))
				s.send(ss, true, enquireLink(3))
				s.send(ss, false, smppgen.Resp(enquireLink(3), decode.StatusOK, ""))
				s.close(ss)
				return []pduRef{{f[1], decode.SubmitSM, 2, len(s.encode(sub))}}
			},
		},
		{
			// The same split after a complete PDU in the segment: the
			// segment starts on a PDU boundary, so tshark reassembles it.
			name: "split-header-after-pdu",
			build: func(s *synth) []pduRef {
				ss := s.session("10.0.0.10:40002", false)
				s.send(ss, true, bindTRX(1))
				s.send(ss, false, bindTRXResp(1))
				sub := submit(3, "split inside the header after a PDU")
				s.split(ss, true, []int{16 + 2}, enquireLink(2), sub)
				s.send(ss, false, smppgen.Resp(enquireLink(2), decode.StatusOK, ""), smppgen.Resp(sub, decode.StatusOK, "m-0003"))
				s.close(ss)
				return nil
			},
		},
		{
			// The first data segments after the handshake captured in
			// reverse order, with tshark's default preferences.
			name:          "out-of-order-first",
			tsharkInOrder: true,
			build:         func(s *synth) []pduRef { return buildReordered(s, "10.0.0.10:40003", false) },
		},
		{
			// The same capture with tcp.reassemble_out_of_order: tshark
			// reassembles it too.
			name: "out-of-order-first-reassembled",
			build: func(s *synth) []pduRef {
				buildReordered(s, "10.0.0.10:40003", false)
				return nil
			},
		},
		{
			// A capture that starts mid-stream with the first two data
			// segments in reverse order: tshark drops the head, captured
			// after the tail that opened the stream, even with
			// tcp.reassemble_out_of_order.
			name:  "out-of-order-first-midstream",
			build: func(s *synth) []pduRef { return buildReordered(s, "10.0.0.10:40004", true) },
		},
		{
			name:  "fields",
			build: buildFields,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSynth(t)
			lost := tt.build(s)
			path := s.file()
			ts, err := tshark.Dissect(t.Context(), path, tshark.Options{Ports: []int{2775}, OutOfOrder: !tt.tsharkInOrder})
			require.NoError(t, err)
			sd := runDump(t, path, []int{2775})
			require.NotEmpty(t, ts)
			recovered := 0
			for _, ref := range lost {
				for _, p := range ts {
					require.False(t, p.CommandID == uint32(ref.ID) && p.Seq == ref.Seq, "tshark reports %v in frame %d", ref, p.Frame)
				}
				for _, d := range sd {
					if d.Frame == ref.Frame && d.CommandID == uint32(ref.ID) && d.Seq == ref.Seq {
						require.Equal(t, ref.Length, int(d.Length), "%v", ref)
						recovered++
						break
					}
				}
			}
			capture := "synthetic/" + tt.name
			if tt.missing != "" {
				require.NotEmpty(t, lost)
				require.Zero(t, recovered, "smppdump now recovers %v: drop the case's missing note and add its exceptions", lost)
				oracleCheck(t, capture, ts, sd)
				t.Skip("reassembly: " + tt.missing)
			}
			require.Equal(t, len(lost), recovered, "smppdump must report %v", lost)
			oracleCheck(t, capture, ts, sd)
		})
	}
}
