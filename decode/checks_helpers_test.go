package decode

import (
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// mod changes a PDU under construction.
type mod func(*PDU)

func fI(id FieldID, v uint32) mod { return func(p *PDU) { p.SetInt(id, v) } }
func fS(id FieldID, s string) mod { return func(p *PDU) { p.SetString(id, s) } }
func tB(tag uint16, v []byte) mod { return func(p *PDU) { p.AddTLV(tag, v) } }
func tI(tag uint16, v uint32) mod { return func(p *PDU) { p.AddTLVInt(tag, v) } }
func tS(tag uint16, s string) mod { return func(p *PDU) { p.AddTLVString(tag, s) } }
func hdr(status Status, seq uint32) mod {
	return func(p *PDU) { p.Status, p.Seq = uint32(status), seq }
}
func dests(ds ...Dest) mod { return func(p *PDU) { p.Dests = append(p.Dests, ds...) } }
func sme(addr string) Dest { return Dest{Flag: 1, TON: 1, NPI: 1, Addr: []byte(addr)} }

// mk builds a PDU of id with seq 1, applies mods and encodes it with
// FixLengths.
func mk(id CommandID, mods ...mod) []byte {
	p := New(id, 0, 1)
	for _, m := range mods {
		m(p)
	}
	b, err := p.Marshal()
	if err != nil {
		panic(err)
	}
	return b
}

// lie encodes without fixing lengths, so sm_length and the counts are
// written as set; command_length is the real length unless set by a mod.
func lie(id CommandID, mods ...mod) []byte {
	p := New(id, 0, 1)
	for _, m := range mods {
		m(p)
	}
	b, err := p.Append(nil, EncodeOptions{})
	if err != nil {
		panic(err)
	}
	if p.Length == 0 {
		binary.BigEndian.PutUint32(b, uint32(len(b)))
	}
	return b
}

// hx decodes a spaced hex dump (panics: table rows are built before t exists).
func hx(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

// withLen overwrites command_length.
func withLen(b []byte, n uint32) []byte {
	b = slices.Clone(b)
	binary.BigEndian.PutUint32(b, n)
	return b
}

// plus appends octets and fixes command_length.
func plus(b []byte, extra ...byte) []byte {
	b = append(slices.Clone(b), extra...)
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	return b
}

// Base PDUs used by the check tables. Offsets of the base submit_sm /
// deliver_sm fields (service_type NULL, source "ACME", destination
// "447700900123", NULL times): source_addr_ton 17, source_addr_npi 18,
// source_addr 19, dest_addr_ton 24, dest_addr_npi 25, destination_addr 26,
// esm_class 39, protocol_id 40, priority_flag 41, schedule_delivery_time 42,
// validity_period 43, registered_delivery 44, replace_if_present_flag 45,
// data_coding 46, sm_default_msg_id 47, sm_length 48, short_message 49.
const (
	offSrcTON = 17
	offDstTON = 24
	offDstNPI = 25
	offDst    = 26
	offESM    = 39
	offPrio   = 41
	offSched  = 42
	offValid  = 43
	offReg    = 44
	offRepl   = 45
	offDC     = 46
	offDflt   = 47
	offSMLen  = 48
	offSM     = 49
)

func submitMods(extra ...mod) []mod {
	return append([]mod{fI(FieldSourceAddrTON, 5), fS(FieldSourceAddr, "ACME"), fI(FieldDestAddrTON, 1),
		fI(FieldDestAddrNPI, 1), fS(FieldDestinationAddr, "447700900123"), fS(FieldShortMessage, "Hello")}, extra...)
}

// pSubmit is a clean submit_sm with "Hello"; mods apply after the defaults.
func pSubmit(extra ...mod) []byte { return mk(SubmitSM, submitMods(extra...)...) }

// pSubmitLie is sm encoded without fixing lengths.
func pSubmitLie(extra ...mod) []byte { return lie(SubmitSM, submitMods(extra...)...) }

// pDeliver is a clean (non-receipt) deliver_sm.
func pDeliver(extra ...mod) []byte { return mk(DeliverSM, submitMods(extra...)...) }

// pText is submit_sm with the given user data.
func pText(ud string, extra ...mod) []byte {
	return pSubmit(append([]mod{fS(FieldShortMessage, ud)}, extra...)...)
}

// pData is a clean data_sm carrying its text in message_payload.
func pData(extra ...mod) []byte {
	return mk(DataSM, append([]mod{fS(FieldSourceAddr, "447700900123"), fS(FieldDestinationAddr, "ACME"),
		tB(TagMessagePayload, []byte("Hello"))}, extra...)...)
}

// pDataNoPayload is data_sm without message_payload.
func pDataNoPayload(extra ...mod) []byte {
	return mk(DataSM, append([]mod{fS(FieldSourceAddr, "447700900123"), fS(FieldDestinationAddr, "ACME")}, extra...)...)
}

// pBind is bind_transmitter "esme"/"pw", interface_version 0x34: system_id
// at 16, password at 21, system_type 24, interface_version 25, addr_ton 26,
// addr_npi 27, address_range 28.
func pBind(extra ...mod) []byte {
	return mk(BindTransmitter, append([]mod{fS(FieldSystemID, "esme"), fS(FieldPassword, "pw"),
		fI(FieldInterfaceVersion, 0x34)}, extra...)...)
}

// pQSR is query_sm_resp "1a2b": final_date at 21.
func pQSR(final string, state uint32) []byte {
	return mk(QuerySMResp, fS(FieldMessageID, "1a2b"), fS(FieldFinalDate, final), fI(FieldMessageState, state))
}

// pMulti is submit_multi from "ACME": number_of_dests at 24, first dest at 25.
func pMulti(extra ...mod) []byte {
	return mk(SubmitMulti, append([]mod{fI(FieldSourceAddrTON, 5), fS(FieldSourceAddr, "ACME"),
		fS(FieldShortMessage, "Hello")}, extra...)...)
}

var bcMandatory = []mod{tB(TagBroadcastAreaIdentifier, []byte{0, 'P', 'A', 'R'}), tB(TagBroadcastContentType, []byte{1, 0, 0x33}),
	tI(TagBroadcastRepNum, 3), tB(TagBroadcastFrequencyInt, []byte{0x09, 0, 10})}

// pBC is a clean v5.0 broadcast_sm; skip drops one of its mandatory TLVs.
func pBC(skip uint16, extra ...mod) []byte {
	mods := []mod{fS(FieldSourceAddr, "ACME"), tB(TagMessagePayload, []byte("Storm"))}
	for _, m := range bcMandatory {
		p := New(BroadcastSM, 0, 1)
		m(p)
		if p.TLVs[0].Tag != skip {
			mods = append(mods, m)
		}
	}
	return mk(BroadcastSM, append(mods, extra...)...)
}

// pQBR is a clean v5.0 query_broadcast_sm_resp; skip drops a mandatory TLV.
func pQBR(skip uint16, extra ...mod) []byte {
	mods := []mod{fS(FieldMessageID, "b1")}
	for _, m := range []mod{tI(TagMessageState, 2), tB(TagBroadcastAreaIdentifier, []byte{0, 'P'}), tI(TagBroadcastAreaSuccess, 100)} {
		p := New(QueryBroadcastSMResp, 0, 1)
		m(p)
		if p.TLVs[0].Tag != skip {
			mods = append(mods, m)
		}
	}
	return mk(QueryBroadcastSMResp, append(mods, extra...)...)
}

const receiptText = "id:1a2b sub:001 dlvrd:001 submit date:2401151230 done date:2401151231 stat:DELIVRD err:000 text:Hello"

// pRcpt is a deliver_sm receipt (esm_class 0x04) with text and the given TLVs.
func pRcpt(text string, extra ...mod) []byte {
	return mk(DeliverSM, append([]mod{fS(FieldSourceAddr, "447700900123"), fS(FieldDestinationAddr, "ACME"),
		fI(FieldESMClass, 0x04), fS(FieldShortMessage, text)}, extra...)...)
}

// codesOf returns the distinct codes of a PDU's issues, sorted.
func codesOf(p *PDU) []Code {
	var cs []Code
	for _, is := range p.Issues {
		if !slices.Contains(cs, is.Code) {
			cs = append(cs, is.Code)
		}
	}
	slices.Sort(cs)
	return cs
}

func sortedCodes(cs ...Code) []Code {
	out := slices.Clone(cs)
	slices.Sort(out)
	return slices.Compact(out)
}

// requireIssue returns the first issue with code, failing when there is none.
func requireIssue(t *testing.T, p *PDU, code Code) Issue {
	t.Helper()
	for _, is := range p.Issues {
		if is.Code == code {
			return is
		}
	}
	require.Failf(t, "missing issue", "want %s, got %v", code, p.Issues)
	return Issue{}
}
