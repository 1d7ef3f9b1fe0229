package report

import (
	"cmp"
	"hash/maphash"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"smppdump.dev/smppdump/decode"
)

// idIndex finds the part a receipt's message id refers to under every rule
// of decode.MatchMessageID with three map lookups at most. An id is filed
// under its text key (lower case, leading zeros dropped: exact, case and
// zero-padding variants share it) and under the number(s) it can denote
// (read as hex and, when all digits, as decimal: the hex-dec rule). The
// rule that matched is computed afterwards by comparing the two ids.
//
// The numeric keys cost two map writes per message, and most SMSCs use the
// same form in responses and receipts; so they are kept only once a receipt
// has missed the text keys while its id is a number (numeric set): then
// every live id is filed by number too, and every new one.
//
// Text keys are filed by a 64-bit hash (cheaper to probe than strings) in
// an open-addressing table; a hit is confirmed against the part's own id,
// and the rare id whose hash is already taken by another key goes to clash,
// by its text key. Callers compute the hash once (hash) and pass it along:
// a part keeps it in idHash for its removal.
type idIndex struct {
	seed    maphash.Seed
	text    hashTable[*msgPart]
	clash   map[string]*msgPart
	num     map[uint64]*msgPart // numbers that fit 64 bits: no allocation
	big     map[string]*msgPart // longer numbers, by decimal string
	numeric bool
}

func newIDIndex() idIndex {
	return idIndex{seed: maphash.MakeSeed(), clash: map[string]*msgPart{},
		num: map[uint64]*msgPart{}, big: map[string]*msgPart{}}
}

// hash returns the hash id's text key is filed under.
func (x *idIndex) hash(id string) uint64 { return keyHash(x.seed, id) }

// textSlot is the table key for a text key hash: never 0, which marks an
// empty slot (a hash of 0 shares key 1, a clash like any other).
func textSlot(h uint64) uint64 { return max(h, 1) }

// keyHash hashes textKey(id) without building it for the usual ASCII ids.
func keyHash(seed maphash.Seed, id string) uint64 {
	// Most ids are digits and lower-case letters already: their text key
	// is the id less its leading zeros, hashed where it lies.
	i := 0
	for i < len(id) && id[i] == '0' {
		i++
	}
	for j := i; j < len(id); j++ {
		if c := id[j]; c >= 0x80 || c-'A' < 26 { // not ASCII, or upper case
			return keyHashFolded(seed, id)
		}
	}
	if i == len(id) {
		return maphash.String(seed, id) // all zeros (or empty): textKey keeps them
	}
	return maphash.String(seed, id[i:])
}

