package decode

import "bytes"

// Value is a decoded mandatory field. Byte slices alias the decoded input.
type Value struct {
	Int     uint32 // integer fields
	Bytes   []byte // C-strings without their NUL, octet strings
	Off     int    // offset of the field within the PDU
	Len     int    // octets it occupies on the wire (a C-string's NUL included)
	Present bool   // false when the body ended before this field
}

// set makes v a present integer field: Value{Int: x, Off: off, Len: n,
// Present: true}. Bytes is written only when it is not nil already, since
// writing a pointer costs a write barrier while the collector runs, and
// decoding overwrites reused Values field after field.
func (v *Value) set(x uint32, off, n int) {
	if v.Bytes != nil {
		v.Bytes = nil
	}
	v.Int, v.Off, v.Len, v.Present = x, off, n, true
}

// Dest is one dest_address of submit_multi (ref §3.4).
type Dest struct {
	Flag   uint8 // 1 SME address, 2 distribution list
	TON    uint8
	NPI    uint8
	Addr   []byte // destination_addr when Flag is 1, dl_name when 2
	Off    int
	Broken bool // the entry could not be read completely
}

// Unsuccess is one unsuccess_sme of submit_multi_resp (ref §3.4).
type Unsuccess struct {
	TON    uint8
	NPI    uint8
	Addr   []byte
	Status Status
	Off    int
}

// TLV is one tagged parameter. Value aliases the decoded input.
type TLV struct {
	Tag   uint16
	Def   *TLVDef // nil for tags no specification defines
	Value []byte
	Off   int // offset of the tag within the PDU
}

// Name returns the TLV's specification name (or a vendor hint or hex form).
func (t *TLV) Name() string {
	if t.Def != nil {
		return t.Def.Name
	}
	return TLVName(t.Tag)
}

// Uint returns the value as a big-endian unsigned integer of up to 4 octets.
func (t *TLV) Uint() (uint32, bool) {
	if len(t.Value) == 0 || len(t.Value) > 4 {
		return 0, false
	}
	var v uint32
	for _, c := range t.Value {
		v = v<<8 | uint32(c)
	}
	return v, true
}

// CString returns the value without a trailing NUL.
func (t *TLV) CString() []byte {
	if n := len(t.Value); n > 0 && t.Value[n-1] == 0 {
		return t.Value[:n-1]
	}
	return t.Value
}

// PDU is a decoded (or to-be-encoded) SMPP PDU. After Decode, every byte
// slice in it aliases the input, which must therefore outlive the PDU or be
// copied with Clone. A PDU may be reused: Decode resets it and keeps its
// storage, so decoding a stream into one PDU does not allocate for common PDUs.
type PDU struct {
	Header
	Cmd     *Command // nil for unknown command ids
	Version Version  // the version whose rules were applied
	Raw     []byte   // the whole PDU as decoded
	// Values are the mandatory fields, parallel to Cmd.Fields.
	Values     []Value
	Dests      []Dest      // submit_multi destinations
	Unsuccess  []Unsuccess // submit_multi_resp failures
	MessageIDs [][]byte    // v3.3 query_last_msgs_resp ids
	TLVs       []TLV
	Issues     []Issue

	opts Options
	// What every decode reads or writes comes first, before the storage
	// that only some PDUs use, so that a decode touches few cache lines:
	// PDUs are decoded by the thousand, each into memory gone cold since
	// its last use.
	rcptState uint8 // see Receipt
	// heldBytes has bit i set when valBuf[i] may hold a slice (see decode).
	heldBytes uint32
	// codeCounts counts the issues raised per code (see MaxIssuesPerCode).
	codeCounts []codeCount
	valBuf     [18]Value
	tlvBuf     [8]TLV
	issueBuf   [4]Issue
	codeBuf    [4]codeCount
	// The receipt text, parsed at most once per decode, and its values
	// copied at most once (see Receipt).
	rcptVals receiptValues
	rcpt     Receipt
}

// reset empties p for decoding or building. It leaves the inline arrays
// alone: decode clears what a new decode does not overwrite.
func (p *PDU) reset() {
	p.codeCounts = p.codeBuf[:0]
	clear(p.Dests)
	clear(p.Unsuccess)
	clear(p.MessageIDs)
	p.Header, p.Cmd, p.Version, p.Raw, p.opts = Header{}, nil, 0, nil, Options{}
	switch p.rcptState { // the values alias the old input, the copies keep strings
	case rcptParsed:
		p.rcpt = Receipt{}
		fallthrough
	case rcptFound:
		p.rcptVals = receiptValues{}
	}
	p.rcptState = rcptUnknown
	p.Values, p.TLVs, p.Issues = p.valBuf[:0], p.tlvBuf[:0], p.issueBuf[:0]
	p.Dests, p.Unsuccess, p.MessageIDs = p.Dests[:0], p.Unsuccess[:0], p.MessageIDs[:0]
}

