package decode

// Most one-octet fields of a busy link hold values that no check objects
// to. Which values those are depends only on the field, the command and the
// version (see checkField), so it is decided once per table row: validate
// then skips checkField for them.

// u8Set is a set of octet values.
type u8Set [4]uint64

func (s *u8Set) add(x uint8) { s[x/64] |= 1 << (x % 64) }

// has reports whether x is in the set; values above 255 never are.
func (s *u8Set) has(x uint32) bool { return x < 256 && s[x/64]&(1<<(x%64)) != 0 }

// quietVersions are the versions a decoded PDU can have (Version.Normalize).
var quietVersions = [...]Version{V33, V34, V50}

// quietFor returns, parallel to c.Fields, the values of each one-octet field
// that checkField passes without an issue under version v; nil when they
// are not known (a row outside the protocol table, an unnormalised version).
func (c *Command) quietFor(v Version) []u8Set {
	for i, qv := range quietVersions {
		if v == qv {
			return c.quiet[i]
		}
	}
	return nil
}

// buildQuiet fills c.quiet by running checkField itself on every value of
// every one-octet field, so the sets cannot disagree with the checks. It
// runs once, when the protocol table is indexed. data_coding is left out:
// its check also records the parsed value for the user-data checks.
func (c *Command) buildQuiet() {
	all := make([]u8Set, len(quietVersions)*len(c.Fields))
	p := &PDU{Cmd: c, opts: Options{Brief: true}}
	p.ID = c.ID
	d := bodyDecoder{p: p}
	for vi, ver := range quietVersions {
		sets := all[vi*len(c.Fields) : (vi+1)*len(c.Fields)]
		p.Version = ver
		for i := range c.Fields {
			f := &c.Fields[i]
			if f.Kind != KindU8 || f.ID == FieldDataCoding {
				continue
			}
			for x := range 256 {
				p.Issues, p.codeCounts = p.Issues[:0], p.codeCounts[:0]
				v := Value{Int: uint32(x), Off: HeaderLen, Len: 1, Present: true}
				d.checkField(f, &v)
				if len(p.Issues) == 0 {
					sets[i].add(uint8(x))
				}
			}
		}
		c.quiet[vi] = sets
	}
}
