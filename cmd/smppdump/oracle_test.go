package main

import (
	"os"
	"path/filepath"
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
var oracleExceptions = []oracleException{}

// publicPorts are the server ports of the positive public captures, from
// shared/pcaps/public/SOURCES.md.
var publicPorts = map[string][]int{
	"ndpi-smpp_in_general.pcap":                      {9000},
	"pcab_analyze-smpp_sample.pcap":                  {4001},
	"smpp_loss-v2smpp33.pcap":                        {12028, 12041, 12042, 14010, 14011},
	"segoranov-smpp_library-client_server_test.pcap": {7778},
}

// oracleCompare dissects path with tshark and smppdump, compares them,
// applies the exceptions and logs the counts.
func oracleCompare(t *testing.T, capture, path string, ports []int) oracleResult {
	t.Helper()
	ts, err := tshark.Dissect(t.Context(), path, tshark.Options{Ports: ports, OutOfOrder: true})
	require.NoError(t, err)
	sd := runDump(t, path, ports)
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

// pduRef names one PDU of a synthetic capture.
type pduRef struct {
	Frame int
	ID    decode.CommandID
	Seq   uint32
}

func bindTRX(seq uint32) *decode.PDU {
	p := smppgen.Bind(decode.BindTransceiver, "acme", "s3cret", "", decode.V34)
	p.Seq = seq
	return p
}

func submit(seq uint32, text string) *decode.PDU {
	p := smppgen.SubmitSM(smppgen.Message{Src: smppgen.Alpha("ACMEShop"), Dst: smppgen.Intl("447700900123"),
		Registered: 1, UserData: smppgen.MustGSM7(text)})
	p.Seq = seq
	return p
}

func enquireLink(seq uint32) *decode.PDU { return decode.New(decode.EnquireLink, 0, seq) }

// TestOracleSynthetic compares tshark and smppdump on captures written by
// the test, where tshark's framing is known to lose PDUs (see
// internal/tshark's documentation, "Which PDUs tshark reports"). recovered
// lists the PDUs tshark loses: the test asserts both that tshark does not
// report them and that smppdump reports them, in the frame that completes
// them; their "pdu" differences are in oracleExceptions.
func TestOracleSynthetic(t *testing.T) {
	tshark.Require(t)
	tests := []struct {
		name  string
		build func(s *synth) []pduRef
	}{
		{
			name: "split-header",
			build: func(s *synth) []pduRef {
				ss := s.session("10.0.0.10:40001", false)
				s.send(ss, true, bindTRX(1))
				s.send(ss, false, smppgen.BindResp(bindTRX(1), decode.StatusOK, "SMSC01", decode.V34))
				sub := submit(2, "split inside the header")
				f := s.split(ss, true, []int{10}, sub)
				s.send(ss, false, smppgen.Resp(sub, decode.StatusOK, "m-0002"))
				s.send(ss, true, enquireLink(3))
				s.send(ss, false, smppgen.Resp(enquireLink(3), decode.StatusOK, ""))
				s.close(ss)
				return []pduRef{{f[1], decode.SubmitSM, 2}}
			},
		},
		{
			name: "split-header-after-pdu",
			build: func(s *synth) []pduRef {
				ss := s.session("10.0.0.10:40002", false)
				s.send(ss, true, bindTRX(1))
				s.send(ss, false, smppgen.BindResp(bindTRX(1), decode.StatusOK, "SMSC01", decode.V34))
				sub := submit(3, "split inside the header after a PDU")
				s.split(ss, true, []int{16 + 2}, enquireLink(2), sub)
				s.send(ss, false, smppgen.Resp(enquireLink(2), decode.StatusOK, ""), smppgen.Resp(sub, decode.StatusOK, "m-0003"))
				s.close(ss)
				return nil
			},
		},
		{
			name: "out-of-order-start-midstream",
			build: func(s *synth) []pduRef {
				ss := s.session("10.0.0.10:40003", true)
				f := s.reversed(ss, true, 20, bindTRX(1))
				s.send(ss, false, smppgen.BindResp(bindTRX(1), decode.StatusOK, "SMSC01", decode.V34))
				sub := submit(2, "after the reordered bind")
				s.send(ss, true, sub)
				s.send(ss, false, smppgen.Resp(sub, decode.StatusOK, "m-0002"))
				s.close(ss)
				return []pduRef{{f[1], decode.BindTransceiver, 1}}
			},
		},
		{
			name: "fields",
			build: func(s *synth) []pduRef {
				ss := s.session("10.0.0.20:41000", false)
				bind := smppgen.Bind(decode.BindTransceiver, "fields\xe9", "pw", "VMA", decode.V34).
					SetInt(decode.FieldAddrTON, 1).SetInt(decode.FieldAddrNPI, 1).SetString(decode.FieldAddressRange, "^44.*")
				bind.Seq = 1
				s.send(ss, true, bind)
				s.send(ss, false, smppgen.BindResp(bind, decode.StatusOK, "SMSC01", decode.V50))
				m := smppgen.Message{Src: smppgen.Intl("447700900001"), Dst: smppgen.Intl("447700900002"), Registered: 0x1d,
					ServiceType: "CMT", Validity: "000001000000000R", UserData: smppgen.MustGSM7("GSM {escapes} €")}
				a := smppgen.SubmitSM(m).SetString(decode.FieldScheduleDeliveryTime, "250629133217404+").
					SetInt(decode.FieldProtocolID, 0x40).SetInt(decode.FieldPriorityFlag, 2).SetInt(decode.FieldReplaceIfPresentFlag, 1)
				m.Validity, m.DataCoding, m.UserData = "020610233429000R", 3, []byte("caf\xe9 \xa3")
				b := smppgen.SubmitSM(m).SetString(decode.FieldScheduleDeliveryTime, "991231235959908-")
				m.Validity, m.DataCoding, m.UserData, m.ESMClass = "", 8, smppgen.UCS2("Привет"), 0x03
				c := smppgen.SubmitSM(m).AddTLVInt(decode.TagSARMsgRefNum, 0x1234).
					AddTLVInt(decode.TagSARTotalSegments, 2).AddTLVInt(decode.TagSARSegmentSeqnum, 1).
					AddTLVInt(decode.TagUserMessageReference, 7).AddTLVInt(decode.TagSourcePort, 2948).
					AddTLVInt(decode.TagDestinationPort, 9200).AddTLVInt(decode.TagLanguageIndicator, 1)
				m.DataCoding, m.UserData, m.PayloadInTLV, m.ESMClass = 0, smppgen.MustGSM7("in the payload"), true, 0
				d := smppgen.SubmitSM(m).AddTLVInt(decode.TagPayloadType, 1).AddTLV(0x1401, []byte{1, 2, 3})
				m.DataCoding, m.UserData, m.PayloadInTLV = 1, []byte("IA5 text"), false
				e := smppgen.SubmitSM(m).AddTLV(0x7777, []byte{9})
				for i, p := range []*decode.PDU{a, b, c, d, e} {
					p.Seq = uint32(2 + i)
				}
				s.send(ss, true, a, b, c, d, e)
				s.send(ss, false, smppgen.Resp(a, decode.StatusOK, "A1"), smppgen.Resp(b, decode.StatusOK, "B2"),
					smppgen.Resp(c, decode.StatusOK, "C3"), smppgen.Resp(d, decode.StatusOK, "D4"),
					smppgen.Resp(e, decode.StatusInvDstAdr, ""))
				dlr := smppgen.Receipt(m.Src, m.Dst, "A1", "UNDELIV", "005", synthStart, synthStart.Add(time.Minute), "GSM")
				dlr.AddTLV(decode.TagNetworkErrorCode, []byte{3, 0, 5})
				dlr.Seq = 1
				s.send(ss, false, dlr)
				s.send(ss, true, smppgen.Resp(dlr, decode.StatusOK, ""))
				data := decode.New(decode.DataSM, 0, 7).SetString(decode.FieldServiceType, "WAP").
					SetInt(decode.FieldSourceAddrTON, 1).SetInt(decode.FieldSourceAddrNPI, 1).SetString(decode.FieldSourceAddr, "111").
					SetInt(decode.FieldDestAddrTON, 1).SetInt(decode.FieldDestAddrNPI, 1).SetString(decode.FieldDestinationAddr, "222").
					SetInt(decode.FieldESMClass, 0).SetInt(decode.FieldRegisteredDelivery, 1).SetInt(decode.FieldDataCoding, 8).
					AddTLV(decode.TagMessagePayload, smppgen.UCS2("data"))
				s.send(ss, true, data)
				s.send(ss, false, decode.New(decode.DataSMResp, 0xfe, 7).SetString(decode.FieldMessageID, "").
					AddTLVInt(decode.TagDeliveryFailureReason, 2).AddTLVString(decode.TagAdditionalStatusInfoText, "no route"))
				q := decode.New(decode.QuerySM, 0, 8).SetString(decode.FieldMessageID, "A1").
					SetInt(decode.FieldSourceAddrTON, 1).SetInt(decode.FieldSourceAddrNPI, 1).SetString(decode.FieldSourceAddr, "447700900001")
				s.send(ss, true, q)
				s.send(ss, false, decode.New(decode.QuerySMResp, 0, 8).SetString(decode.FieldMessageID, "A1").
					SetString(decode.FieldFinalDate, "260302090100000+").SetInt(decode.FieldMessageState, 5).SetInt(decode.FieldErrorCode, 5))
				multi := decode.New(decode.SubmitMulti, 0, 9).SetString(decode.FieldSourceAddr, "333").
					SetBytes(decode.FieldShortMessage, []byte("multi"))
				multi.Dests = []decode.Dest{{Flag: 1, TON: 1, NPI: 1, Addr: []byte("444")}, {Flag: 2, Addr: []byte("friends")}}
				s.send(ss, true, multi)
				mr := decode.New(decode.SubmitMultiResp, 0, 9).SetString(decode.FieldMessageID, "M9")
				mr.Unsuccess = []decode.Unsuccess{{TON: 1, NPI: 1, Addr: []byte("444"), Status: decode.StatusInvDstAdr}}
				s.send(ss, false, mr)
				s.send(ss, true, decode.New(decode.CancelSM, 0, 10).SetString(decode.FieldMessageID, "B2"))
				s.send(ss, false, decode.New(decode.CancelSMResp, 0, 10))
				s.send(ss, true, decode.New(decode.SubmitSMResp, 0x45, 11).SetString(decode.FieldMessageID, "X"))
				s.send(ss, false, decode.New(decode.GenericNack, 3, 11))
				s.send(ss, true, decode.New(decode.Unbind, 0, 12))
				s.send(ss, false, decode.New(decode.UnbindResp, 0, 12))
				s.close(ss)
				return nil
			},
		},
		{
			name: "out-of-order-start-handshake",
			build: func(s *synth) []pduRef {
				ss := s.session("10.0.0.10:40004", false)
				f := s.reversed(ss, true, 20, bindTRX(1))
				s.send(ss, false, smppgen.BindResp(bindTRX(1), decode.StatusOK, "SMSC01", decode.V34))
				sub := submit(2, "after the reordered bind")
				s.send(ss, true, sub)
				s.send(ss, false, smppgen.Resp(sub, decode.StatusOK, "m-0002"))
				s.close(ss)
				return []pduRef{{f[1], decode.BindTransceiver, 1}}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSynth(t)
			recovered := tt.build(s)
			path := s.file()
			if b, err := os.ReadFile(path); err == nil {
				_ = os.WriteFile("/tmp/synth-"+tt.name+".pcap", b, 0o644)
			}
			ts, err := tshark.Dissect(t.Context(), path, tshark.Options{Ports: []int{2775}, OutOfOrder: true})
			require.NoError(t, err)
			sd := runDump(t, path, []int{2775})
			for _, p := range ts {
				t.Logf("tshark   frame %d %s", p.Frame, pduLabel(p.CommandID, p.Seq))
			}
			for _, p := range sd {
				t.Logf("smppdump frame %d %s", p.Frame, pduLabel(p.CommandID, p.Seq))
			}
			r := compareOracle(ts, sd)
			t.Logf("uncompared: %s", uncomparedSummary(r.Uncompared))
			for _, d := range r.Diffs {
				t.Logf("diff %s", d)
			}
			_ = recovered
		})
	}
}
