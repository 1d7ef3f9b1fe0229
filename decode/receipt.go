package decode

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"time"
)

// Receipt holds the fields of a delivery receipt's text (ref §8.3), as
// found; absent fields are empty.
type Receipt struct {
	ID         string
	Sub        string
	Dlvrd      string
	SubmitDate string
	DoneDate   string
	Stat       string
	Err        string
	Text       string
	HasText    bool // a text: label was present
}

// receiptLabels are the labels of ref §8.3, matched case-insensitively.
var receiptLabels = [...]string{"id:", "sub:", "dlvrd:", "submit date:", "done date:", "stat:", "err:", "text:"}

// ParseReceipt parses receipt text tolerantly (ref §8.5): labels in any case
// and order, fields missing or extra, each value running to the next label.
// ok is false when neither id: nor stat: is found.
func ParseReceipt(b []byte) (r Receipt, ok bool) {
	ok = parseReceipt(&r, b)
	return r, ok
}

// parseReceipt is ParseReceipt writing into *r; it writes every field.
func parseReceipt(r *Receipt, b []byte) bool {
	var raw receiptValues
	raw.find(b)
	raw.build(r)
	return r.ID != "" || r.Stat != ""
}

// receiptValues are the values of a receipt's fields as they lie in its
// text, by index into receiptLabels (trimmed, except the text), and which
// labels were found (bit i for receiptLabels[i]).
type receiptValues struct {
	vals [len(receiptLabels)][]byte
	got  uint8
}

// find sets v to the values of the receipt text b (they alias b).
func (v *receiptValues) find(b []byte) {
	var starts, ends [len(receiptLabels)]int // the found labels' values: b[starts[i]:ends[i]]
	got, ok := findUsualReceiptLabels(b, &starts, &ends)
	if !ok {
		got = findReceiptLabels(b, &starts, &ends)
	}
	v.vals, v.got = [len(receiptLabels)][]byte{}, got
	for m := got; m != 0; m &= m - 1 {
		i := bits.TrailingZeros8(m)
		raw := b[starts[i]:ends[i]]
		// Usually the value is a token with neither space nor non-ASCII
		// octet at either end (the space before the next label was left
		// out above): nothing to trim.
		if n := len(raw); i != textLabel && (n == 0 || raw[0]-0x21 >= 0x5F || raw[n-1]-0x21 >= 0x5F) { // 0x21–0x7F: ASCII, not space
			raw = trimSpace(raw)
		}
		v.vals[i] = raw
	}
}

// ok reports whether the text has an id: or a stat: value: what makes it
// a receipt's (see ParseReceipt).
func (v *receiptValues) ok() bool { return len(v.vals[idLabel]) > 0 || len(v.vals[statLabel]) > 0 }

// build sets every field of *r to a copy of v's values.
func (v *receiptValues) build(r *Receipt) {
	// The values are copied (callers keep the id, stat and err for hours),
	// except those nearly every receipt repeats, which need no allocation;
	// the short ones share one allocation (see copyReceiptValues).
	var vals [len(receiptLabels)]string
	var copies uint8 // bit i: vals[i] is still to be copied from raws[i]
	raws := &v.vals
	for m := v.got; m != 0; m &= m - 1 {
		i := bits.TrailingZeros8(m)
		if s, ok := commonReceiptValue(raws[i]); ok {
			vals[i] = s
		} else {
			copies |= 1 << i
		}
	}
	copyReceiptValues(&vals, raws, copies)
	// The common values are in upper case already.
	if copies&(1<<statLabel) != 0 && hasLowerASCII(raws[statLabel]) {
		vals[statLabel] = strings.ToUpper(vals[statLabel])
	}
	r.ID, r.Sub, r.Dlvrd, r.SubmitDate = vals[0], vals[1], vals[2], vals[3]
	r.DoneDate, r.Stat, r.Err = vals[4], vals[5], vals[6]
	r.Text, r.HasText = vals[7], v.got&(1<<textLabel) != 0
}

// stat returns the stat: value as build does, err the err: value: copies
// unless they are common values.
func (v *receiptValues) stat() string {
	raw := v.vals[statLabel]
	if s, ok := commonReceiptValue(raw); ok {
		return s
	}
	if hasLowerASCII(raw) {
		return strings.ToUpper(string(raw))
	}
	return string(raw)
}

func (v *receiptValues) err() string {
	if s, ok := commonReceiptValue(v.vals[errLabel]); ok {
		return s
	}
	return string(v.vals[errLabel])
}

