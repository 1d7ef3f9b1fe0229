package decode

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strconv"
)

// Options control decoding.
type Options struct {
	// Version is the session's interface version (from the bind); 0 means
	// unknown, decoded under v3.4 rules (ref §12).
	Version Version
	// MaxPDU is the largest plausible command_length; 0 = DefaultMaxPDU.
	MaxPDU uint32
	// Brief leaves every Issue's Detail empty: for callers that count
	// issues by code and never show them, it saves formatting each one.
	Brief bool
}

// Decode decodes one PDU into a new PDU. It never fails: everything the
// sender got wrong is recorded in the PDU's Issues, and whatever could be
// read is kept. The result aliases b.
func Decode(b []byte, o Options) *PDU {
	p := &PDU{}
	p.Decode(b, o)
	return p
}

// Decode decodes b into p, reusing p's storage. b should hold exactly one
// PDU (command_length octets); a shorter b is decoded as far as it goes and
// flagged as incomplete. The result aliases b.
func (p *PDU) Decode(b []byte, o Options) { p.decode(b, o) }

func (p *PDU) decode(b []byte, o Options) {
	// Nothing of the last decode is cleared beforehand: what is decoded now
	// overwrites the first entries of the inline arrays whole. Only the
	// entries it leaves are cleared, afterwards, so that no slice of an old
	// input stays reachable. Clearing more would cost stores to cache lines
	// that decoding this PDU has no other reason to touch.
	tlvs, issues := min(len(p.TLVs), len(p.tlvBuf)), min(len(p.Issues), len(p.issueBuf))
	held := p.heldBytes
	p.reset()
	filled := p.decodePDU(b, o)
	written := uint32(1)<<filled - 1
	for m := held & allValBuf &^ written; m != 0; m &= m - 1 {
		p.valBuf[bits.TrailingZeros32(m)].Bytes = nil
	}
	p.heldBytes = 0
	if filled > 0 {
		p.heldBytes = p.Cmd.sliceFields() & written
	}
	if n := len(p.TLVs); n < tlvs {
		clear(p.tlvBuf[n:tlvs])
	}
	if n := len(p.Issues); n < issues {
		clear(p.issueBuf[n:issues])
	}
}

// allValBuf has a bit for every entry of PDU.valBuf.
const allValBuf = 1<<len(PDU{}.valBuf) - 1

// decodePDU decodes b into the reset p. It returns how many entries of
// valBuf it wrote, all of which it wrote completely.
func (p *PDU) decodePDU(b []byte, o Options) (filled int) {
	p.opts = o
	p.Version = o.Version.Normalize()
	p.Raw = b
	if len(b) < HeaderLen {
		// The capture lost the rest: not the sender's fault (ref §12.1 HDR-05).
		p.issue(SevInfo, CodeIncomplete, "", 0, "only %d octets of the 16-octet header", len(b))
		return 0
	}
	p.Header, _ = ReadHeader(b)
	if p.Length >= HeaderLen && int(p.Length) < len(b) {
		p.Raw = b[:p.Length]
	}
	body, ok := p.checkHeader(b, o)
	if !ok {
		return 0
	}
	// Set field by field: a composite literal is built in a temporary and
	// copied, which stalls on reading back its own fresh stores.
	var d bodyDecoder
	d.p, d.r.b, d.incomplete = p, body, int(p.Length) > len(b)
	c := p.Cmd
	minLen := c.MinLen
	if c.IsResponse() && p.Status == 0 {
		minLen = HeaderLen + c.MinBody
	}
	if int(p.Length) < minLen {
		p.issue(SevError, CodeBodyTruncated, "command_length", 0, "command_length %d is below the %d octets of the smallest %s", p.Length, minLen, c.Name)
		d.short = true
	}
	filled = d.fields()
	d.tlvs()
	d.validate()
	return filled
}

