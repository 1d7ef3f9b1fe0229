package decode

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// Word-at-a-time scanning of user data and receipt text: eight octets are
// tested at once, which matters for the long, clean texts of bulk traffic.

const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// hasZeroByte reports whether any octet of w is zero.
func hasZeroByte(w uint64) bool { return (w-lowBits)&^w&highBits != 0 }

// scanGSM reports, in one pass, whether b holds an octet ≥ 0x80 and whether
// it holds the GSM escape 0x1B.
func scanGSM(b []byte) (high, esc bool) {
	var hi uint64
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		hi |= w
		if !esc && hasZeroByte(w^(0x1B*lowBits)) {
			esc = true
		}
		b = b[8:]
	}
	for _, c := range b {
		hi |= uint64(c)
		if c == 0x1B {
			esc = true
		}
	}
	return hi&highBits != 0, esc
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

// indexColon returns the index of the first ':' in b, or -1. Receipt
// values are short, so eight octets at a time beat a call per colon.
func indexColon(b []byte) int {
	i := 0
	for ; len(b)-i >= 8; i += 8 {
		w := binary.LittleEndian.Uint64(b[i:]) ^ (':' * lowBits)
		// The lowest flagged octet is always a true zero octet.
		if m := (w - lowBits) &^ w & highBits; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if b[i] == ':' {
			return i
		}
	}
	return -1
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
