package tshark

import (
	"encoding/hex"
	"net/netip"
	"strconv"
	"strings"
)

// PDU is one SMPP PDU as tshark dissected it.
type PDU struct {
	// Frame is frame.number of the packet tshark reported the PDU in: the
	// packet that completed it when it spans several TCP segments.
	Frame int
	// Stream is tcp.stream (tshark's 0-based connection index in order of
	// first sight), or -1 when the frame had no TCP layer.
	Stream int
	// Src and Dst are the innermost IP addresses and the TCP ports of the
	// packet (invalid when tshark printed none).
	Src, Dst netip.AddrPort

	CommandID     uint32 // smpp.command_id ("0x00000004")
	CommandLength uint32 // smpp.command_length (decimal)
	// Status is smpp.command_status. tshark prints it for responses only
	// (command_id bit 31 set, generic_nack included): for a request Status
	// is 0 and HasStatus false whatever the wire says.
	Status    uint32
	HasStatus bool
	Seq       uint32 // smpp.sequence_number (decimal)
	// MessageID is smpp.message_id. tshark leaves out an empty message_id
	// (deliver_sm_resp, most data_sm_resp), so HasMessageID is false then.
	MessageID    string
	HasMessageID bool

	// Fields holds every other smpp.* field of the PDU, fixed body and TLV
	// values alike, by name without the "smpp." prefix, with the value
	// exactly as tshark printed it (see the package documentation for the
	// formats). The header fields above, message_id and the TLV framing
	// fields opt_param_tag and opt_param_len are not in it. A field that
	// occurs more than once (submit_multi destinations, repeated TLVs) holds
	// its first value here; Values returns all of them.
	Fields map[string]string
	// TLVs lists the optional parameters in wire order.
	TLVs []TLV
	// All is every smpp.* field tshark printed for the PDU, the header
	// fields included, in tshark's order.
	All []Field

	// Malformed is set when tshark hit the end of the PDU while decoding it
	// (an "_ws.malformed" layer right after it: "Malformed Packet
	// (Exception occurred)"). The fields decoded before that point are kept.
	Malformed bool
	// Expert holds the expert-info messages tshark attached to the PDU, the
	// malformed-packet one included.
	Expert []string
	// Raw is the PDU's bytes (from "smpp_raw"); only with Options.Raw.
	Raw []byte
}

// TLV is one optional parameter as tshark dissected it.
type TLV struct {
	Tag    uint16 // smpp.opt_param_tag ("0x001e")
	Length int    // smpp.opt_param_len, the declared length (decimal)
	// Fields holds the value fields tshark decoded inside the parameter,
	// without the "smpp." prefix: {"receipted_message_id": "abc"}. Unknown
	// tags give "vendor_op" (0x1400-0x3fff) or "reserved_op" (others) as
	// colon-separated hex bytes.
	Fields map[string]string
}

// Field is one field tshark printed: its name without the "smpp." prefix and
// its value as printed.
type Field struct {
	Name  string
	Value string
}

// IsResponse reports whether command_id has the response bit set.
func (p PDU) IsResponse() bool { return p.CommandID&0x80000000 != 0 }

// Values returns every value tshark printed for the named field, in order.
func (p PDU) Values(name string) []string {
	var out []string
	for _, f := range p.All {
		if f.Name == name {
			out = append(out, f.Value)
		}
	}
	return out
}

// Uint returns the named field of Fields as a number; it accepts tshark's
// "0x"-prefixed hex and plain decimal.
func (p PDU) Uint(name string) (uint64, bool) {
	s, ok := p.Fields[name]
	if !ok {
		return 0, false
	}
	v, err := parseUint(s, 64)
	return v, err == nil
}

// Bytes returns the named FT_BYTES field of Fields ("74:65:73:74") as bytes.
func (p PDU) Bytes(name string) ([]byte, bool) {
	s, ok := p.Fields[name]
	if !ok {
		return nil, false
	}
	b, err := parseHexBytes(s)
	return b, err == nil
}

// ESMClass rebuilds the esm_class octet from the three bit fields tshark
// prints instead of it (esm.submit.msg_mode, msg_type and features, each
// shifted down to bit 0), for every command that has an esm_class.
func (p PDU) ESMClass() (uint8, bool) {
	return p.packBits([]bitField{
		{"esm.submit.msg_mode", 0, 0x03},
		{"esm.submit.msg_type", 2, 0x3c},
		{"esm.submit.features", 6, 0xc0},
	})
}

// RegisteredDelivery rebuilds the registered_delivery octet from tshark's
// regdel.receipt, regdel.acks and regdel.notif bit fields.
func (p PDU) RegisteredDelivery() (uint8, bool) {
	return p.packBits([]bitField{
		{"regdel.receipt", 0, 0x03},
		{"regdel.acks", 2, 0x0c},
		{"regdel.notif", 4, 0x10},
	})
}

type bitField struct {
	name  string
	shift uint
	mask  uint8
}

func (p PDU) packBits(fs []bitField) (uint8, bool) {
	var out uint8
	for _, f := range fs {
		v, ok := p.Uint(f.name)
		if !ok {
			return 0, false
		}
		out |= uint8(v<<f.shift) & f.mask
	}
	return out, true
}

// parseUint reads tshark's integer formats: "0x..." hex or decimal.
func parseUint(s string, bits int) (uint64, error) {
	if rest, ok := strings.CutPrefix(s, "0x"); ok {
		return strconv.ParseUint(rest, 16, bits)
	}
	return strconv.ParseUint(s, 10, bits)
}

// parseHexBytes reads tshark's FT_BYTES format, "aa:bb:cc", or the plain hex
// of raw data, "aabbcc".
func parseHexBytes(s string) ([]byte, error) {
	return hex.DecodeString(strings.ReplaceAll(s, ":", ""))
}
