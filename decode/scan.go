package decode

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"
)

// Word-at-a-time scanning of user data and receipt text: eight octets are
// tested at once, which matters for the long, clean texts of bulk traffic.

const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// scanGSM reports, in one pass, whether b holds an octet ≥ 0x80 and whether
// it holds the GSM escape 0x1B.
func scanGSM(b []byte) (high, esc bool) {
	if len(b) < 8 {
		var hi uint8
		for _, c := range b {
			hi |= c
			esc = esc || c == 0x1B
		}
		return hi >= 0x80, esc
	}
	// Both answers are "is there any such octet", so the words are OR-ed
	// together without a branch per word, and the octets after the last
	// whole word are read in a word that overlaps it.
	var hi, escs uint64
	last := len(b) - 8
	for i := 0; i < last; i += 8 { // an index, not a shrinking slice: fewer updates per word
		w := binary.LittleEndian.Uint64(b[i:])
		x := w ^ (0x1B * lowBits)
		hi, escs = hi|w, escs|(x-lowBits)&^x
	}
	w := binary.LittleEndian.Uint64(b[last:])
	x := w ^ (0x1B * lowBits)
	hi, escs = hi|w, escs|(x-lowBits)&^x
	// (x-lowBits)&^x sets the high bit of each zero octet of x, and perhaps
	// of octets above one, so escs has a high bit set exactly when some x,
	// a word XOR 0x1B in each octet, has a zero octet: when b holds 0x1B.
	return hi&highBits != 0, escs&highBits != 0
}

// nonPrintable returns w with the high bit set of each octet that is not
// printable ASCII (0x20–0x7E), and no other bit.
func nonPrintable(w uint64) uint64 {
	low := w &^ highBits // each octet's low seven bits: the sums below cannot carry
	// Adding 0x60 sets bit 7 of the octets ≥ 0x20, adding 0x01 that of 0x7F.
	return (w | ^(low + 0x60*lowBits) | (low + lowBits)) & highBits
}

// allPrintable reports whether every octet of b is printable ASCII
// (0x20–0x7E).
func allPrintable(b []byte) bool {
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		// With no octet ≥ 0x80, adding 0x60 sets bit 7 of exactly the
		// octets ≥ 0x20 and adding 0x01 that of 0x7F, without carries.
		if w&highBits != 0 || (w+0x60*lowBits)&highBits != highBits || (w+lowBits)&highBits != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c < 0x20 || c >= 0x7F {
			return false
		}
	}
	return true
}

// colonsTail returns colons of b[i:], fewer than eight octets at the end
// of b, as if they were a word.
func colonsTail(b []byte, i int) uint64 { return octetsTail(b, i, ':') }

// colons returns w with the high bit set of each octet that is ':', and no
// other bit.
func colons(w uint64) uint64 { return octetsEqual(w, ':') }

// octetsTail returns octetsEqual of b[i:], fewer than eight octets at the
// end of b, as if they were a word.
func octetsTail(b []byte, i int, c byte) uint64 {
	var w uint64
	if len(b) >= 8 {
		// The last word, shifted so that b[i] comes first.
		w = binary.LittleEndian.Uint64(b[len(b)-8:]) >> (8 * (8 - (len(b) - i)))
	} else {
		for k := len(b) - 1; k >= i; k-- {
			w = w<<8 | uint64(b[k])
		}
	}
	// The zero octets above b[i:] would match a c of 0: masked off.
	return octetsEqual(w, c) & (highBits >> (8 * (8 - (len(b) - i))))
}

// octetsEqual returns w with the high bit set of each octet that is c, and
// no other bit.
func octetsEqual(w uint64, c byte) uint64 {
	x := w ^ (uint64(c) * lowBits) // zero octets where w has a c
	// Adding 0x7F to each octet's low seven bits sets its high bit when
	// they are not all zero, without carries between octets; OR-ing x
	// adds the octets whose own high bit is set. What remains clear are
	// exactly the zero octets.
	return ^((x&^highBits + 0x7F*lowBits) | x) & highBits
}

// trimSpace is bytes.TrimSpace with the ASCII cases done in place; any
// non-ASCII octet at either end is left to bytes.TrimSpace.
func trimSpace(b []byte) []byte {
	start, stop := 0, len(b)
	for start < stop && isASCIISpace(b[start]) {
		start++
	}
	for stop > start && isASCIISpace(b[stop-1]) {
		stop--
	}
	if start == stop || b[start] >= utf8.RuneSelf || b[stop-1] >= utf8.RuneSelf {
		return bytes.TrimSpace(b)
	}
	return b[start:stop]
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
