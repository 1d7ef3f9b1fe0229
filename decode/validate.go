package decode

import (
	"math/bits"
	"strconv"
)

// validate applies the single-PDU value checks of ref §12.3–§12.6 after the
// body and TLVs were read. Checks run on what was decoded; a field that was
// not present is not checked.
func (d *bodyDecoder) validate() {
	p := d.p
	if p.Cmd == nil || len(p.Values) == 0 {
		return
	}
	vals, fields := p.Values, p.Cmd.Fields // the checks change neither
	// data_coding is read here for the user-data checks, since checkField
	// sees it only when its value raises an issue.
	if i := p.Cmd.Field(FieldDataCoding); i >= 0 && i < d.filled { // one octet: present once filled
		d.dcs, d.hasDCS = ParseDCS(uint8(vals[i].Int)), true
	}
	for m := d.check; m != 0; m &= m - 1 { // in field order, as the issues should be
		i := bits.TrailingZeros32(m)
		d.checkField(&fields[i], &vals[i])
	}
	d.checkEntries()
	d.checkCommand()
	if d.stopped {
		// The body lost its alignment or the capture ended: the TLVs and the
		// user data are not all known, so checks on their combination would
		// guess.
		return
	}
	if len(p.TLVs) == 0 && p.Version != V50 && !p.Cmd.mayCarryUserData() {
		return // no TLV, no user data: the checks below have nothing to check
	}
	// esm_class and the user data are looked up once for the checks
	// below, as UDHI, MessageType, IsReceipt and UserData would find them.
	if esm := p.value(FieldESMClass); esm != nil {
		d.udhi, d.msgType = esm.Int&0x40 != 0, uint8(esm.Int)&0x3C
	}
	d.ud, d.udField, d.udOff = p.userDataLoc()
	d.checkTLVValues()
	d.checkUserData()
	if (p.ID == DeliverSM || p.ID == DataSM) && (d.msgType == 0x04 || d.msgType == 0x20) {
		d.checkReceipt()
	}
}

// checkEntries applies the address and message_id checks to the entries of
// the list fields (submit_multi dest_address, submit_multi_resp
// unsuccess_sme, v3.3 message_ids), which have no Field row of their own.
func (d *bodyDecoder) checkEntries() {
	p := d.p
	for i := range p.Dests {
		de := &p.Dests[i]
		name := "dl_name"
		if de.Flag == 1 {
			name = "destination_addr"
			d.checkTON(FieldDestAddrTON, de.Off+1, uint32(de.TON))
			d.checkNPI(FieldDestAddrNPI, de.Off+2, uint32(de.NPI))
		}
		d.checkPrintable(name, de.Off, de.Addr)
	}
	for i := range p.Unsuccess {
		u := &p.Unsuccess[i]
		d.checkTON(FieldDestAddrTON, u.Off, uint32(u.TON))
		d.checkNPI(FieldDestAddrNPI, u.Off+1, uint32(u.NPI))
		d.checkPrintable("destination_addr", u.Off+2, u.Addr)
	}
	if i := p.Cmd.Field(FieldMessageIDs); i >= 0 && i < len(p.Values) {
		for _, id := range p.MessageIDs {
			d.checkPrintable("message_ids", p.Values[i].Off, id)
			d.checkV33MessageID("message_ids", p.Values[i].Off, id)
		}
	}
}

func (d *bodyDecoder) checkTON(id FieldID, off int, v uint32) {
	if v > 6 {
		d.p.issue(SevWarning, CodeTON, id.String(), off, "TON %d is reserved", v)
	}
}

func (d *bodyDecoder) checkNPI(id FieldID, off int, v uint32) {
	if !validNPI(v) {
		d.p.issue(SevWarning, CodeNPI, id.String(), off, "NPI %d is reserved", v)
	}
}

// checkPrintable raises FLD-12 for octets outside printable ASCII.
func (d *bodyDecoder) checkPrintable(name string, off int, b []byte) {
	if allPrintable(b) {
		return
	}
	for _, c := range b {
		if c < 0x20 || c >= 0x7F {
			if name == "password" { // never echo a password octet
				d.p.issue(SevWarning, CodeNonPrintable, name, off, "password holds a non-printable octet")
			} else {
				d.p.issue(SevWarning, CodeNonPrintable, name, off, "%s holds non-printable octet 0x%02x", name, c)
			}
			return
		}
	}
}

// checkV33MessageID raises FLD-13 for a v3.3 message id that is not at most
// 8 hex digits (ref §3.2).
func (d *bodyDecoder) checkV33MessageID(name string, off int, b []byte) {
	if d.p.Version == V33 && len(b) > 0 && (len(b) > 8 || !isHex(b)) {
		d.p.issue(SevWarning, CodeV33MessageID, name, off, "SMPP 3.3 message_id must be at most 8 hex digits")
	}
}

