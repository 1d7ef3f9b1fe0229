package decode

import (
	"math/big"
	"strings"
)

// MatchRule names how two message ids were found equal.
type MatchRule string

// Match rules, from strictest to loosest (ref §8.5: SMSCs vary case,
// padding and base between submit_sm_resp and the receipt).
const (
	MatchExact  MatchRule = "exact"
	MatchCase   MatchRule = "case"
	MatchZeros  MatchRule = "leading-zeros"
	MatchHexDec MatchRule = "hex-dec"
	MatchNone   MatchRule = ""
)

// MatchMessageID compares a message_id from a response with one from a
// receipt and says which rule made them equal.
func MatchMessageID(a, b string) MatchRule {
	switch {
	case a == b:
		return MatchExact
	case a == "" || b == "":
		return MatchNone
	case strings.EqualFold(a, b):
		return MatchCase
	}
	ta, tb := strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if ta != "" && strings.EqualFold(ta, tb) {
		return MatchZeros
	}
	if x, ok := parseBase(a, 16); ok {
		if y, ok := parseBase(b, 10); ok && x.Cmp(y) == 0 {
			return MatchHexDec
		}
	}
	if x, ok := parseBase(a, 10); ok {
		if y, ok := parseBase(b, 16); ok && x.Cmp(y) == 0 {
			return MatchHexDec
		}
	}
	return MatchNone
}

// SameMessageID reports whether two ids denote the same message under any rule.
func SameMessageID(a, b string) bool { return MatchMessageID(a, b) != MatchNone }

func parseBase(s string, base int) (*big.Int, bool) {
	if len(s) == 0 || len(s) > 64 {
		return nil, false
	}
	return new(big.Int).SetString(s, base)
}