// checkHeader applies the header checks of ref §12.1 and returns the body.
// ok is false when the body cannot be decoded (unknown command, bad length).
func (p *PDU) checkHeader(b []byte, o Options) (body []byte, ok bool) {
	h := p.Header
	maxPDU := o.MaxPDU
	if maxPDU == 0 {
		maxPDU = DefaultMaxPDU
	}
	end := int(min(h.Length, uint32(len(b))))
	switch {
	case h.Length < HeaderLen:
		p.issue(SevError, CodeLengthTooShort, "command_length", 0, "command_length %d is below 16", h.Length)
		return nil, false
	case h.Length > maxPDU:
		p.issue(SevError, CodeLengthImplausib, "command_length", 0, "command_length %d exceeds %d: probable desynchronisation", h.Length, maxPDU)
	case h.Length > 4096:
		p.issue(SevInfo, CodeLengthLarge, "command_length", 0, "command_length %d exceeds 4096; some peers reject it", h.Length)
	}
	if int(h.Length) > len(b) {
		p.issue(SevInfo, CodeIncomplete, "", len(b), "capture holds %d of %d octets", len(b), h.Length)
	}
	if h.Seq == 0 && h.ID != GenericNack {
		p.issue(SevError, CodeZeroSequence, "sequence_number", 12, "sequence_number 0 is reserved for generic_nack")
	} else if h.Seq >= 0x80000000 {
		p.issue(SevWarning, CodeHighSequence, "sequence_number", 12, "sequence_number 0x%08x is above 0x7FFFFFFF", h.Seq)
	}
	c := LookupCommand(h.ID)
	if c == nil {
		switch {
		case h.ID == Outbind|RespBit || h.ID == AlertNotification|RespBit:
			p.issue(SevError, CodeNoSuchResponse, "command_id", 4, "%s has no response", CommandName(h.ID&^RespBit))
		case isVendorCommand(h.ID):
			p.issue(SevInfo, CodeVendorCommand, "command_id", 4, "vendor command_id 0x%08x (%s)", uint32(h.ID), CommandName(h.ID))
		default:
			p.issue(SevError, CodeUnknownCommand, "command_id", 4, "unknown command_id 0x%08x", uint32(h.ID))
		}
		return nil, false
	}
	p.Cmd = c
	if !c.In(p.Version) {
		p.issue(SevWarning, CodeCommandVersion, "command_id", 4, "%s is not defined in SMPP %s", c.Name, p.Version)
	}
	st := Status(h.Status)
	switch {
	case !c.IsResponse() && h.Status != 0:
		p.issue(SevError, CodeRequestStatus, "command_status", 8, "request carries command_status 0x%08x", h.Status)
	case h.ID == GenericNack && h.Status == 0:
		p.issue(SevWarning, CodeNackStatusZero, "command_status", 8, "generic_nack with ESME_ROK")
	case c.IsResponse() && st.IsVendor():
		p.issue(SevInfo, CodeReservedStatus, "command_status", 8, "vendor-specific command_status 0x%08x", h.Status)
	case c.IsResponse() && !st.Known():
		p.issue(SevWarning, CodeReservedStatus, "command_status", 8, "reserved command_status 0x%08x", h.Status)
	case c.IsResponse() && st.v50Only() && p.Version != V50:
		p.issue(SevWarning, CodeReservedStatus, "command_status", 8, "%s is a v5.0 code", st)
	}
	body = b[HeaderLen:max(end, HeaderLen)]
	if c.HeaderOnly {
		if len(body) > 0 {
			p.issue(SevWarning, CodeHeaderOnlyBody, "", HeaderLen, "%s never has a body, but %d octets follow the header", c.Name, len(body))
		}
		return nil, false
	}
	return body, true
}

func isVendorCommand(id CommandID) bool {
	lo := id &^ RespBit
	_, named := vendorCommandName(id)
	return named || (lo >= 0x00010200 && lo <= 0x000102FF)
}

// MaxIssuesPerCode bounds the issues of one code listed on one PDU. Beyond
// it, one more issue of that code says that further ones are not listed, and
// the rest are dropped: a 64 KiB PDU of 16,000 TLVs would otherwise carry
// 16,000 issues, megabytes of details and JSON, for one mistake repeated.
const MaxIssuesPerCode = 32

// codeCount counts the issues of one code raised on a PDU.
type codeCount struct {
	code Code
	n    int
}