// validNPI is the set of defined numbering plans (ref §3.8.3).
func validNPI(v uint32) bool {
	switch v {
	case 0, 1, 3, 4, 6, 8, 9, 10, 14, 18:
		return true
	}
	return false
}

// checkField applies the checks that concern one field on its own. For a
// one-octet field other than data_coding, whether it raises an issue may
// depend only on the value, p.ID, p.Cmd and p.Version: validate skips the
// values that raise none under that assumption (see buildQuiet).
func (d *bodyDecoder) checkField(f *Field, v *Value) {
	p := d.p
	switch f.ID {
	case FieldSourceAddrTON, FieldDestAddrTON, FieldAddrTON, FieldESMEAddrTON:
		d.checkTON(f.ID, v.Off, v.Int)
	case FieldSourceAddrNPI, FieldDestAddrNPI, FieldAddrNPI, FieldESMEAddrNPI:
		d.checkNPI(f.ID, v.Off, v.Int)
	case FieldInterfaceVersion:
		if v.Int > 0x34 && v.Int != 0x50 {
			p.issue(SevWarning, CodeInterfaceVersion, f.Name(), v.Off, "interface_version 0x%02x is reserved", v.Int)
		}
	case FieldPriorityFlag:
		limit := uint32(3)
		switch p.Version {
		case V33:
			limit = 1
		case V50:
			limit = 4
		}
		if v.Int > limit {
			p.issue(SevError, CodePriorityFlag, f.Name(), v.Off, "priority_flag %d exceeds %d in SMPP %s", v.Int, limit, p.Version)
		}
	case FieldRegisteredDelivery:
		if v.Int&0xE0 != 0 {
			p.issue(SevWarning, CodeRegDelivery, f.Name(), v.Off, "reserved bits 7-5 set (0x%02x)", v.Int)
		} else if v.Int&0x03 == 3 && p.Version != V50 {
			p.issue(SevWarning, CodeRegDelivery, f.Name(), v.Off, "receipt type 3 is reserved before SMPP 5.0")
		} else if p.Version == V33 && v.Int > 1 {
			p.issue(SevWarning, CodeRegDelivery, f.Name(), v.Off, "SMPP 3.3 defines registered_delivery_flag 0 and 1 only")
		}
	case FieldReplaceIfPresentFlag:
		if v.Int > 1 {
			p.issue(SevWarning, CodeReplaceIfPresent, f.Name(), v.Off, "replace_if_present_flag %d is reserved", v.Int)
		} else if v.Int != 0 && p.Version != V50 && (p.ID == DeliverSM || p.ID == SubmitMulti) {
			p.issue(SevWarning, CodeReplaceIfPresent, f.Name(), v.Off, "must be 0 in %s before SMPP 5.0", p.Cmd.Name)
		}
	case FieldDataCoding:
		dcs := ParseDCS(uint8(v.Int))
		d.dcs, d.hasDCS = dcs, true
		switch {
		case dcs.Reserved || (v.Int >= 0xE0 && v.Int <= 0xEF):
			p.issue(SevWarning, CodeDataCodingRsvd, f.Name(), v.Off, "data_coding 0x%02x is reserved in SMPP", v.Int)
		case v.Int >= 0x10 && v.Int <= 0xBF:
			p.issue(SevInfo, CodeDataCodingGSM, f.Name(), v.Off, "data_coding 0x%02x is a GSM DCS value passed through", v.Int)
		}
	case FieldSMDefaultMsgID:
		switch {
		case p.Version == V33 && v.Int > 100:
			p.issue(SevWarning, CodeDefaultMsgID, f.Name(), v.Off, "sm_default_msg_id %d exceeds 100 in SMPP 3.3", v.Int)
		case p.Version == V34 && v.Int == 255:
			p.issue(SevWarning, CodeDefaultMsgID, f.Name(), v.Off, "sm_default_msg_id 255 is reserved in SMPP 3.4")
		case p.Version == V34 && p.ID == DeliverSM && v.Int != 0:
			p.issue(SevWarning, CodeDefaultMsgID, f.Name(), v.Off, "sm_default_msg_id must be 0 in deliver_sm (SMPP 3.4)")
		}
	case FieldSMLength:
		max := 254
		switch p.Version {
		case V33:
			max = 160
		case V50:
			max = 255
		}
		if int(v.Int) > max {
			p.issue(SevError, CodeSMLengthTooLarge, f.Name(), v.Off, "sm_length %d exceeds %d in SMPP %s", v.Int, max, p.Version)
		}
	case FieldNumberOfDests:
		max := uint32(254)
		if p.Version != V34 {
			max = 255
		}
		if p.ID == SubmitMulti && (v.Int == 0 || v.Int > max) {
			p.issue(SevError, CodeNumberOfDests, f.Name(), v.Off, "number_of_dests %d (want 1..%d)", v.Int, max)
		}
	case FieldMessageState:
		d.checkMessageState(f.ID, v.Off, v.Int)
	case FieldScheduleDeliveryTime, FieldValidityPeriod, FieldFinalDate:
		d.checkTime(f, v)
	}
	if f.Kind == KindCString {
		d.checkCString(f, v)
	}
}