// findUsualReceiptLabels is findReceiptLabels for receipt text in its
// usual form, which nearly every SMSC sends (ref §8.3): the labels in the
// order of receiptLabels from "id:" at the start, the last ones possibly
// missing, each in lower case after one space, and no space in a value but
// the text's. A value without a space holds no label (a label starts the
// text or follows a space), so each value runs to the next space, where the
// next label must start: a search for a space and a compare or two per
// label, where findReceiptLabels looks at every colon. ok is false, and
// starts and ends are partly written, when b is not in that form;
// TestUsualReceiptLabels checks it against findReceiptLabels.
func findUsualReceiptLabels(b []byte, starts, ends *[len(receiptLabels)]int) (got uint8, ok bool) {
	if len(b) < 3 || b[0] != 'i' || b[1] != 'd' || b[2] != ':' {
		return 0, false
	}
	for li, v := 0, 3; ; { // label li was found; its value starts at v
		starts[li] = v
		got |= 1 << li
		// The value ends at the next space, looked for eight octets at a
		// time; no call, since values are a few octets long.
		sp := -1
		for i := v; li != textLabel && i < len(b); i += 8 {
			var m uint64
			if len(b)-i >= 8 {
				m = octetsEqual(binary.LittleEndian.Uint64(b[i:]), ' ')
			} else {
				m = octetsTail(b, i, ' ')
			}
			if m != 0 {
				sp = i + bits.TrailingZeros64(m)/8
				break
			}
		}
		if sp < 0 { // the value runs to the end: no label follows it
			ends[li] = len(b)
			return got, true
		}
		ends[li] = sp
		// The next label in its usual form, " name:", starts at sp.
		li++
		c := sp + len(receiptLabels[li]) // its colon
		if c >= len(b) || b[c] != ':' || !receiptLabelWords[li].before(b, c) {
			return 0, false
		}
		v = c + 1
	}
}

// findReceiptLabels finds the labels of receipt text b, in any case and
// order, and sets b[starts[i]:ends[i]] to the value of each label i found
// (before trimming), returning the set of labels found.
func findReceiptLabels(b []byte, starts, ends *[len(receiptLabels)]int) (got uint8) {
	// One pass over the colons: each label is taken at its first
	// occurrence that starts the text or follows a space (so "id:" does not
	// match inside "msgid:"), compared with ASCII case folded in place.
	// Labels are found in the order of their colons, and a label's name
	// holds no colon, so a label starts after the colon of the one before:
	// each value runs from one label's colon to the start of the next
	// label, and is known as soon as that label is found.
	// got: bit i is set once receiptLabels[i] was found.
	cur := -1 // the label found last, whose value is being read
	for i := 0; i < len(b) && got != allReceiptLabels; i += 8 {
		// The colons of b[i:i+8], found eight octets at a time since
		// receipt values are short, are taken in turn.
		var m uint64
		if len(b)-i >= 8 {
			m = colons(binary.LittleEndian.Uint64(b[i:]))
		} else {
			m = colonsTail(b, i)
		}
		for ; m != 0; m &= m - 1 { // once all labels are found, none matches
			c := i + bits.TrailingZeros64(m)/8
			// The label after the one found last, in its usual form, is
			// what nearly every colon turns out to be: that costs a
			// compare or two.
			li, start := cur+1, 0
			if li < len(receiptLabels) && got&(1<<li) == 0 && receiptLabelWords[li].before(b, c) {
				start = c + 1 - len(receiptLabels[li])
			} else if li, start = matchReceiptLabel(b, c, got); li < 0 {
				continue // a colon inside a value
			}
			if cur >= 0 {
				// A label found after another starts past its colon,
				// so not at 0: it follows a space, which trimming
				// would drop from any value but the text's.
				ends[cur] = start
				if cur != textLabel {
					ends[cur]--
				}
			}
			starts[li] = c + 1
			got |= 1 << li
			cur = li
		}
	}
	if cur >= 0 {
		ends[cur] = len(b)
	}
	return got
}

// matchReceiptLabel returns the index of the label not in got whose colon
// is b[c], and where the label starts; li is -1 when there is none.
func matchReceiptLabel(b []byte, c int, got uint8) (li, start int) {
	if c == 0 {
		return -1, 0 // every label has a name before its colon
	}
	// Only the labels whose name ends in the octet before the colon can
	// match here, and no name is the end of another (TestReceiptTables), so
	// at most one does.
	for cand := receiptLabelsByLast[b[c-1]] &^ got; cand != 0; cand &= cand - 1 {
		li := bits.TrailingZeros8(cand)
		lab := receiptLabels[li]
		i := c + 1 - len(lab)
		if receiptLabelWords[li].before(b, c) || (i >= 0 && (i == 0 || b[i-1] == ' ') && isLabel(b[i:c], lab[:len(lab)-1])) {
			return li, i
		}
	}
	return -1, 0
}

// Indexes into receiptLabels, and the set of all of them.
const (
	idLabel          = 0
	statLabel        = 5
	errLabel         = 6
	allReceiptLabels = 1<<len(receiptLabels) - 1
)

