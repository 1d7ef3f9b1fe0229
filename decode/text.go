package decode

import (
	"encoding/hex"
	"unicode/utf16"
	"unicode/utf8"
)

// Alphabet is how a data_coding value says the user data is written.
type Alphabet uint8

// Alphabets (ref §9.1, §9.2).
const (
	AlphaGSM7 Alphabet = iota + 1
	AlphaASCII
	AlphaLatin1
	AlphaCyrillic // ISO-8859-5
	AlphaHebrew   // ISO-8859-8
	AlphaUCS2
	AlphaBinary
	AlphaOpaque // JIS, pictogram, Korean...: no decoder, shown as hex
)

var alphabetNames = [...]string{AlphaGSM7: "gsm7", AlphaASCII: "ascii", AlphaLatin1: "latin1",
	AlphaCyrillic: "iso-8859-5", AlphaHebrew: "iso-8859-8", AlphaUCS2: "ucs2", AlphaBinary: "binary", AlphaOpaque: "opaque"}

func (a Alphabet) String() string {
	if int(a) < len(alphabetNames) && alphabetNames[a] != "" {
		return alphabetNames[a]
	}
	return "unknown"
}

// DCS is a decoded data_coding value.
type DCS struct {
	Value      uint8
	Alphabet   Alphabet
	Class      int  // message class 0–3, or -1 when none is given (ref §9.2)
	MWI        bool // message-waiting indication group (0xC0–0xEF)
	MWIActive  bool
	MWIType    uint8 // 0 voicemail, 1 fax, 2 e-mail, 3 other
	Compressed bool
	AutoDelete bool
	Reserved   bool // a value the SMPP table and GSM 03.38 leave reserved (VAL-10)
}

// ParseDCS interprets data_coding: the SMPP table for 0x00–0x0F and the GSM
// 03.38 coding groups above (ref §9.1, §9.2).
func ParseDCS(v uint8) DCS { return dcsTable[v] }

// dcsTable holds parseDCS of every octet: the validator asks for the
// data_coding of nearly every message. Built at package initialisation,
// never modified.
var dcsTable = func() (t [256]DCS) {
	for v := range t {
		t[v] = parseDCS(uint8(v))
	}
	return t
}()

// parseDCS computes ParseDCS(v).
func parseDCS(v uint8) DCS {
	d := DCS{Value: v, Class: -1}
	if v < 0x10 {
		switch v {
		case 0x00:
			d.Alphabet = AlphaGSM7
		case 0x01:
			d.Alphabet = AlphaASCII
		case 0x02, 0x04:
			d.Alphabet = AlphaBinary
		case 0x03:
			d.Alphabet = AlphaLatin1
		case 0x06:
			d.Alphabet = AlphaCyrillic
		case 0x07:
			d.Alphabet = AlphaHebrew
		case 0x08:
			d.Alphabet = AlphaUCS2
		case 0x0B, 0x0C, 0x0F:
			d.Alphabet, d.Reserved = AlphaBinary, true
		default:
			d.Alphabet = AlphaOpaque
		}
		return d
	}
	switch v >> 4 {
	case 0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7: // general data coding
		d.Compressed = v&0x20 != 0
		d.AutoDelete = v&0x40 != 0
		if v&0x10 != 0 {
			d.Class = int(v & 0x03)
		}
		switch (v >> 2) & 0x03 {
		case 0:
			d.Alphabet = AlphaGSM7
		case 1:
			d.Alphabet = AlphaBinary
		case 2:
			d.Alphabet = AlphaUCS2
		default:
			d.Alphabet, d.Reserved = AlphaBinary, true
		}
		if d.Compressed {
			d.Alphabet = AlphaBinary
		}
	case 0xC, 0xD, 0xE:
		d.MWI, d.MWIActive, d.MWIType = true, v&0x08 != 0, v&0x03
		d.Alphabet = AlphaGSM7
		if v>>4 == 0xE {
			d.Alphabet = AlphaUCS2
		}
	case 0xF:
		d.Class = int(v & 0x03)
		d.Alphabet = AlphaGSM7
		if v&0x04 != 0 {
			d.Alphabet = AlphaBinary
		}
		d.Reserved = v&0x08 != 0
	default: // 0x80–0xBF reserved coding groups
		d.Alphabet, d.Reserved = AlphaBinary, true
	}
	return d
}

// Text is user data rendered for people.
type Text struct {
	Encoding string // "gsm7", "gsm7-packed", "ascii", "latin1", "iso-8859-5", "iso-8859-8", "ucs2", "binary" (hex), ...
	Text     string // UTF-8 text, or lowercase hex for binary and opaque data
	Hex      bool   // Text is hex
	// Problems found while decoding (UD-04…UD-07).
	GSM           GSMProblems
	OddUCS2       bool
	BadSurrogates int
}

