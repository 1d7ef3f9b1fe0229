package report

import (
	"strconv"
	"unicode/utf8"

	"smppdump.dev/smppdump/decode"
)

// isAddrField reports whether a field holds a subscriber or ESME address.
func isAddrField(id decode.FieldID) bool {
	switch id {
	case decode.FieldSourceAddr, decode.FieldDestinationAddr, decode.FieldESMEAddr, decode.FieldAddressRange:
		return true
	}
	return false
}

// redactAddr masks all but the last three characters of an address.
func redactAddr(s string, o options) string {
	if !o.redactAddr || s == "" {
		return s
	}
	n := utf8.RuneCountInString(s)
	if n <= 3 {
		return "***"
	}
	b := make([]byte, 0, len(s))
	i := 0
	for _, r := range s {
		if i < n-3 {
			b = append(b, '*')
		} else {
			b = utf8.AppendRune(b, r)
		}
		i++
	}
	return string(b)
}

// redactText replaces message text with its length.
func redactText(s string, o options) string {
	if !o.redactText {
		return s
	}
	return "[" + strconv.Itoa(utf8.RuneCountInString(s)) + " characters redacted]"
}
