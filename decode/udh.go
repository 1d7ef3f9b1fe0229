package decode

import "fmt"

// IE is one Information Element of a User Data Header (ref §10.1).
type IE struct {
	ID   uint8
	Data []byte // aliases the user data
}

// Name returns the IE's name from ref §10.2.
func (ie IE) Name() string { return IEName(ie.ID) }

// IEName names an Information Element Identifier (ref §10.2).
func IEName(id uint8) string {
	switch id {
	case 0x00:
		return "concat_8bit_ref"
	case 0x01:
		return "special_sms_indication"
	case 0x04:
		return "port_8bit"
	case 0x05:
		return "port_16bit"
	case 0x06:
		return "smsc_control_parameters"
	case 0x07:
		return "udh_source_indicator"
	case 0x08:
		return "concat_16bit_ref"
	case 0x09:
		return "wcmp"
	case 0x0A:
		return "ems_text_formatting"
	case 0x0B:
		return "ems_predefined_sound"
	case 0x0C:
		return "ems_user_sound"
	case 0x0D:
		return "ems_predefined_animation"
	case 0x0E:
		return "ems_large_animation"
	case 0x0F:
		return "ems_small_animation"
	case 0x10:
		return "ems_large_picture"
	case 0x11:
		return "ems_small_picture"
	case 0x12:
		return "ems_variable_picture"
	case 0x13:
		return "ems_user_prompt"
	case 0x14:
		return "ems_extended_object"
	case 0x15:
		return "ems_reused_extended_object"
	case 0x16:
		return "ems_compression_control"
	case 0x17:
		return "ems_object_distribution_indicator"
	case 0x18:
		return "ems_standard_wvg_object"
	case 0x19:
		return "ems_character_size_wvg_object"
	case 0x1A:
		return "ems_extended_object_data_request"
	case 0x20:
		return "rfc822_email_header"
	case 0x21:
		return "hyperlink_format_element"
	case 0x22:
		return "reply_address_element"
	case 0x23:
		return "enhanced_voice_mail_information"
	case 0x24:
		return "national_language_single_shift"
	case 0x25:
		return "national_language_locking_shift"
	}
	switch {
	case id >= 0x70 && id <= 0x7F:
		return "usim_toolkit_security_header"
	case id >= 0x80 && id <= 0x9F:
		return "sme_to_sme_specific"
	case id >= 0xC0 && id <= 0xDF:
		return "sc_specific"
	}
	return fmt.Sprintf("reserved_0x%02x", id)
}

// ieFixedLen is the IEDL an IE must have, where ref §10.3 fixes one.
func ieFixedLen(id uint8) int {
	switch id {
	case 0x00:
		return 3
	case 0x08:
		return 4
	case 0x04:
		return 2
	case 0x05:
		return 4
	case 0x24, 0x25:
		return 1
	}
	return -1
}

// UDH is a parsed User Data Header.
type UDH struct {
	Len int  // octets occupied, UDHL included
	IEs []IE // in order
}

// UDHError says why a UDH could not be parsed; Offset is within the user data.
type UDHError struct {
	Offset int
	Reason string
	// IE is the identifier of an IE whose length is wrong for its kind
	// (BadLength set); such an IE is still listed in the UDH.
	IE        uint8
	BadLength bool
}

func (e *UDHError) Error() string { return fmt.Sprintf("decode: udh at %d: %s", e.Offset, e.Reason) }