// issue records an Issue. Detail is formatted only here, so PDUs without
// issues cost no formatting.
func (p *PDU) issue(sev Severity, code Code, field string, off int, format string, args ...any) {
	var c *codeCount
	for i := range p.codeCounts {
		if p.codeCounts[i].code == code {
			c = &p.codeCounts[i]
			break
		}
	}
	if c == nil {
		p.codeCounts = append(p.codeCounts, codeCount{code: code})
		c = &p.codeCounts[len(p.codeCounts)-1]
	}
	c.n++
	switch {
	case c.n <= MaxIssuesPerCode:
		is := Issue{Severity: sev, Code: code, Field: field, Offset: off}
		if !p.opts.Brief {
			is.Detail = fmt.Sprintf(format, args...)
		}
		p.Issues = append(p.Issues, is)
	case c.n == MaxIssuesPerCode+1 && p.opts.Brief:
		p.Issues = append(p.Issues, Issue{Severity: sev, Code: code, Field: field, Offset: off})
	case c.n == MaxIssuesPerCode+1:
		p.Issues = append(p.Issues, Issue{Severity: sev, Code: code, Field: field, Offset: off,
			Detail: fmt.Sprintf("further %s issues on this PDU are not listed (at most %d per code)", code, MaxIssuesPerCode)})
	}
}

// bodyDecoder walks the mandatory fields and TLVs of one PDU.
type bodyDecoder struct {
	p       *PDU
	r       reader
	stopped bool // the body could not be followed further (lost alignment)
	// incomplete: the capture holds less than command_length (HDR-05);
	// short: command_length is below the command's minimum (HDR-02 already
	// raised). Either way, running out of octets is not reported again.
	incomplete, short bool
	// dcs is the parsed data_coding, set when the field was checked.
	dcs    DCS
	hasDCS bool
	// seen holds the defined tags read so far, so that finding a repeated
	// TLV costs O(1) however many TLVs the PDU carries; once the TLVs are
	// read, it holds the defined tag of every TLV in p.TLVs (see tlvCount).
	seen tlvSet
	// filled counts the entries of p.Values that fields wrote so far.
	filled int
	// check has bit i set when validate must run checkField on field i:
	// readFields leaves clear the fields on which it can tell that
	// checkField raises nothing (see mayRaise).
	check uint32
	// Set by validate before the TLV-value and user-data checks: whether
	// UDHI is set, the esm_class message type, and the user data with its
	// field name and offset.
	udhi    bool
	msgType uint8
	ud      []byte
	udField string
	udOff   int
}

// quiet reports whether running out of octets was already explained.
func (d *bodyDecoder) quiet() bool { return d.incomplete || d.short }

// off converts a body offset into a PDU offset.
func (d *bodyDecoder) off() int { return HeaderLen + d.r.off }

// fields decodes the mandatory fields into p.Values and returns how many
// entries of p.valBuf it wrote. Every entry of p.Values is written whole
// (or cleared when the body ends first), so they need no clearing before.
func (d *bodyDecoder) fields() (filled int) {
	p, c := d.p, d.p.Cmd
	n := len(c.Fields)
	if cap(p.Values) >= n { // p.Values is p.valBuf[:0] after reset
		p.Values = p.Values[:n]
		filled = n
	} else {
		p.Values = make([]Value, n)
	}
	d.readFields()
	clear(p.Values[d.filled:])
	return filled
}

// readFields reads the fields in order, setting d.filled to the number of
// entries of p.Values it wrote, and in d.check the fields validate must
// run checkField on.
//
// It runs for every field of every PDU, so the common cases are read here:
// a one-octet field without a call, a C-string or time field that ends
// within its maximum with one call to cstringScan. The cursor lives in a
// local, written back to d.r before readOther, which reads it, and on
// return. Everything else is readOther's: with few calls in this loop,
// what the loop carries stays in registers.
func (d *bodyDecoder) readFields() {
	p, c := d.p, d.p.Cmd
	if c.IsResponse() && p.Status != 0 && d.r.remaining() == 0 {
		return // error responses may omit the body (ref §1.7)
	}
	fields := c.Fields
	vals := p.Values[:len(fields)]
	quiet := c.quietFor(p.Version)
	if len(quiet) != len(fields) {
		quiet = nil // not known: every one-octet field is checked
	}
	b, off := d.r.b, d.r.off
	for i := range fields {
		switch kind := fields[i].Kind; {
		case off >= len(b):
			// The body ended: readOther explains it.
		case kind == KindU8:
			x := b[off]
			vals[i].set(uint32(x), HeaderLen+off, 1)
			off++
			if quiet == nil || !quiet[i].has(x) {
				d.check |= 1 << i
			}
			continue
		case kind == KindCString || kind == KindTime:
			// Terminated within its maximum, the string raises nothing
			// while it is read; readOther reads the others again.
			rest := b[off:]
			n, printable := cstringScan(rest)
			if f := &fields[i]; n < len(rest) && n < f.MaxFor(p.Version) {
				s := rest[:n:n]
				v := &vals[i]
				v.Bytes, v.Int, v.Off, v.Len, v.Present = s, 0, HeaderLen+off, n+1, true
				off += n + 1
				if d.cstringRaises(f, s, printable) {
					d.check |= 1 << i
				}
				continue
			}
		}
		// count and countOff read d.filled: the fields before i are written.
		d.r.off, d.filled = off, i
		if !d.readOther(i) {
			return
		}
		off = d.r.off
	}
	d.r.off, d.filled = off, len(fields)
}