// textLabel is the index of "text:", whose value is kept untrimmed.
const textLabel = 7

// receiptLabelsByLast maps an octet to the set (bit i for receiptLabels[i])
// of labels whose name ends in it, in either ASCII case. Built once at
// package initialisation, never modified.
var receiptLabelsByLast = func() (m [256]uint8) {
	for i, lab := range receiptLabels {
		c := lab[len(lab)-2] // the last octet before the colon
		m[c] |= 1 << i
		if 'a' <= c && c <= 'z' {
			m[c-'a'+'A'] |= 1 << i
		}
	}
	return m
}()

// labelWords holds the octets a label has before its colon in its usual
// form, " name" in lower case, as two little-endian words that end at the
// colon: words[0] the last eight octets, words[1] the eight before, masked
// to the octets that count. Comparing them costs two loads, where a
// comparison of strings costs a call.
type labelWords struct {
	words, masks [2]uint64
	span         int // octets before the colon the words cover: 8 or 16
}

// before reports whether b[:c] ends in the label in its usual form.
func (w *labelWords) before(b []byte, c int) bool {
	if c < w.span || c > len(b) {
		return false
	}
	if binary.LittleEndian.Uint64(b[c-8:])&w.masks[0] != w.words[0] {
		return false
	}
	return w.span == 8 || binary.LittleEndian.Uint64(b[c-16:])&w.masks[1] == w.words[1]
}

// receiptLabelWords holds the labelWords of each of receiptLabels. Built
// once at package initialisation, never modified.
var receiptLabelWords = func() (t [len(receiptLabels)]labelWords) {
	for i, lab := range receiptLabels {
		usual := " " + lab[:len(lab)-1]
		var octets, mask [16]byte // usual, right-aligned
		copy(octets[16-len(usual):], usual)
		for k := 16 - len(usual); k < 16; k++ {
			mask[k] = 0xFF
		}
		t[i].words = [2]uint64{binary.LittleEndian.Uint64(octets[8:]), binary.LittleEndian.Uint64(octets[:8])}
		t[i].masks = [2]uint64{binary.LittleEndian.Uint64(mask[8:]), binary.LittleEndian.Uint64(mask[:8])}
		t[i].span = 8
		if len(usual) > 8 {
			t[i].span = 16
		}
	}
	return t
}()

// isLabel reports whether b equals the lower-case ASCII label, folding
// ASCII upper case in b only.
func isLabel(b []byte, label string) bool {
	if string(b) == label { // the usual lower-case label: one comparison
		return true
	}
	if len(b) != len(label) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != label[i] {
			return false
		}
	}
	return true
}

// commonReceiptValue returns, as a constant, a receipt field value nearly
// every receipt repeats; ok is false for the others.
func commonReceiptValue(b []byte) (s string, ok bool) {
	switch string(b) { // no allocation: the compiler compares in place
	case "":
		return "", true
	case "000":
		return "000", true
	case "001":
		return "001", true
	case "DELIVRD":
		return "DELIVRD", true
	case "UNDELIV":
		return "UNDELIV", true
	case "EXPIRED":
		return "EXPIRED", true
	case "REJECTD":
		return "REJECTD", true
	case "ENROUTE":
		return "ENROUTE", true
	}
	return "", false
}

// copyReceiptValues sets vals[i] to a copy of raws[i] for each bit i of
// copies. The values before text: (the id and the dates, typically) are
// copied into one allocation, which they then share: a receipt's id keeps
// its dates alive, a few dozen octets, instead of costing an allocation
// each. The text, which may be long, is copied on its own.
func copyReceiptValues(vals *[len(receiptLabels)]string, raws *[len(receiptLabels)][]byte, copies uint8) {
	if copies&(1<<textLabel) != 0 {
		vals[textLabel] = string(raws[textLabel])
		copies &^= 1 << textLabel
	}
	if copies&(copies-1) == 0 { // one value or none
		if copies != 0 {
			i := bits.TrailingZeros8(copies)
			vals[i] = string(raws[i])
		}
		return
	}
	total := 0
	for m := copies; m != 0; m &= m - 1 {
		total += len(raws[bits.TrailingZeros8(m)])
	}
	var all string
	var buf [64]byte
	if total <= len(buf) {
		// Gathered on the stack and then copied once, which costs less
		// than a strings.Builder's growing and appending.
		n := 0
		for m := copies; m != 0; m &= m - 1 {
			n += copy(buf[n:], raws[bits.TrailingZeros8(m)])
		}
		all = string(buf[:n])
	} else {
		var sb strings.Builder
		sb.Grow(total)
		for m := copies; m != 0; m &= m - 1 {
			sb.Write(raws[bits.TrailingZeros8(m)])
		}
		all = sb.String()
	}
	at := 0
	for m := copies; m != 0; m &= m - 1 {
		i := bits.TrailingZeros8(m)
		vals[i] = all[at : at+len(raws[i])]
		at += len(raws[i])
	}
}

