package decode

import "errors"

// gsmSegmentLimit is what fits in one GSM SMS (ref §9.7), in octets of
// SMPP user data (unpacked septets count one octet each).
func gsmSegmentLimit(a Alphabet) int {
	if a == AlphaGSM7 {
		return 160
	}
	return 140
}

// checkUserData applies the UDH and encoding checks of ref §12.6.
func (d *bodyDecoder) checkUserData() {
	p := d.p
	ud, fromPayload := p.UserData()
	field := "short_message"
	if fromPayload {
		field = "message_payload"
	}
	off := HeaderLen
	if v, ok := p.Get(FieldShortMessage); ok && !fromPayload {
		off = v.Off
	} else if t, ok := p.TLV(TagMessagePayload); ok {
		off = t.Off + 4
	}
	dc, hasDC := p.Int(FieldDataCoding)
	text := ud
	if p.UDHI() {
		h, err := ParseUDH(ud)
		if err != nil {
			code := CodeUDHInvalid
			var ue *UDHError
			if errors.As(err, &ue) && ue.BadLength && (ue.IE == 0x00 || ue.IE == 0x08) {
				code = CodeConcatIE
			}
			p.issue(SevError, code, field, off, "%v", err)
			return
		}
		if s, ok := h.concat(); ok && !s.Valid() {
			p.issue(SevError, CodeConcatIE, field, off, "concatenation part %d of %d", s.Seq, s.Total)
		}
		if n := countConcat(h); n > 1 {
			p.issue(SevWarning, CodeConcatIE, field, off, "%d concatenation IEs in one UDH", n)
		}
		text = ud[h.Len:]
	} else if len(ud) >= 6 && ((ud[0] == 5 && ud[1] == 0 && ud[2] == 3) || (ud[0] == 6 && ud[1] == 8 && ud[2] == 4)) {
		p.issue(SevInfo, CodeMissingUDHI, field, off, "user data starts like a concatenation UDH but UDHI is clear")
	}
	if !hasDC {
		return
	}
	dcs := ParseDCS(uint8(dc))
	switch dcs.Alphabet {
	case AlphaGSM7:
		if dc == 0 && hasHighBit(text) {
			p.issue(SevWarning, CodeGSMHighBit, field, off, "data_coding 0 text has octets ≥ 0x80: not unpacked GSM 7-bit")
		} else if !hasHighBit(text) {
			if _, pr := DecodeGSM7(nil, text); pr.TrailingEsc || pr.BadEscape > 0 {
				p.issue(SevWarning, CodeGSMEscape, field, off, "GSM escape 0x1B at the end or before an undefined extension code")
			}
		}
	case AlphaUCS2:
		if len(text)%2 != 0 {
			p.issue(SevError, CodeUCS2OddLength, field, off, "UCS2 text of odd length %d", len(text))
		} else if t := decodeUCS2(text); t.BadSurrogates > 0 || endsHighSurrogate(text) {
			p.issue(SevWarning, CodeUCS2Surrogate, field, off, "unpaired UTF-16 surrogate")
		}
	}
	if !fromPayload && !p.UDHI() && len(ud) > gsmSegmentLimit(dcs.Alphabet) {
		if _, sar := p.TLV(TagSARMsgRefNum); !sar {
			p.issue(SevInfo, CodeOversizeSMS, field, off, "%d octets do not fit one GSM SMS", len(ud))
		}
	}
}

func countConcat(h UDH) int {
	n := 0
	for _, ie := range h.IEs {
		if ie.ID == 0x00 || ie.ID == 0x08 {
			n++
		}
	}
	return n
}

func endsHighSurrogate(b []byte) bool {
	if len(b) < 2 {
		return false
	}
	u := uint16(b[len(b)-2])<<8 | uint16(b[len(b)-1])
	return u >= 0xD800 && u < 0xDC00
}

// checkReceipt applies the receipt consistency checks of ref §8.6 (DLR-01).
func (d *bodyDecoder) checkReceipt() {
	p := d.p
	ud, _ := p.UserData()
	rid, hasRID := p.TLV(TagReceiptedMessageID)
	st, hasState := p.TLV(TagMessageState)
	if len(ud) == 0 {
		if !hasRID && !hasState {
			p.issue(SevWarning, CodeReceipt, "short_message", HeaderLen, "receipt with no text and neither receipted_message_id nor message_state")
		}
		return
	}
	r, ok := ParseReceipt(ud)
	if !ok {
		if !hasRID {
			p.issue(SevWarning, CodeReceipt, "short_message", HeaderLen, "receipt text has neither id: nor stat:, and no receipted_message_id")
		}
		return
	}
	textState, known := StatState(r.Stat)
	if r.Stat != "" && !known {
		p.issue(SevWarning, CodeReceipt, "short_message", HeaderLen, "stat:%s is not a standard receipt state", r.Stat)
	}
	if hasState && known {
		if v, _ := st.Uint(); uint8(v) != textState {
			p.issue(SevWarning, CodeReceipt, "message_state", st.Off, "message_state %s disagrees with stat:%s", MessageStateName(uint8(v)), r.Stat)
		}
	}
	if hasRID && r.ID != "" && !SameMessageID(string(rid.CString()), r.ID) {
		p.issue(SevInfo, CodeReceipt, "receipted_message_id", rid.Off, "receipted_message_id %q and id:%s differ", rid.CString(), r.ID)
	}
	if hasRID && !hasState {
		p.issue(SevInfo, CodeReceipt, "message_state", rid.Off, "receipted_message_id without message_state (partial v3.4)")
	}
	if p.MessageType() == 0x04 {
		s := textState
		if hasState {
			v, _ := st.Uint()
			s = uint8(v)
		}
		if (hasState || known) && (s == 0 || s == 1) {
			p.issue(SevInfo, CodeReceipt, "message_state", HeaderLen, "final receipt with a non-final state %s", MessageStateName(s))
		}
	}
}