// readOther reads field i for readFields: a field of any kind other than
// one octet, or one octet when the body has ended. It sets d.filled to i+1
// when it writes the entry, and returns false when reading stops there.
func (d *bodyDecoder) readOther(i int) bool {
	p, c := d.p, d.p.Cmd
	f, v := &c.Fields[i], &p.Values[i]
	if d.r.remaining() == 0 && f.minSize() > 0 {
		if c.IsResponse() && p.Status != 0 {
			return false
		}
		d.stopped = true
		if !d.quiet() {
			p.issue(SevError, CodeBodyTruncated, f.Name(), d.off(), "body ends before mandatory field %s", f.Name())
		}
		return false
	}
	d.filled = i + 1
	var ok, raise bool
	if f.Kind == KindCString || f.Kind == KindTime {
		ok, raise = d.cstringField(v, f)
	} else {
		ok = d.field(v, f)
		raise = v.Present && mayRaise(f)
	}
	if raise {
		d.check |= 1 << i
	}
	if !ok {
		d.stopped = true
	}
	return ok
}

// count returns the integer value of an earlier field.
func (d *bodyDecoder) count(id FieldID) int {
	i := d.p.Cmd.Field(id)
	if i < 0 || i >= d.filled {
		return 0
	}
	return int(d.p.Values[i].Int)
}

// field decodes one mandatory field into v, overwriting all of it. It
// returns false when the rest of the body can no longer be located.
func (d *bodyDecoder) field(v *Value, f *Field) bool {
	v.set(0, d.off(), 0)
	v.Present = false
	start := d.r.off
	ok := d.readField(v, f)
	v.Len = d.r.off - start
	return ok
}

// readField reads the value of one mandatory field of a kind other than
// C-string and time (see cstringField).
func (d *bodyDecoder) readField(v *Value, f *Field) bool {
	p := d.p
	switch f.Kind {
	case KindU8:
		x, _ := d.r.u8()
		v.Int, v.Present = uint32(x), true
	case KindU32:
		x, ok := d.r.u32()
		if !ok {
			if !d.quiet() {
				p.issue(SevError, CodeBodyTruncated, f.Name(), v.Off, "body ends inside %s", f.Name())
			}
			return false
		}
		v.Int, v.Present = x, true
	case KindOctets:
		n := d.count(f.Count)
		b, ok := d.r.octets(n)
		v.Bytes, v.Present = b, true
		if !ok {
			if !d.quiet() {
				p.issue(SevError, CodeSMLengthOverrun, f.Count.String(), d.countOff(f.Count), "%s %d overruns the PDU: %d octets left", f.Count, n, len(b))
			}
			return false
		}
	case KindDestList:
		v.Present = true
		return d.dests(d.count(f.Count))
	case KindUnsuccess:
		v.Present = true
		return d.unsuccess(d.count(f.Count))
	case KindIDList:
		v.Present = true
		for k := range d.count(f.Count) {
			at := d.off()
			s, res := d.r.cstring(9)
			switch res {
			case cstrNoNUL:
				if !d.quiet() {
					p.issue(SevError, CodeCStringNoNUL, f.Name(), at, "message_id %d runs past the PDU", k+1)
				}
				return false
			case cstrTooLong:
				p.issue(SevError, CodeCStringTooLong, f.Name(), at, "message_id %d is %d octets with its NUL; the maximum is 9", k+1, len(s)+1)
			}
			p.MessageIDs = append(p.MessageIDs, s)
		}
	}
	return true
}