func hasLowerASCII(b []byte) bool {
	for _, c := range b {
		if 'a' <= c && c <= 'z' {
			return true
		}
	}
	return false
}

// ParseReceiptDate parses a receipt date of 10 (YYMMDDhhmm), 12
// (YYMMDDhhmmss) or 14 (YYYYMMDDhhmmss) digits (ref §8.5) as UTC, the SMSC's
// zone being unknown. Two-digit years pivot at 38 (ref §4).
func ParseReceiptDate(s string) (time.Time, bool) {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
	}
	var layout string
	switch len(s) {
	case 10:
		layout = "0601021504"
	case 12:
		layout = "060102150405"
	case 14:
		layout = "20060102150405"
	default:
		return time.Time{}, false
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, false
	}
	if len(s) < 14 && t.Year() >= 2038 { // Go pivots at 69; SMPP at 38
		t = t.AddDate(-100, 0, 0)
	}
	return t, true
}

// StatState maps a receipt stat: token to its message_state (ref §8.4);
// ok is false for tokens outside the table.
func StatState(stat string) (state uint8, ok bool) {
	if state, ok = statState(stat); ok { // the usual upper-case token
		return state, true
	}
	return statState(strings.ToUpper(stat))
}

// statState is StatState for a token in upper case.
func statState(stat string) (state uint8, ok bool) {
	switch stat {
	case "ENROUTE":
		return 1, true
	case "DELIVRD":
		return 2, true
	case "EXPIRED":
		return 3, true
	case "DELETED":
		return 4, true
	case "UNDELIV":
		return 5, true
	case "ACCEPTD":
		return 6, true
	case "UNKNOWN":
		return 7, true
	case "REJECTD":
		return 8, true
	}
	return 0, false
}

// MessageStateName names a message_state value (ref §7).
func MessageStateName(v uint8) string {
	names := [...]string{"SCHEDULED", "ENROUTE", "DELIVERED", "EXPIRED", "DELETED", "UNDELIVERABLE", "ACCEPTED", "UNKNOWN", "REJECTED", "SKIPPED"}
	if int(v) < len(names) {
		return names[v]
	}
	return "reserved"
}

// Receipt parses the receipt text of a delivery receipt PDU (short_message,
// or message_payload when short_message is empty). ok is false when the
// PDU is not a receipt or its text has no receipt fields.
//
// The text is parsed once per decode and the result kept, since the
// validator, the correlation and the writers all ask for it; its values
// are copied the first time Receipt is called. Receipt and ReceiptStatus
// thus write to the PDU: like its decoding, they are not for several
// goroutines at once.
func (p *PDU) Receipt() (Receipt, bool) {
	if !p.findReceipt() {
		return Receipt{}, false
	}
	if p.rcptState != rcptParsed {
		p.rcptVals.build(&p.rcpt)
		p.rcptState = rcptParsed
	}
	return p.rcpt, true
}

// ReceiptStatus returns what matching a receipt to its message needs,
// without copying the receipt's text: the id: value as it lies in the PDU
// (it aliases the PDU's input, as Bytes does: copy what you keep), and
// the stat: and err: values as Receipt returns them. ok is as for Receipt.
func (p *PDU) ReceiptStatus() (id []byte, stat, err string, ok bool) {
	if !p.findReceipt() {
		return nil, "", "", false
	}
	if p.rcptState == rcptParsed {
		return p.rcptVals.vals[idLabel], p.rcpt.Stat, p.rcpt.Err, true
	}
	v := &p.rcptVals
	return v.vals[idLabel], v.stat(), v.err(), true
}

// findReceipt finds the values of the PDU's receipt text once per decode,
// and reports whether it has them.
func (p *PDU) findReceipt() bool {
	switch p.rcptState {
	case rcptNone:
		return false
	case rcptFound, rcptParsed:
		return true
	}
	if !p.IsReceipt() {
		p.rcptState = rcptNone
		return false
	}
	ud, _ := p.UserData()
	return p.parseReceipt(ud)
}

// parseReceipt finds the values of ud, the user data of a receipt PDU, in
// p.rcptVals and reports whether it has receipt fields.
func (p *PDU) parseReceipt(ud []byte) bool {
	p.rcptVals.find(ud)
	if !p.rcptVals.ok() {
		p.rcptVals, p.rcptState = receiptValues{}, rcptNone
		return false
	}
	p.rcptState = rcptFound
	return true
}

// States of PDU.rcptState.
const (
	rcptUnknown uint8 = iota // not parsed yet
	rcptNone                 // not a receipt, or no receipt fields in its text
	rcptFound                // p.rcptVals holds the values of its text
	rcptParsed               // and p.rcpt their copies
)