// ParseUDH parses the UDH at the start of ud (ref §10.1). IEs are kept even
// when a later one is broken; the error describes the first problem.
func ParseUDH(ud []byte) (UDH, error) {
	if len(ud) == 0 {
		return UDH{}, &UDHError{Offset: 0, Reason: "UDHI is set but the user data is empty"}
	}
	n := int(ud[0]) + 1
	if n > len(ud) {
		return UDH{}, &UDHError{Offset: 0, Reason: fmt.Sprintf("UDHL %d runs past the %d octets of user data", ud[0], len(ud))}
	}
	h := UDH{Len: n}
	for off := 1; off < n; {
		if n-off < 2 {
			return h, &UDHError{Offset: off, Reason: "truncated IE header"}
		}
		id, l := ud[off], int(ud[off+1])
		if off+2+l > n {
			return h, &UDHError{Offset: off, Reason: fmt.Sprintf("IE 0x%02x length %d runs past the UDH", id, l)}
		}
		h.IEs = append(h.IEs, IE{ID: id, Data: ud[off+2 : off+2+l : off+2+l]})
		if want := ieFixedLen(id); want >= 0 && l != want {
			return h, &UDHError{Offset: off, Reason: fmt.Sprintf("IE %s has length %d, want %d", IEName(id), l, want), IE: id, BadLength: true}
		}
		off += 2 + l
	}
	return h, nil
}

// Segment says which part of a concatenated message a PDU carries.
type Segment struct {
	Method string // "udh8", "udh16" or "sar"
	Ref    uint16
	Total  uint8
	Seq    uint8
}

// Valid reports whether the numbers make sense (total ≥ 1, 1 ≤ seq ≤ total).
func (s Segment) Valid() bool { return s.Total >= 1 && s.Seq >= 1 && s.Seq <= s.Total }

// concat returns the concatenation IE of a UDH; the last one wins, as on handsets.
func (h UDH) concat() (Segment, bool) {
	var s Segment
	found := false
	for _, ie := range h.IEs {
		switch {
		case ie.ID == 0x00 && len(ie.Data) == 3:
			s, found = Segment{Method: "udh8", Ref: uint16(ie.Data[0]), Total: ie.Data[1], Seq: ie.Data[2]}, true
		case ie.ID == 0x08 && len(ie.Data) == 4:
			s, found = Segment{Method: "udh16", Ref: uint16(ie.Data[0])<<8 | uint16(ie.Data[1]), Total: ie.Data[2], Seq: ie.Data[3]}, true
		}
	}
	return s, found
}

// UDHI reports whether esm_class has the UDH indicator (0x40) set.
func (p *PDU) UDHI() bool {
	v, _ := p.Int(FieldESMClass)
	return v&0x40 != 0
}

// SplitUserData returns the PDU's UDH (when UDHI is set and it parses) and
// the text part of the user data after it.
func (p *PDU) SplitUserData() (h UDH, text []byte, err error) {
	ud, _ := p.UserData()
	if !p.UDHI() {
		return UDH{}, ud, nil
	}
	h, err = ParseUDH(ud)
	if h.Len > 0 && h.Len <= len(ud) {
		return h, ud[h.Len:], err
	}
	return h, ud, err
}

// Segment returns the concatenation information of the PDU, from its UDH
// or from the SAR TLVs (ref §10).
func (p *PDU) Segment() (Segment, bool) {
	if p.UDHI() {
		if h, _, _ := p.SplitUserData(); len(h.IEs) > 0 {
			if s, ok := h.concat(); ok {
				return s, true
			}
		}
	}
	ref, ok1 := p.TLV(TagSARMsgRefNum)
	tot, ok2 := p.TLV(TagSARTotalSegments)
	seq, ok3 := p.TLV(TagSARSegmentSeqnum)
	if !ok1 || !ok2 || !ok3 {
		return Segment{}, false
	}
	r, _ := ref.Uint()
	t, _ := tot.Uint()
	s, _ := seq.Uint()
	return Segment{Method: "sar", Ref: uint16(r), Total: uint8(t), Seq: uint8(s)}, true
}

// Text decodes the PDU's user data text (after any UDH) per its data_coding.
func (p *PDU) Text() Text {
	dc, _ := p.Int(FieldDataCoding)
	_, text, _ := p.SplitUserData()
	return DecodeText(ParseDCS(uint8(dc)), text)
}