// cstringField reads a C-string or time field into v, overwriting all of
// it. ok is false when the rest of the body can no longer be located;
// raise, when checkField could object to the field (see mayRaise).
func (d *bodyDecoder) cstringField(v *Value, f *Field) (ok, raise bool) {
	p := d.p
	at := d.off()
	s, res, printable := d.r.cstringPrintable(f.MaxFor(p.Version))
	v.Bytes, v.Int, v.Off, v.Len, v.Present = s, 0, at, d.off()-at, true
	switch {
	case res == cstrNoNUL:
		if !d.quiet() {
			p.issue(SevError, CodeCStringNoNUL, f.Name(), at, "%s has no NUL before the end of the PDU", f.Name())
		}
		return false, true
	case res == cstrTooLong && f.Kind == KindCString: // a long time field is FLD-03's
		p.issue(SevError, CodeCStringTooLong, f.Name(), at, "%s is %d octets with its NUL; the maximum is %d", f.Name(), len(s)+1, f.MaxFor(p.Version))
	}
	return true, d.cstringRaises(f, s, printable)
}

// cstringRaises reports whether checkField could object to the C-string or
// time field f holding s, printable when all its octets are.
func (d *bodyDecoder) cstringRaises(f *Field, s []byte, printable bool) bool {
	if f.Kind == KindTime {
		return len(s) > 0 // checkTime passes NULL
	}
	return !printable || d.stringMayRaise(f.ID, s)
}

// countOff returns the offset of an earlier count field.
func (d *bodyDecoder) countOff(id FieldID) int {
	if i := d.p.Cmd.Field(id); i >= 0 && i < len(d.p.Values) {
		if i >= d.filled {
			return 0 // not read yet: the entry is still to be written
		}
		return d.p.Values[i].Off
	}
	return HeaderLen
}

// dests reads submit_multi's dest_address list (ref §3.4). The count came
// off the wire, so nothing is preallocated from it and the loop ends when the
// bytes do.
func (d *bodyDecoder) dests(n int) bool {
	p := d.p
	for k := 0; k < n; k++ {
		de := Dest{Off: d.off()}
		if d.r.remaining() == 0 {
			if d.quiet() {
				return false
			}
			p.issue(SevError, CodeNumberOfDests, "number_of_dests", de.Off, "number_of_dests is %d but only %d entries fit in the PDU", n, k)
			return false
		}
		de.Flag, _ = d.r.u8()
		var res cstrResult
		switch de.Flag {
		case 1:
			de.TON, _ = d.r.u8()
			de.NPI, _ = d.r.u8()
			de.Addr, res = d.r.cstring(21)
		case 2:
			de.Addr, res = d.r.cstring(21)
		default:
			de.Broken = true
			p.Dests = append(p.Dests, de)
			p.issue(SevError, CodeDestFlag, "dest_flag", de.Off, "dest_flag %d (want 1 or 2); the rest of the list cannot be read", de.Flag)
			return false
		}
		name := "destination_addr"
		if de.Flag == 2 {
			name = "dl_name"
		}
		switch res {
		case cstrNoNUL:
			de.Broken = true
			p.Dests = append(p.Dests, de)
			if !d.quiet() {
				p.issue(SevError, CodeCStringNoNUL, name, de.Off, "dest_address %d has no NUL before the end of the PDU", k+1)
			}
			return false
		case cstrTooLong:
			p.issue(SevError, CodeCStringTooLong, name, de.Off, "dest_address %d: %s is longer than 21 octets", k+1, name)
		}
		p.Dests = append(p.Dests, de)
	}
	return true
}

// unsuccess reads submit_multi_resp's unsuccess_sme list (ref §3.4).
func (d *bodyDecoder) unsuccess(n int) bool {
	p := d.p
	for k := 0; k < n; k++ {
		u := Unsuccess{Off: d.off()}
		if d.r.remaining() == 0 {
			if d.quiet() {
				return false
			}
			p.issue(SevError, CodeNoUnsuccess, "no_unsuccess", u.Off, "no_unsuccess is %d but only %d entries fit in the PDU", n, k)
			return false
		}
		u.TON, _ = d.r.u8()
		u.NPI, _ = d.r.u8()
		var res cstrResult
		u.Addr, res = d.r.cstring(21)
		switch res {
		case cstrNoNUL:
			if !d.quiet() {
				p.issue(SevError, CodeCStringNoNUL, "destination_addr", u.Off, "unsuccess_sme %d has no NUL before the end of the PDU", k+1)
			}
			return false
		case cstrTooLong:
			p.issue(SevError, CodeCStringTooLong, "destination_addr", u.Off, "unsuccess_sme %d: destination_addr is longer than 21 octets", k+1)
		}
		st, ok := d.r.u32()
		if !ok {
			if !d.quiet() {
				p.issue(SevError, CodeBodyTruncated, "error_status_code", u.Off, "unsuccess_sme %d ends inside error_status_code", k+1)
			}
			return false
		}
		u.Status = Status(st)
		p.Unsuccess = append(p.Unsuccess, u)
	}
	return true
}

