package report

import (
	"math/big"
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
type idIndex struct {
	text map[string]*msgPart
	num  map[uint64]*msgPart // numbers that fit 64 bits: no allocation
	big  map[string]*msgPart // longer numbers, by decimal string
}

func newIDIndex() idIndex {
	return idIndex{text: map[string]*msgPart{}, num: map[uint64]*msgPart{}, big: map[string]*msgPart{}}
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

// add files a response's message id; the first part filed under a key keeps it.
func (x *idIndex) add(id string, p *msgPart) {
	if k := textKey(id); x.text[k] == nil {
		x.text[k] = p
	}
	for _, n := range numbers(id) {
		x.setNum(n, p)
	}
}

// remove unfiles an id if it still points at p.
func (x *idIndex) remove(id string, p *msgPart) {
	if k := textKey(id); x.text[k] == p {
		delete(x.text, k)
	}
	for _, n := range numbers(id) {
		x.delNum(n, p)
	}
}

// find returns the part a receipt id refers to, or nil.
func (x *idIndex) find(id string) *msgPart {
	if p := x.text[textKey(id)]; p != nil {
		return p
	}
	for _, n := range numbers(id) {
		if !n.ok {
			continue
		}
		if p := x.getNum(n); p != nil && decode.SameMessageID(p.messageID, id) {
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

// recentIDs remembers the text keys of the last n emitted message ids.
type recentIDs struct {
	set  map[string]struct{}
	ring []string
	next int
}

func newRecentIDs(n int) recentIDs {
	return recentIDs{set: make(map[string]struct{}, n), ring: make([]string, n)}
}

func (r *recentIDs) add(id string) {
	k := textKey(id)
	if old := r.ring[r.next]; old != "" {
		delete(r.set, old)
	}
	r.ring[r.next] = k
	r.set[k] = struct{}{}
	r.next = (r.next + 1) % len(r.ring)
}

func (r *recentIDs) has(id string) bool {
	_, ok := r.set[textKey(id)]
	return ok
}