// Name returns the command name (a hex form for unknown commands).
func (p *PDU) Name() string {
	if p.Cmd != nil {
		return p.Cmd.Name
	}
	return CommandName(p.ID)
}

// Get returns the mandatory field id, if the command has it and it was present.
func (p *PDU) Get(id FieldID) (Value, bool) {
	if v := p.value(id); v != nil {
		return *v, true
	}
	return Value{}, false
}

// value returns the mandatory field id when Get would report it, or nil.
func (p *PDU) value(id FieldID) *Value {
	if p.Cmd == nil {
		return nil
	}
	i := p.Cmd.Field(id)
	if i < 0 || i >= len(p.Values) || !p.Values[i].Present {
		return nil
	}
	return &p.Values[i]
}

// Int returns an integer field.
func (p *PDU) Int(id FieldID) (uint32, bool) {
	if v := p.value(id); v != nil {
		return v.Int, true
	}
	return 0, false
}

// Bytes returns a string or octet field (aliasing the input).
func (p *PDU) Bytes(id FieldID) []byte {
	if v := p.value(id); v != nil {
		return v.Bytes
	}
	return nil
}

// Str returns a string field as a Go string (it copies).
func (p *PDU) Str(id FieldID) string { return string(p.Bytes(id)) }

// TLV returns the first TLV with the tag.
func (p *PDU) TLV(tag uint16) (*TLV, bool) {
	for i := range p.TLVs {
		if p.TLVs[i].Tag == tag {
			return &p.TLVs[i], true
		}
	}
	return nil, false
}

// MessageID returns the message_id the PDU carries: the mandatory field of
// responses and of query/cancel/replace/broadcast PDUs, or the
// receipted_message_id TLV of a receipt.
func (p *PDU) MessageID() ([]byte, bool) {
	if v := p.value(FieldMessageID); v != nil {
		return v.Bytes, true
	}
	if t, ok := p.TLV(TagReceiptedMessageID); ok {
		return t.CString(), true
	}
	return nil, false
}

// UserData returns the message bytes: short_message, or message_payload when
// short_message is empty. fromPayload says which one it was.
func (p *PDU) UserData() (ud []byte, fromPayload bool) {
	if v := p.value(FieldShortMessage); v != nil && len(v.Bytes) > 0 {
		return v.Bytes, false
	}
	if t, ok := p.TLV(TagMessagePayload); ok {
		return t.Value, true
	}
	return nil, false
}

// MessageType returns bits 5-2 of esm_class (ref §3.8.4), or 0.
func (p *PDU) MessageType() uint8 {
	v, _ := p.Int(FieldESMClass)
	return uint8(v) & 0x3C
}

// IsReceipt reports whether the PDU is an SMSC delivery receipt or an
// intermediate notification: a deliver_sm or data_sm whose esm_class message
// type is 0x04 or 0x20 (ref §8.1).
func (p *PDU) IsReceipt() bool {
	if p.ID != DeliverSM && p.ID != DataSM {
		return false
	}
	t := p.MessageType()
	return t == 0x04 || t == 0x20
}

// MaxSeverity returns the highest severity among the issues, or 0.
func (p *PDU) MaxSeverity() Severity {
	var s Severity
	for _, is := range p.Issues {
		s = max(s, is.Severity)
	}
	return s
}

// Clone returns a deep copy that no longer aliases the decoded input. A
// decoded PDU is cloned by decoding a copy of its bytes again under the same
// options; a PDU built for encoding has its byte fields copied.
func (p *PDU) Clone() *PDU {
	q := &PDU{}
	if p.Raw != nil {
		q.decode(bytes.Clone(p.Raw), p.opts)
		// Keep the issues added after decoding (AddIssue) as well.
		q.Issues = append(q.Issues[:0], p.Issues...)
		q.codeCounts = append(q.codeBuf[:0], p.codeCounts...)
		return q
	}
	q.Header, q.Cmd, q.Version, q.opts = p.Header, p.Cmd, p.Version, p.opts
	q.Values = append(q.valBuf[:0], p.Values...)
	for i := range q.Values {
		q.Values[i].Bytes = bytes.Clone(q.Values[i].Bytes)
	}
	q.heldBytes = allValBuf
	q.TLVs = append(q.tlvBuf[:0], p.TLVs...)
	for i := range q.TLVs {
		q.TLVs[i].Value = bytes.Clone(q.TLVs[i].Value)
	}
	for _, d := range p.Dests {
		d.Addr = bytes.Clone(d.Addr)
		q.Dests = append(q.Dests, d)
	}
	for _, u := range p.Unsuccess {
		u.Addr = bytes.Clone(u.Addr)
		q.Unsuccess = append(q.Unsuccess, u)
	}
	for _, id := range p.MessageIDs {
		q.MessageIDs = append(q.MessageIDs, bytes.Clone(id))
	}
	q.Issues = append(q.issueBuf[:0], p.Issues...)
	q.codeCounts = append(q.codeBuf[:0], p.codeCounts...)
	return q
}
