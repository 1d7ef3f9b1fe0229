package decode

import "fmt"

// Version is an SMPP interface version as carried in interface_version and
// sc_interface_version (ref §3.8.1): the major and minor digits as nibbles.
type Version uint8

// The versions this codec knows. Any value up to 0x33 means "v3.3 or earlier".
const (
	V33 Version = 0x33
	V34 Version = 0x34
	V50 Version = 0x50
)

// Normalize maps an interface_version byte to the version whose rules
// apply: up to 0x33 is v3.3, 0x34 is v3.4, 0x50 and above is v5.0, and any
// other reserved value falls back to v3.4, as ref §12 suggests for unknown.
func (v Version) Normalize() Version {
	switch {
	case v == 0:
		return V34
	case v <= V33:
		return V33
	case v >= V50:
		return V50
	default:
		return V34
	}
}

func (v Version) String() string { return fmt.Sprintf("%d.%d", v>>4, v&0x0f) }
