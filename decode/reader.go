package decode

import "encoding/binary"

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
			v := rest[:i:i]
			r.off += i + 1
			if i+1 > max {
				return v, cstrTooLong
			}
			return v, cstrOK
		}
	}
	r.off = len(r.b)
	return rest[:len(rest):len(rest)], cstrNoNUL
}
