package smppgen

import (
	"fmt"
	"time"

	"smppdump.dev/smppdump/decode"
)

// Bind builds a bind request (bind_transmitter, bind_receiver or bind_transceiver).
func Bind(id decode.CommandID, systemID, password, systemType string, version decode.Version) *decode.PDU {
	return decode.New(id, 0, 0).SetString(decode.FieldSystemID, systemID).
		SetString(decode.FieldPassword, password).SetString(decode.FieldSystemType, systemType).
		SetInt(decode.FieldInterfaceVersion, uint32(version))
}

// BindResp answers a bind; a failed bind has no body (ref §1.7).
func BindResp(req *decode.PDU, status decode.Status, systemID string, scVersion decode.Version) *decode.PDU {
	p := decode.New(req.ID|decode.RespBit, status, req.Seq)
	if status != decode.StatusOK {
		p.Values = p.Values[:0]
		return p
	}
	p.SetString(decode.FieldSystemID, systemID)
	if scVersion != 0 {
		p.AddTLVInt(decode.TagSCInterfaceVersion, uint32(scVersion))
	}
	return p
}

// Resp builds a header-only response, or one with a message_id when the
// command has that field.
func Resp(req *decode.PDU, status decode.Status, messageID string) *decode.PDU {
	p := decode.New(req.ID|decode.RespBit, status, req.Seq)
	if status != decode.StatusOK && messageID == "" {
		p.Values = p.Values[:0]
		return p
	}
	return p.SetString(decode.FieldMessageID, messageID)
}

// Addr is a TON/NPI/address triple.
type Addr struct {
	TON, NPI uint8
	Addr     string
}

// Intl is an international E.164 number.
func Intl(number string) Addr { return Addr{1, 1, number} }

// Alpha is an alphanumeric sender.
func Alpha(name string) Addr { return Addr{5, 0, name} }

// Message is what a submit_sm or deliver_sm carries.
type Message struct {
	Src, Dst     Addr
	ESMClass     uint8
	Registered   uint8
	DataCoding   uint8
	UserData     []byte
	ServiceType  string
	Validity     string
	PayloadInTLV bool // put the user data in message_payload
}

// SubmitSM builds a submit_sm.
func SubmitSM(m Message) *decode.PDU { return message(decode.SubmitSM, m) }

// DeliverSM builds a deliver_sm.
func DeliverSM(m Message) *decode.PDU { return message(decode.DeliverSM, m) }

func message(id decode.CommandID, m Message) *decode.PDU {
	p := decode.New(id, 0, 0).
		SetString(decode.FieldServiceType, m.ServiceType).
		SetInt(decode.FieldSourceAddrTON, uint32(m.Src.TON)).SetInt(decode.FieldSourceAddrNPI, uint32(m.Src.NPI)).
		SetString(decode.FieldSourceAddr, m.Src.Addr).
		SetInt(decode.FieldDestAddrTON, uint32(m.Dst.TON)).SetInt(decode.FieldDestAddrNPI, uint32(m.Dst.NPI)).
		SetString(decode.FieldDestinationAddr, m.Dst.Addr).
		SetInt(decode.FieldESMClass, uint32(m.ESMClass)).
		SetInt(decode.FieldRegisteredDelivery, uint32(m.Registered)).
		SetInt(decode.FieldDataCoding, uint32(m.DataCoding)).
		SetString(decode.FieldValidityPeriod, m.Validity)
	if m.PayloadInTLV {
		p.AddTLV(decode.TagMessagePayload, m.UserData)
	} else {
		p.SetBytes(decode.FieldShortMessage, m.UserData)
	}
	return p
}

// MustGSM7 returns text as unpacked GSM 7-bit septets; it panics on characters
// the GSM alphabet lacks (a programming error in a scenario).
func MustGSM7(text string) []byte {
	b, ok := decode.EncodeGSM7(nil, text)
	if !ok {
		panic(fmt.Sprintf("smppgen: %q is not GSM 7-bit text", text)) // programmer error in a scenario
	}
	return b
}

// UCS2 returns text as big-endian UTF-16.
func UCS2(text string) []byte {
	var b []byte
	for _, r := range text {
		if r >= 0x10000 {
			r -= 0x10000
			hi, lo := 0xD800+(r>>10), 0xDC00+(r&0x3FF)
			b = append(b, byte(hi>>8), byte(hi), byte(lo>>8), byte(lo))
			continue
		}
		b = append(b, byte(r>>8), byte(r))
	}
	return b
}

// Concat splits user data into parts with an 8-bit-reference concatenation
// UDH (ref §10.3), at most per octets of data each.
func Concat(ud []byte, ref uint8, per int) [][]byte {
	var parts [][]byte
	total := (len(ud) + per - 1) / per
	for i := 0; i < total; i++ {
		chunk := ud[i*per : min(len(ud), (i+1)*per)]
		part := append([]byte{5, 0, 3, ref, byte(total), byte(i + 1)}, chunk...)
		parts = append(parts, part)
	}
	return parts
}

// ReceiptText formats the receipt text of v3.4 Appendix B.
func ReceiptText(id, stat, errCode string, submit, done time.Time, text string) string {
	if len(text) > 20 {
		text = text[:20]
	}
	return fmt.Sprintf("id:%s sub:001 dlvrd:%s submit date:%s done date:%s stat:%s err:%s text:%s",
		id, map[bool]string{true: "001", false: "000"}[stat == "DELIVRD"],
		submit.UTC().Format("0601021504"), done.UTC().Format("0601021504"), stat, errCode, text)
}

// Receipt builds a delivery receipt deliver_sm for a message from src to dst:
// addresses swapped, esm_class 0x04, receipted_message_id and message_state
// TLVs, and Appendix B text.
func Receipt(src, dst Addr, id, stat, errCode string, submit, done time.Time, text string) *decode.PDU {
	state, _ := decode.StatState(stat)
	return DeliverSM(Message{Src: dst, Dst: src, ESMClass: 0x04,
		UserData: []byte(ReceiptText(id, stat, errCode, submit, done, text))}).
		AddTLVString(decode.TagReceiptedMessageID, id).
		AddTLVInt(decode.TagMessageState, uint32(state))
}
