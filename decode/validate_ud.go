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
	ud, field, off := d.ud, d.udField, d.udOff
	fromPayload := field == "message_payload"
	hasDC := d.hasDCS
	text := ud
	if d.udhi {
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
	dcs := d.dcs
	dc := uint32(dcs.Value)
	switch dcs.Alphabet {
	case AlphaGSM7:
		high, esc := scanGSM(text)
		if dc == 0 && high {
			p.issue(SevWarning, CodeGSMHighBit, field, off, "data_coding 0 text has octets ≥ 0x80: not unpacked GSM 7-bit")
		} else if !high && esc { // without an escape there is no escape problem
			if trailing, bad := gsmEscapeProblems(text); trailing || bad {
				p.issue(SevWarning, CodeGSMEscape, field, off, "GSM escape 0x1B at the end or before an undefined extension code")
			}
		}
	case AlphaUCS2:
		if len(text)%2 != 0 {
			p.issue(SevError, CodeUCS2OddLength, field, off, "UCS2 text of odd length %d", len(text))
		} else if badSurrogates(text) || endsHighSurrogate(text) {
			p.issue(SevWarning, CodeUCS2Surrogate, field, off, "unpaired UTF-16 surrogate")
		}
	}
	if !fromPayload && !d.udhi && len(ud) > gsmSegmentLimit(dcs.Alphabet) {
		if _, sar := p.TLV(TagSARMsgRefNum); !sar {
			p.issue(SevInfo, CodeOversizeSMS, field, off, "%d octets do not fit one GSM SMS", len(ud))
		}
	}
}

// userDataLoc returns the user data with the name and offset of the field
// that carries it, as UserData chooses it.
func (p *PDU) userDataLoc() (ud []byte, field string, off int) {
	sm := p.value(FieldShortMessage)
	if sm != nil && len(sm.Bytes) > 0 {
		return sm.Bytes, "short_message", sm.Off
	}
	if t, ok := p.TLV(TagMessagePayload); ok {
		return t.Value, "message_payload", t.Off + 4
	}
	if sm != nil {
		return nil, "short_message", sm.Off
	}
	return nil, "short_message", HeaderLen
}

// isBufferedStat reports the receipt tokens seen in the wild for a buffered,
// not yet final message (ref §8.4).
func isBufferedStat(stat string) bool {
	switch stat {
	case "ACKED", "BUFFRED", "BUFFERD":
		return true
	}
	return false
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

// gsmEscapeProblems finds a trailing escape or an escape before an
// undefined extension code in unpacked GSM 7-bit text, without decoding it.
func gsmEscapeProblems(septets []byte) (trailing, bad bool) {
	for i := 0; i < len(septets); i++ {
		if septets[i]&0x7F != 0x1B {
			continue
		}
		if i+1 == len(septets) {
			return true, bad
		}
		i++
		if _, ok := gsmExtension(septets[i] & 0x7F); !ok {
			bad = true
		}
	}
	return false, bad
}

// badSurrogates reports an unpaired UTF-16 surrogate in big-endian text.
func badSurrogates(b []byte) bool {
	for i := 0; i+1 < len(b); i += 2 {
		u := uint16(b[i])<<8 | uint16(b[i+1])
		switch {
		case u < 0xD800 || u > 0xDFFF:
		case u < 0xDC00 && i+3 < len(b) && b[i+2]&0xFC == 0xDC:
			i += 2 // a high surrogate followed by a low one
		default:
			return true
		}
	}
	return false
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
	ud, field, off := d.ud, d.udField, d.udOff
	rid, hasRID := p.TLV(TagReceiptedMessageID)
	st, hasState := p.TLV(TagMessageState)
	if len(ud) == 0 {
		if !hasRID && !hasState {
			p.issue(SevWarning, CodeReceipt, field, off, "receipt with no text and neither receipted_message_id nor message_state")
		}
		return
	}
	if !p.parseReceipt(ud) { // kept: Receipt and ReceiptStatus use it after
		if !hasRID && !hasState {
			p.issue(SevWarning, CodeReceipt, field, off, "receipt text has neither id: nor stat:, and neither receipted_message_id nor message_state")
		}
		return
	}
	stat := p.rcptVals.stat() // a constant unless unusual
	textState, known := StatState(stat)
	buffered := isBufferedStat(stat)
	if stat != "" && !known && !buffered {
		p.issue(SevWarning, CodeReceipt, field, off, "stat:%s is not a standard receipt state", stat)
	}
	if hasState && (known || buffered) {
		// A buffered token (ref §8.4) agrees with any non-final state.
		if v, _ := st.Uint(); (known && uint8(v) != textState) || (buffered && v > 1) {
			p.issue(SevWarning, CodeReceipt, "message_state", st.Off, "message_state %s disagrees with stat:%s", MessageStateName(uint8(v)), stat)
		}
	}
	if id := p.rcptVals.vals[idLabel]; hasRID && len(id) > 0 && string(rid.CString()) != string(id) && !SameMessageID(string(rid.CString()), string(id)) {
		p.issue(SevInfo, CodeReceipt, "receipted_message_id", rid.Off, "receipted_message_id %q and id:%s differ", rid.CString(), id)
	}
	if hasRID && !hasState {
		p.issue(SevInfo, CodeReceipt, "message_state", rid.Off, "receipted_message_id without message_state (partial v3.4)")
	}
	if d.msgType == 0x04 {
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
