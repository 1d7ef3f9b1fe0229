package report

import (
	"math/big"
	"strconv"
	"strings"

	"smppdump.dev/smppdump/decode"
)

// idIndex finds the part a receipt's message id refers to under every rule
// of decode.MatchMessageID with two map lookups at most. An id is filed
// under its text key (lower case, leading zeros dropped: exact, case and
// zero-padding variants share it) and under the decimal value(s) it can
// denote (hex and, when all digits, decimal: the hex-dec rule). The rule
// that matched is computed afterwards by comparing the two ids.
type idIndex struct {
	text map[string]*msgPart
	num  map[string]*msgPart
}

func newIDIndex() idIndex {
	return idIndex{text: map[string]*msgPart{}, num: map[string]*msgPart{}}
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

// numKeys returns the decimal values an id denotes: read as hex, and read
// as decimal when it is all digits.
func numKeys(id string) (hexVal, decVal string, okHex, okDec bool) {
	hexVal, okHex = numeric(id, 16)
	decVal, okDec = numeric(id, 10)
	return
}

// add files a response's message id; the first part filed under a key keeps it.
func (x *idIndex) add(id string, p *msgPart) {
	if k := textKey(id); x.text[k] == nil {
		x.text[k] = p
	}
	h, d, okH, okD := numKeys(id)
	if okH && x.num[h] == nil {
		x.num[h] = p
	}
	if okD && x.num[d] == nil {
		x.num[d] = p
	}
}

// find returns the part a receipt id refers to, or nil.
func (x *idIndex) find(id string) *msgPart {
	if p := x.text[textKey(id)]; p != nil {
		return p
	}
	h, d, okH, okD := numKeys(id)
	for _, k := range [...]struct {
		key string
		ok  bool
	}{{d, okD}, {h, okH}} {
		if !k.ok {
			continue
		}
		if p := x.num[k.key]; p != nil && decode.SameMessageID(p.messageID, id) {
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
	h, d, okH, okD := numKeys(id)
	if okH {
		keys = append(keys, "n:"+h)
	}
	if okD {
		keys = append(keys, "n:"+d)
	}
	return keys
}

func lookupKeys(id string) []string { return indexKeys(id) }

// numeric returns the decimal form of s read in base, if s is a number of
// at most 64 digits. Ids of up to 15 hex or 19 decimal digits take a fast
// path without big integers.
func numeric(s string, base int) (string, bool) {
	if s == "" || len(s) > 64 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		isDigit := '0' <= c && c <= '9'
		isHex := 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
		if !isDigit && !(base == 16 && isHex) {
			return "", false
		}
	}
	if (base == 16 && len(s) <= 15) || (base == 10 && len(s) <= 19) {
		v, err := strconv.ParseUint(s, base, 64)
		if err == nil {
			return strconv.FormatUint(v, 10), true
		}
	}
	n, ok := new(big.Int).SetString(s, base)
	if !ok {
		return "", false
	}
	return n.String(), true
}

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

// remove unfiles an id if it still points at p.
func (x *idIndex) remove(id string, p *msgPart) {
	if k := textKey(id); x.text[k] == p {
		delete(x.text, k)
	}
	h, d, okH, okD := numKeys(id)
	if okH && x.num[h] == p {
		delete(x.num, h)
	}
	if okD && x.num[d] == p {
		delete(x.num, d)
	}
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
