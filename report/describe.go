package report

import (
	"fmt"
	"strings"

	"smppdump.dev/smppdump/decode"
)

// describeField returns a short explanation of an integer field's value
// (ref §3.8), or "".
func describeField(id decode.FieldID, v uint32) string {
	switch id {
	case decode.FieldSourceAddrTON, decode.FieldDestAddrTON, decode.FieldAddrTON, decode.FieldESMEAddrTON:
		names := []string{"Unknown", "International", "National", "Network specific", "Subscriber number", "Alphanumeric", "Abbreviated"}
		if int(v) < len(names) {
			return names[v]
		}
		return "reserved"
	case decode.FieldSourceAddrNPI, decode.FieldDestAddrNPI, decode.FieldAddrNPI, decode.FieldESMEAddrNPI:
		switch v {
		case 0:
			return "Unknown"
		case 1:
			return "ISDN (E.163/E.164)"
		case 3:
			return "Data (X.121)"
		case 4:
			return "Telex (F.69)"
		case 6:
			return "Land Mobile (E.212)"
		case 8:
			return "National"
		case 9:
			return "Private"
		case 10:
			return "ERMES"
		case 14:
			return "Internet (IP)"
		case 18:
			return "WAP Client Id"
		}
		return "reserved"
	case decode.FieldInterfaceVersion:
		return "SMPP " + decode.Version(v).String()
	case decode.FieldESMClass:
		return describeESMClass(uint8(v))
	case decode.FieldRegisteredDelivery:
		return describeRegDelivery(uint8(v))
	case decode.FieldDataCoding:
		return describeDCS(decode.ParseDCS(uint8(v)))
	case decode.FieldMessageState:
		return decode.MessageStateName(uint8(v))
	case decode.FieldPriorityFlag:
		return [...]string{"normal", "priority/immediate", "priority/high", "priority/very urgent", "priority background"}[min(v, 4)]
	}
	return ""
}

func describeESMClass(v uint8) string {
	var parts []string
	switch v & 0x03 {
	case 1:
		parts = append(parts, "datagram mode")
	case 2:
		parts = append(parts, "forward (transaction) mode")
	case 3:
		parts = append(parts, "store-and-forward mode")
	}
	switch v & 0x3C {
	case 0x04:
		parts = append(parts, "SMSC delivery receipt")
	case 0x08:
		parts = append(parts, "SME delivery acknowledgement")
	case 0x10:
		parts = append(parts, "SME manual/user acknowledgement")
	case 0x18:
		parts = append(parts, "conversation abort")
	case 0x20:
		parts = append(parts, "intermediate delivery notification")
	case 0:
	default:
		parts = append(parts, fmt.Sprintf("reserved message type 0x%02x", v&0x3C))
	}
	if v&0x40 != 0 {
		parts = append(parts, "UDHI")
	}
	if v&0x80 != 0 {
		parts = append(parts, "reply path")
	}
	if len(parts) == 0 {
		return "default"
	}
	return strings.Join(parts, ", ")
}

func describeRegDelivery(v uint8) string {
	var parts []string
	switch v & 0x03 {
	case 0:
		parts = append(parts, "no receipt")
	case 1:
		parts = append(parts, "receipt on success or failure")
	case 2:
		parts = append(parts, "receipt on failure")
	case 3:
		parts = append(parts, "receipt on success (v5.0)")
	}
	switch (v >> 2) & 0x03 {
	case 1:
		parts = append(parts, "SME delivery ack")
	case 2:
		parts = append(parts, "SME manual ack")
	case 3:
		parts = append(parts, "SME delivery and manual acks")
	}
	if v&0x10 != 0 {
		parts = append(parts, "intermediate notification")
	}
	return strings.Join(parts, ", ")
}

func describeDCS(d decode.DCS) string {
	s := d.Alphabet.String()
	if d.Class >= 0 {
		s += fmt.Sprintf(", class %d", d.Class)
	}
	if d.MWI {
		s += ", message waiting indication"
	}
	if d.Compressed {
		s += ", compressed"
	}
	if d.Reserved {
		s += ", reserved"
	}
	return s
}
