package decode

import "unicode/utf8"

// gsmBasic is the GSM 03.38 default alphabet (ref §9.3), indexed by septet.
// 0x1B is the escape to the extension table and maps to 0 here.
var gsmBasic = [128]rune{
	'@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å',
	'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', 0, 'Æ', 'æ', 'ß', 'É',
	' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
	'¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
	'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
	'¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
}

// gsmExtension returns the extension-table character for the septet after
// an escape (ref §9.4); ok is false for undefined codes. CR2 and SS2 have no
// printable character: CR2 is shown as CR, SS2 as a space.
func gsmExtension(c byte) (r rune, ok bool) {
	switch c {
	case 0x0A:
		return '\f', true
	case 0x0D:
		return '\r', true
	case 0x14:
		return '^', true
	case 0x1B:
		return ' ', true
	case 0x28:
		return '{', true
	case 0x29:
		return '}', true
	case 0x2F:
		return '\\', true
	case 0x3C:
		return '[', true
	case 0x3D:
		return '~', true
	case 0x3E:
		return ']', true
	case 0x40:
		return '|', true
	case 0x65:
		return '€', true
	}
	return 0, false
}

// GSMProblems counts what was wrong in GSM 7-bit text.
type GSMProblems struct {
	HighBit     int // octets ≥ 0x80 in unpacked text (UD-04)
	BadEscape   int // undefined extension codes (UD-05)
	TrailingEsc bool
}

// DecodeGSM7 decodes unpacked GSM 7-bit text (one septet per octet, ref
// §9.5) and appends it as UTF-8 to dst.
func DecodeGSM7(dst []byte, septets []byte) ([]byte, GSMProblems) {
	var pr GSMProblems
	for i := 0; i < len(septets); i++ {
		c := septets[i]
		if c >= 0x80 {
			pr.HighBit++
			c &= 0x7F
		}
		if c != 0x1B {
			dst = appendRune(dst, gsmBasic[c])
			continue
		}
		if i+1 == len(septets) {
			pr.TrailingEsc = true
			dst = append(dst, ' ')
			break
		}
		i++
		n := septets[i] & 0x7F
		if r, ok := gsmExtension(n); ok {
			dst = appendRune(dst, r)
		} else {
			pr.BadEscape++
			dst = appendRune(dst, gsmBasic[n]) // ref §9.4: show the basic character
		}
	}
	return dst, pr
}

// UnpackSeptets expands packed GSM 7-bit octets into one septet per octet.
// fillBits is the number of padding bits before the first septet (after a
// UDH, ref §9.5); n, when non-negative, caps the number of septets.
func UnpackSeptets(dst, packed []byte, fillBits, n int) []byte {
	fillBits = max(fillBits, 0) // a negative count would index before packed
	total := (len(packed)*8 - fillBits) / 7
	if n >= 0 && n < total {
		total = n
	}
	for i := 0; i < total; i++ {
		bit := fillBits + 7*i
		byteIdx, shift := bit/8, uint(bit%8)
		v := uint16(packed[byteIdx]) >> shift
		if shift > 1 && byteIdx+1 < len(packed) {
			v |= uint16(packed[byteIdx+1]) << (8 - shift)
		}
		dst = append(dst, byte(v&0x7F))
	}
	return dst
}

// PackSeptets packs septets (values 0–127) into GSM 7-bit octets.
func PackSeptets(dst, septets []byte) []byte {
	var acc uint32
	var bits uint
	for _, s := range septets {
		acc |= uint32(s&0x7F) << bits
		bits += 7
		for bits >= 8 {
			dst = append(dst, byte(acc))
			acc >>= 8
			bits -= 8
		}
	}
	if bits > 0 {
		dst = append(dst, byte(acc))
	}
	return dst
}

// EncodeGSM7 converts text to unpacked GSM 7-bit septets, using the
// extension table where needed. ok is false when a character has no GSM
// representation (it is replaced by '?').
func EncodeGSM7(dst []byte, s string) ([]byte, bool) {
	ok := true
outer:
	for _, r := range s {
		for i, b := range gsmBasic {
			if b == r && i != 0x1B {
				dst = append(dst, byte(i))
				continue outer
			}
		}
		for c := 0; c < 128; c++ {
			if e, found := gsmExtension(byte(c)); found && e == r && c != 0x0D && c != 0x1B {
				dst = append(dst, 0x1B, byte(c))
				continue outer
			}
		}
		ok = false
		dst = append(dst, '?')
	}
	return dst, ok
}

func appendRune(dst []byte, r rune) []byte {
	return utf8.AppendRune(dst, r)
}
