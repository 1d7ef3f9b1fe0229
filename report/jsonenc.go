package report

import (
	"strconv"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string literal. Invalid UTF-8 becomes
// U+FFFD; control characters, DEL and the line separators U+2028/U+2029 are
// escaped, so no sender-made text can break a line or drive a terminal.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\u202`...)
			dst = append(dst, hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendJSONBytes appends b, read as text, as a JSON string.
func appendJSONBytes(dst []byte, b []byte) []byte { return appendJSONString(dst, string(b)) }

// appendHexString appends b as a JSON string of lowercase hex digits.
func appendHexString(dst []byte, b []byte) []byte {
	dst = append(dst, '"')
	for _, c := range b {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return append(dst, '"')
}

// jsonObj builds one JSON object into a reused buffer, placing commas.
type jsonObj struct {
	b     []byte
	first []bool // per nesting level: nothing written yet
}

func (o *jsonObj) open(c byte) {
	o.b = append(o.b, c)
	o.first = append(o.first, true)
}

func (o *jsonObj) close(c byte) {
	o.b = append(o.b, c)
	o.first = o.first[:len(o.first)-1]
}

func (o *jsonObj) sep() {
	if n := len(o.first) - 1; n >= 0 {
		if !o.first[n] {
			o.b = append(o.b, ',')
		}
		o.first[n] = false
	}
}

func (o *jsonObj) key(k string) {
	o.sep()
	o.b = appendJSONString(o.b, k)
	o.b = append(o.b, ':')
}

func (o *jsonObj) str(k, v string) {
	o.key(k)
	o.b = appendJSONString(o.b, v)
}

func (o *jsonObj) bytesStr(k string, v []byte) {
	o.key(k)
	o.b = appendJSONBytes(o.b, v)
}

func (o *jsonObj) int(k string, v int64) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, v, 10)
}

func (o *jsonObj) uint(k string, v uint64) {
	o.key(k)
	o.b = strconv.AppendUint(o.b, v, 10)
}

func (o *jsonObj) float(k string, v float64) {
	o.key(k)
	o.b = strconv.AppendFloat(o.b, v, 'f', -1, 64)
}

func (o *jsonObj) boolean(k string, v bool) {
	o.key(k)
	o.b = strconv.AppendBool(o.b, v)
}

func (o *jsonObj) null(k string) {
	o.key(k)
	o.b = append(o.b, "null"...)
}

// elem starts an array element.
func (o *jsonObj) elem() { o.sep() }
