package capgen

import "strings"

// Flags is a set of TCP header flags.
type Flags uint8

// TCP flags, in header bit order.
const (
	FIN Flags = 1 << iota
	SYN
	RST
	PSH
	ACK
	URG
	ECE
	CWR
)

// Has reports whether all flags in x are set in f.
func (f Flags) Has(x Flags) bool { return f&x == x }

// String renders the set like "SYN|ACK"; the empty set is "none".
func (f Flags) String() string {
	names := []struct {
		flag Flags
		name string
	}{{SYN, "SYN"}, {FIN, "FIN"}, {RST, "RST"}, {PSH, "PSH"}, {ACK, "ACK"}, {URG, "URG"}, {ECE, "ECE"}, {CWR, "CWR"}}
	var parts []string
	for _, n := range names {
		if f.Has(n.flag) {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "|")
}