// tlvs reads the TLVs after the mandatory fields (ref §5.1). A TLV is read
// by its declared length, so a wrong length never shifts the ones after it,
// and a length running past the PDU stops the walk.
func (d *bodyDecoder) tlvs() {
	if d.stopped {
		return
	}
	off := d.r.off
	d.r.off = d.walkTLVs(off)
}

// walkTLVs reads the TLVs from body offset off for tlvs and returns the
// offset where the walk ended.
func (d *bodyDecoder) walkTLVs(off int) int {
	p, b := d.p, d.r.b
	for off < len(b) {
		at := HeaderLen + off
		if len(b)-off < 4 {
			if !d.incomplete {
				p.issue(SevError, CodeTrailingOctets, "", at, "%d stray octets after the last field (a TLV needs at least 4)", len(b)-off)
			}
			return off
		}
		tag := binary.BigEndian.Uint16(b[off:])
		n := int(binary.BigEndian.Uint16(b[off+2:]))
		start := off + 4
		off = min(start+n, len(b))
		val := b[start:off:off]
		t := TLV{Tag: tag, Def: LookupTLV(tag), Value: val, Off: at}
		p.TLVs = append(p.TLVs, t)
		if len(val) < n {
			if t.Def != nil { // the last TLV read: seen holds every defined tag of p.TLVs
				d.seen.add(t.Def)
			}
			if !d.incomplete {
				p.issue(SevError, CodeTLVOverrun, t.Name(), at, "TLV length %d runs past the PDU (%d octets left)", n, len(val))
			}
			return off
		}
		d.checkTLV(&p.TLVs[len(p.TLVs)-1])
	}
	return off
}

// checkTLV applies the per-TLV checks of ref §12.5 that need only the TLV.
func (d *bodyDecoder) checkTLV(t *TLV) {
	p := d.p
	def := t.Def
	if p.Version == V33 { // any TLV, known or not (ref §3.8.1, §5.1)
		p.issue(SevWarning, CodeTLVOnV33, t.Name(), t.Off, "TLV in a v3.3 session")
	}
	if def == nil {
		if IsVendorTag(t.Tag) {
			p.issue(SevInfo, CodeTLVVendor, t.Name(), t.Off, "vendor-specific tag 0x%04x kept raw", t.Tag)
		} else {
			p.issue(SevWarning, CodeTLVUnknown, t.Name(), t.Off, "tag 0x%04x is not defined by any SMPP version", t.Tag)
		}
		return
	}
	n := len(t.Value)
	if n < def.Min || n > def.MaxFor(p.Version) {
		sev := SevError
		if def.Tolerated != 0 && n == def.Tolerated {
			sev = SevWarning
		}
		p.issue(sev, CodeTLVLength, def.Name, t.Off, "length %d, allowed %s", n, lengthRange(def.Min, def.MaxFor(p.Version)))
	}
	congestionInReq := t.Tag == TagCongestionState && !p.Cmd.IsResponse() // TLV-13 says it better
	if p.Version != V33 && !congestionInReq && !def.AllowedIn(p.Cmd.TLVGroup, p.Cmd.IsResponse(), p.Version) {
		p.issue(SevWarning, CodeTLVNotAllowed, def.Name, t.Off, "%s is not defined for %s in SMPP %s", def.Name, p.Cmd.Name, p.Version)
	}
	if d.seen.add(def) && !def.Repeat {
		p.issue(SevWarning, CodeTLVRepeated, def.Name, t.Off, "%s appears more than once", def.Name)
	}
	if def.Type == TLVCString && n > 0 && t.Value[n-1] != 0 && n != def.Tolerated {
		p.issue(SevWarning, CodeTLVNoNUL, def.Name, t.Off, "C-string value lacks its NUL")
	}
}

func lengthRange(lo, hi int) string {
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return strconv.Itoa(lo) + ".." + strconv.Itoa(hi)
}
