package decode

import (
	"encoding/binary"
	"math/bits"
)

// reader is a bounds-checked cursor over a PDU. Every read checks the
// remaining length first, so no input can make it panic; byte results are
// subslices of the input.
type reader struct {
	b   []byte
	off int
}

func (r *reader) remaining() int { return len(r.b) - r.off }

func (r *reader) u8() (uint8, bool) {
	if r.remaining() < 1 {
		return 0, false
	}
	v := r.b[r.off]
	r.off++
	return v, true
}

func (r *reader) u16() (uint16, bool) {
	if r.remaining() < 2 {
		return 0, false
	}
	v := binary.BigEndian.Uint16(r.b[r.off:])
	r.off += 2
	return v, true
}

func (r *reader) u32() (uint32, bool) {
	if r.remaining() < 4 {
		return 0, false
	}
	v := binary.BigEndian.Uint32(r.b[r.off:])
	r.off += 4
	return v, true
}

// octets returns the next n bytes, capped to what remains; ok is false when
// fewer than n were available.
func (r *reader) octets(n int) ([]byte, bool) {
	if n < 0 {
		n = 0
	}
	take := min(n, r.remaining())
	end := r.off + take
	v := r.b[r.off:end:end]
	r.off = end
	return v, take == n
}

// cstrResult says how a C-Octet String read ended.
type cstrResult uint8

const (
	cstrOK      cstrResult = iota
	cstrTooLong            // a NUL was found, but past the field's maximum
	cstrNoNUL              // no NUL before the end: the rest was consumed
)

// cstring reads a C-Octet String of at most max octets including its NUL.
// When the NUL comes later than max, the string is still read up to it (the
// decoder then reports FLD-02 and stays aligned with the sender); when there
// is no NUL at all, everything left is consumed.
func (r *reader) cstring(max int) ([]byte, cstrResult) {
	rest := r.b[r.off:]
	for i, c := range rest {
		if c == 0 {
			return r.cstringEnd(rest, i, max)
		}
	}
	r.off = len(r.b)
	return rest[:len(rest):len(rest)], cstrNoNUL
}

// cstringPrintable is cstring that also reports whether every octet of s
// is printable ASCII, found in the same pass for FLD-12 (see cstringScan).
func (r *reader) cstringPrintable(max int) (s []byte, res cstrResult, printable bool) {
	rest := r.b[r.off:]
	n, printable := cstringScan(rest)
	if n == len(rest) {
		r.off = len(r.b)
		return rest[:n:n], cstrNoNUL, printable
	}
	s, res = r.cstringEnd(rest, n, max)
	return s, res, printable
}

// cstringScan returns the length of the C-Octet String that starts rest:
// the index of the first NUL, or len(rest) when there is none. printable
// reports whether those octets are all printable ASCII. It reads eight
// octets at a time while eight remain: a mandatory field is usually
// followed by others, and a loop over octets pays a branch per octet.
func cstringScan(rest []byte) (n int, printable bool) {
	var bad uint64 // high bit of each non-printable octet seen
	i := 0
	for ; len(rest)-i >= 8; i += 8 {
		w := binary.LittleEndian.Uint64(rest[i:])
		if z := (w - lowBits) &^ w & highBits; z != 0 {
			// The lowest flagged octet is always a true NUL.
			k := bits.TrailingZeros64(z) / 8
			bad |= nonPrintable(w) & (1<<(8*k) - 1)
			return i + k, bad == 0
		}
		bad |= nonPrintable(w)
	}
	for ; i < len(rest); i++ {
		c := rest[i]
		if c == 0 {
			return i, bad == 0
		}
		if c < 0x20 || c >= 0x7F {
			bad = 1
		}
	}
	return len(rest), bad == 0
}

// cstringEnd consumes the string rest[:n] and its NUL.
func (r *reader) cstringEnd(rest []byte, n, max int) (s []byte, res cstrResult) {
	r.off += n + 1
	if n+1 > max {
		return rest[:n:n], cstrTooLong
	}
	return rest[:n:n], cstrOK
}