func (d *bodyDecoder) checkMessageState(id FieldID, off int, st uint32) {
	p := d.p
	name := id.String()
	switch {
	case st > 9:
		p.issue(SevError, CodeMessageState, name, off, "message_state %d is reserved", st)
	case (st == 0 || st == 9) && p.Version != V50:
		p.issue(SevWarning, CodeMessageState, name, off, "message_state %s is defined only in SMPP 5.0", MessageStateName(uint8(st)))
	}
}

// checkCString flags non-printable octets (FLD-12) and field-specific rules.
func (d *bodyDecoder) checkCString(f *Field, v *Value) {
	p := d.p
	d.checkPrintable(f.Name(), v.Off, v.Bytes)
	switch f.ID {
	case FieldSystemID:
		if len(v.Bytes) == 0 && !p.ID.IsResponse() && p.ID != Outbind {
			p.issue(SevWarning, CodeEmptyRequired, f.Name(), v.Off, "empty system_id in a bind")
		}
	case FieldDestinationAddr:
		if len(v.Bytes) == 0 && (p.ID == SubmitSM || p.ID == DeliverSM || p.ID == DataSM) {
			p.issue(SevWarning, CodeEmptyRequired, f.Name(), v.Off, "empty destination_addr")
		}
	case FieldMessageID:
		if p.ID == DeliverSMResp && len(v.Bytes) != 0 {
			p.issue(SevWarning, CodeDeliverRespMsgID, f.Name(), v.Off, "deliver_sm_resp message_id should be NULL")
		}
		d.checkV33MessageID(f.Name(), v.Off, v.Bytes)
	case FieldOriginalMessageID:
		d.checkV33MessageID(f.Name(), v.Off, v.Bytes)
	}
}

// stringMayRaise reports whether checkCString could raise an issue on s,
// a printable value of field id: the field-specific rules above, in a
// weaker form. TestMayRaiseSkipsOnlySilentFields keeps the two in step.
func (d *bodyDecoder) stringMayRaise(id FieldID, s []byte) bool {
	switch id {
	case FieldSystemID, FieldDestinationAddr:
		return len(s) == 0
	case FieldMessageID:
		return d.p.Version == V33 || (len(s) > 0 && d.p.ID == DeliverSMResp)
	case FieldOriginalMessageID:
		return d.p.Version == V33
	}
	return false
}