// DecodeText renders user data (after any UDH) written in the alphabet of
// dcs. For the default alphabet it detects packed GSM 7-bit: unpacked text
// never has the high bit set, so octets ≥ 0x80 mean packed septets when
// unpacking them yields printable text.
func DecodeText(dcs DCS, ud []byte) Text {
	switch dcs.Alphabet {
	case AlphaGSM7:
		if hasHighBit(ud) {
			if septets := UnpackSeptets(nil, ud, 0, -1); printableGSM(septets) {
				s, pr := DecodeGSM7(nil, septets)
				return Text{Encoding: "gsm7-packed", Text: string(s), GSM: pr}
			}
		}
		s, pr := DecodeGSM7(make([]byte, 0, len(ud)), ud)
		return Text{Encoding: "gsm7", Text: string(s), GSM: pr}
	case AlphaASCII:
		return Text{Encoding: "ascii", Text: decodeSingleByte(ud, nil)}
	case AlphaLatin1:
		return Text{Encoding: "latin1", Text: decodeSingleByte(ud, nil)}
	case AlphaCyrillic:
		return Text{Encoding: "iso-8859-5", Text: decodeSingleByte(ud, cyrillicHigh)}
	case AlphaHebrew:
		return Text{Encoding: "iso-8859-8", Text: decodeSingleByte(ud, hebrewHigh)}
	case AlphaUCS2:
		return decodeUCS2(ud)
	case AlphaOpaque:
		return Text{Encoding: "opaque", Text: hex.EncodeToString(ud), Hex: true}
	}
	return Text{Encoding: "binary", Text: hex.EncodeToString(ud), Hex: true}
}

func hasHighBit(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// printableGSM reports whether septets look like text: letters, digits,
// punctuation and spaces, with few control codes.
func printableGSM(septets []byte) bool {
	if len(septets) == 0 {
		return false
	}
	odd := 0
	for _, s := range septets {
		if s < 0x20 && s != '\n' && s != '\r' && s != 0x1B && s != 0x11 {
			odd++
		}
	}
	return odd*10 <= len(septets)
}

// decodeSingleByte maps octets below 0xA0 as Latin-1 and octets from 0xA0
// through high (when given) for the ISO-8859 variants.
func decodeSingleByte(b []byte, high func(byte) rune) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		r := rune(c)
		if c >= 0xA0 && high != nil {
			r = high(c)
		}
		out = utf8.AppendRune(out, r)
	}
	return string(out)
}

// cyrillicHigh maps ISO-8859-5 octets 0xA0–0xFF.
func cyrillicHigh(c byte) rune {
	switch {
	case c == 0xA0, c == 0xAD:
		return rune(c)
	case c == 0xF0:
		return '№'
	case c == 0xFD:
		return '§'
	case c <= 0xAC:
		return 0x0401 + rune(c-0xA1)
	case c <= 0xEF:
		return 0x040E + rune(c-0xAE)
	default:
		return 0x0451 + rune(c-0xF1)
	}
}

// hebrewHigh maps ISO-8859-8 octets 0xA0–0xFF; undefined ones become U+FFFD.
func hebrewHigh(c byte) rune {
	switch {
	case c == 0xAA:
		return '×'
	case c == 0xBA:
		return '÷'
	case c == 0xA1, c >= 0xBF && c <= 0xDE, c == 0xFB, c == 0xFC, c == 0xFF:
		return utf8.RuneError
	case c <= 0xBE:
		return rune(c)
	case c == 0xDF:
		return 0x2017
	case c >= 0xE0 && c <= 0xFA:
		return 0x05D0 + rune(c-0xE0)
	case c == 0xFD:
		return 0x200E
	default:
		return 0x200F
	}
}

// decodeUCS2 decodes big-endian UTF-16 (UCS2 with surrogate pairs in
// practice, ref §9.6), counting unpaired surrogates (shown as U+FFFD) and an
// odd length (the last octet is ignored).
func decodeUCS2(b []byte) Text {
	t := Text{Encoding: "ucs2", OddUCS2: len(b)%2 != 0}
	out := make([]byte, 0, len(b)+len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u := rune(b[i])<<8 | rune(b[i+1])
		switch {
		case !utf16.IsSurrogate(u):
		case u < 0xDC00 && i+3 < len(b) && b[i+2]&0xFC == 0xDC:
			u = utf16.DecodeRune(u, rune(b[i+2])<<8|rune(b[i+3]))
			i += 2
		default:
			t.BadSurrogates++
			u = utf8.RuneError
		}
		out = utf8.AppendRune(out, u)
	}
	t.Text = string(out)
	return t
}
