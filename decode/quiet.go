package decode

// Most fields of a busy link hold values that no check objects to, so
// readFields tells validate which fields to run checkField on (bodyDecoder.
// check), and validate skips the others.
//
// For a one-octet field, whether checkField objects depends only on the
// value, the field, the command and the version, so the quiet values are
// decided once per table row. A C-string raises nothing when it is
// printable and stringMayRaise says so; a time field, when it is NULL; the
// other kinds, when mayRaise says so.

// u8Set is a set of octet values.
type u8Set [4]uint64

func (s *u8Set) add(x uint8) { s[x/64] |= 1 << (x % 64) }

// has reports whether x is in the set.
func (s *u8Set) has(x uint8) bool { return s[x/64]&(1<<(x%64)) != 0 }

// mayRaise reports whether checkField could raise an issue on a present
// field of a kind other than one octet, C-string and time, whatever its
// value (for those, see readFields and cstringField).
func mayRaise(f *Field) bool {
	switch f.Kind {
	case KindOctets, KindDestList, KindUnsuccess, KindIDList:
		return false // checkField has no rule for them; checkEntries checks list entries
	}
	return true
}

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
// runs once, when the protocol table is indexed.
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
			if f.Kind != KindU8 {
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