func isHex(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// checkTime applies ref §4 to a time field (FLD-03…05, VAL-13).
func (d *bodyDecoder) checkTime(f *Field, v *Value) {
	p := d.p
	if len(v.Bytes) == 0 {
		return
	}
	// final_date is made by the SMSC and absolute only (ref §4 rules 1, 5).
	if !d.checkTimeValue(f.Name(), v.Off, v.Bytes, f.ID == FieldFinalDate) {
		return
	}
	if p.ID == DeliverSM && p.Version == V34 && f.ID != FieldFinalDate {
		p.issue(SevWarning, CodeDeliverTimes, f.Name(), v.Off, "%s must be NULL in deliver_sm (SMPP 3.4)", f.Name())
	}
}

// checkTimeValue checks a non-NULL time string; smscMade fields are
// absolute only and may use the 12-character local form. It reports whether
// the value is well-formed enough for further checks.
func (d *bodyDecoder) checkTimeValue(name string, off int, s []byte, smscMade bool) bool {
	p := d.p
	switch {
	case len(s) == 12 && smscMade:
		p.issue(SevWarning, CodeTimeLength, name, off, "12-character local time form YYMMDDhhmmss")
		if !allDigits(s) {
			p.issue(SevError, CodeTimeContent, name, off, "time %q is not all digits", s)
		}
		return false
	case len(s) != 16:
		p.issue(SevError, CodeTimeLength, name, off, "time field of %d characters (want 0 or 16)", len(s))
		return false
	}
	sev, problem := checkTimeContent(s)
	if problem != "" {
		p.issue(sev, CodeTimeContent, name, off, "%s", problem)
		if sev == SevError {
			return false
		}
	}
	if s[15] == 'R' {
		switch {
		case smscMade:
			p.issue(SevWarning, CodeTimeRelative, name, off, "%s must be absolute", name)
		case p.Version == V33:
			p.issue(SevWarning, CodeTimeRelative, name, off, "relative times do not exist in SMPP 3.3")
		case s[12] != '0' || s[13] != '0' || s[14] != '0':
			p.issue(SevWarning, CodeTimeRelative, name, off, "relative time with non-zero tenths or offset")
		}
	}
	return true
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// checkTimeContent validates YYMMDDhhmmsstnnp (ref §4 rules 2 and 3). A
// day past the end of its month is a warning; everything else an error.
func checkTimeContent(s []byte) (Severity, string) {
	if !allDigits(s[:15]) {
		return SevError, "time characters 1-15 must be digits"
	}
	pair := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
	switch s[15] {
	case 'R':
		return 0, ""
	case '+', '-':
	default:
		return SevError, "time must end in +, - or R"
	}
	switch yy, mo, dd, hh, mi, ss, nn := pair(0), pair(2), pair(4), pair(6), pair(8), pair(10), pair(13); {
	case mo < 1 || mo > 12:
		return SevError, "month out of range"
	case dd < 1 || dd > 31:
		return SevError, "day out of range"
	case hh > 23:
		return SevError, "hour out of range"
	case mi > 59:
		return SevError, "minute out of range"
	case ss > 59:
		return SevError, "second out of range"
	case nn > 48:
		return SevError, "UTC offset above 48 quarter hours"
	case dd > daysIn(yy, mo):
		return SevWarning, "day " + strconv.Itoa(dd) + " does not exist in month " + strconv.Itoa(mo)
	}
	return 0, ""
}

// daysIn returns the length of month mo of the two-digit year yy (pivot 38,
// ref §4).
func daysIn(yy, mo int) int {
	year := 2000 + yy
	if yy >= 38 {
		year = 1900 + yy
	}
	switch mo {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// checkCommand applies the checks that combine several fields.
func (d *bodyDecoder) checkCommand() {
	p := d.p
	if esm := p.value(FieldESMClass); esm != nil {
		mode, typ := esm.Int&0x03, esm.Int&0x3C
		switch typ {
		case 0x0C, 0x14, 0x1C:
			p.issue(SevWarning, CodeESMClassType, "esm_class", esm.Off, "esm_class message type 0x%02x is reserved", typ)
		default:
			if typ >= 0x24 {
				p.issue(SevWarning, CodeESMClassType, "esm_class", esm.Off, "esm_class message type 0x%02x is reserved", typ)
			}
		}
		sentByESME := p.ID == SubmitSM || p.ID == SubmitMulti
		if sentByESME && p.Version != V50 && (typ == 0x04 || typ == 0x18 || typ == 0x20) {
			p.issue(SevWarning, CodeESMClassType, "esm_class", esm.Off, "message type 0x%02x is one the SMSC sends", typ)
		}
		if p.ID == DeliverSM && mode != 0 {
			p.issue(SevInfo, CodeESMClassMode, "esm_class", esm.Off, "messaging mode bits are ignored in deliver_sm")
		}
		if sentByESME && mode == 0x02 && p.Version == V34 {
			p.issue(SevWarning, CodeTransactionMode, "esm_class", esm.Off, "transaction mode is for data_sm only in SMPP 3.4")
		}
	}
	if p.ID == QuerySMResp {
		st, ok1 := p.Get(FieldMessageState)
		fd, ok2 := p.Get(FieldFinalDate)
		if ok1 && ok2 {
			// UNKNOWN (7) is neither final nor pending, reserved states
			// (VAL-14) say nothing (ref §7).
			final := st.Int >= 2 && st.Int <= 9 && st.Int != 7
			switch {
			case len(fd.Bytes) > 0 && (st.Int == 0 || st.Int == 1):
				p.issue(SevWarning, CodeFinalDateState, "final_date", fd.Off, "final_date set while the message is not final")
			case len(fd.Bytes) == 0 && final:
				p.issue(SevWarning, CodeFinalDateState, "final_date", fd.Off, "final_date NULL for a final state")
			}
		}
	}
	if c := p.Cmd; c.IsResponse() && p.Status != 0 && len(p.Values) > 0 && p.Values[0].Present &&
		(p.ID == BindTransmitterResp || p.ID == BindReceiverResp || p.ID == BindTransceiverResp || p.ID == SubmitSMResp) {
		sev := SevInfo
		if p.Version == V34 {
			sev = SevWarning
		}
		p.issue(sev, CodeBindRespBody, "", HeaderLen, "%s with an error status carries a body", c.Name)
	}
}