// keyHashFolded is keyHash for ids with upper-case or non-ASCII octets:
// short ASCII ids are folded into a buffer, others go through textKey.
func keyHashFolded(seed maphash.Seed, id string) uint64 {
	var buf [64]byte
	if len(id) > len(buf) {
		return maphash.String(seed, textKey(id))
	}
	n := 0
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c >= 0x80 {
			return maphash.String(seed, textKey(id))
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	k := buf[:n]
	for len(k) > 1 && k[0] == '0' {
		k = k[1:]
	}
	if len(k) == 1 && k[0] == '0' && n > 1 {
		k = buf[:n] // all zeros: textKey keeps them
	}
	return maphash.Bytes(seed, k)
}

// sameTextKey reports whether textKey(a) == textKey(b), without building
// them for ASCII ids.
func sameTextKey(a, b string) bool {
	trim := func(s string) string {
		t := strings.TrimLeft(s, "0")
		if t == "" {
			return s
		}
		return t
	}
	for i := 0; i < len(a); i++ {
		if a[i] >= 0x80 {
			return textKey(a) == textKey(b)
		}
	}
	for i := 0; i < len(b); i++ {
		if b[i] >= 0x80 {
			return textKey(a) == textKey(b)
		}
	}
	return strings.EqualFold(trim(a), trim(b))
}

// getText returns the part filed under id's text key, whose hash is h.
func (x *idIndex) getText(id string, h uint64) *msgPart {
	if p, _ := x.text.get(textSlot(h)); p != nil && (p.sameID(id) || sameTextKey(p.id(), id)) {
		return p
	}
	if len(x.clash) == 0 {
		return nil
	}
	return x.clash[textKey(id)]
}

// textKey folds case and drops leading zeros; it does not allocate for
// ids that are already lower case.
func textKey(id string) string {
	k := strings.ToLower(id)
	if t := strings.TrimLeft(k, "0"); t != "" {
		return t
	}
	return k
}

// number is the value of an id read in some base.
type number struct {
	small uint64
	big   string // decimal form, when the value does not fit 64 bits
	ok    bool
}

func parseNumber(s string, base int) number {
	if s == "" || len(s) > 64 {
		return number{}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		isDigit := '0' <= c && c <= '9'
		isHex := 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
		if !isDigit && !(base == 16 && isHex) {
			return number{}
		}
	}
	if v, err := strconv.ParseUint(s, base, 64); err == nil {
		return number{small: v, ok: true}
	}
	n, ok := new(big.Int).SetString(s, base)
	if !ok {
		return number{}
	}
	return number{big: n.String(), ok: true}
}

// numbers returns what an id denotes read as hex and as decimal.
func numbers(id string) [2]number { return [2]number{parseNumber(id, 16), parseNumber(id, 10)} }

func (x *idIndex) getNum(n number) *msgPart {
	if n.big != "" {
		return x.big[n.big]
	}
	return x.num[n.small]
}

func (x *idIndex) setNum(n number, p *msgPart) {
	switch {
	case !n.ok:
	case n.big != "":
		if x.big[n.big] == nil {
			x.big[n.big] = p
		}
	case x.num[n.small] == nil:
		x.num[n.small] = p
	}
}

func (x *idIndex) delNum(n number, p *msgPart) {
	switch {
	case !n.ok:
	case n.big != "":
		if x.big[n.big] == p {
			delete(x.big, n.big)
		}
	case x.num[n.small] == p:
		delete(x.num, n.small)
	}
}

// add files a response's message id, whose hash is h; the first part filed
// under a key keeps it.
func (x *idIndex) add(id string, h uint64, p *msgPart) {
	switch q, found := x.text.upsert(textSlot(h)); {
	case !found:
		*q = p
	case (*q).sameID(id) || sameTextKey((*q).id(), id):
		// the first part filed under a key keeps it
	default:
		// Cloned: callers may pass an id that is not kept anywhere.
		if k := textKey(id); x.clash[k] == nil {
			x.clash[strings.Clone(k)] = p
		}
	}
	if x.numeric {
		for _, n := range numbers(strings.Clone(id)) { // numbers leaks its argument
			x.setNum(n, p)
		}
	}
}

// enableNumeric files every part in text by number and keeps doing so.
func (x *idIndex) enableNumeric() {
	if x.numeric {
		return
	}
	x.numeric = true
	// A number may denote several live ids (hex "10" and decimal "16"),
	// and the first part filed under it keeps it: file them in submit
	// order, so that every run picks the same one.
	var parts []*msgPart
	x.text.all(func(_ uint64, p *msgPart) { parts = append(parts, p) })
	for _, p := range x.clash {
		parts = append(parts, p)
	}
	slices.SortFunc(parts, func(a, b *msgPart) int {
		return cmp.Or(cmp.Compare(a.submitOrder(), b.submitOrder()), cmp.Compare(a.partNo, b.partNo), cmp.Compare(a.frame, b.frame))
	})
	for _, p := range parts {
		for _, n := range numbers(p.id()) {
			x.setNum(n, p)
		}
	}
}

// submitOrder is the submit order of the part's message (0 without one).
func (p *msgPart) submitOrder() uint64 {
	if p.msg == nil {
		return 0
	}
	return p.msg.order
}

// remove unfiles p's id, whose hash is h, where it still points at p.
func (x *idIndex) remove(h uint64, p *msgPart) {
	if i := x.text.find(textSlot(h)); i >= 0 && x.text.slots[i].val == p {
		x.text.deleteAt(i)
	} else if len(x.clash) > 0 {
		if k := textKey(p.id()); x.clash[k] == p {
			delete(x.clash, k)
		}
	}
	if x.numeric {
		for _, n := range numbers(p.id()) {
			x.delNum(n, p)
		}
	}
}

// find returns the part a receipt id, whose hash is h, refers to, or nil.
func (x *idIndex) find(id string, h uint64) *msgPart {
	if p := x.getText(id, h); p != nil {
		return p
	}
	nums := numbers(id)
	if !nums[0].ok && !nums[1].ok {
		return nil
	}
	x.enableNumeric()
	for _, n := range nums {
		if !n.ok {
			continue
		}
		if p := x.getNum(n); p != nil && decode.SameMessageID(p.id(), id) {
			return p
		}
	}
	return nil
}

// indexKeys are the keys a response id is filed under, prefixed by kind;
// lookupKeys those a receipt id is looked up with. Early receipts wait
// under their lookupKeys until a response's indexKeys meet them.
func indexKeys(id string) []string {
	keys := []string{"t:" + textKey(id)}
	for _, n := range numbers(id) {
		switch {
		case !n.ok:
		case n.big != "":
			keys = append(keys, "n:"+n.big)
		default:
			keys = append(keys, "n:"+strconv.FormatUint(n.small, 10))
		}
	}
	return keys
}

func lookupKeys(id string) []string { return indexKeys(id) }

// ruleRank orders match rules from strictest (0) to loosest.
func ruleRank(r decode.MatchRule) int {
	switch r {
	case decode.MatchExact:
		return 0
	case decode.MatchCase:
		return 1
	case decode.MatchZeros:
		return 2
	}
	return 3
}
