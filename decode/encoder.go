package decode

import (
	"encoding/binary"
	"fmt"
)

// New returns an empty PDU of command id, ready to be filled with Set* and
// AddTLV and encoded with Append. Unset fields encode as zero or NULL.
func New(id CommandID, status Status, seq uint32) *PDU {
	p := &PDU{}
	p.reset()
	p.Header = Header{ID: id, Status: uint32(status), Seq: seq}
	p.Cmd = LookupCommand(id)
	p.Version = V34
	if p.Cmd != nil && !p.Cmd.HeaderOnly {
		for range p.Cmd.Fields {
			p.Values = append(p.Values, Value{Present: true})
		}
	}
	return p
}

func (p *PDU) slot(id FieldID) *Value {
	if p.Cmd == nil {
		return nil
	}
	i := p.Cmd.Field(id)
	if i < 0 || i >= len(p.Values) {
		return nil
	}
	return &p.Values[i]
}

// SetInt sets an integer field; fields the command lacks are ignored.
func (p *PDU) SetInt(id FieldID, v uint32) *PDU {
	if s := p.slot(id); s != nil {
		s.Int, s.Present = v, true
	}
	return p
}

// SetString sets a C-string field.
func (p *PDU) SetString(id FieldID, v string) *PDU { return p.SetBytes(id, []byte(v)) }

// SetBytes sets a C-string or octet-string field.
func (p *PDU) SetBytes(id FieldID, v []byte) *PDU {
	if s := p.slot(id); s != nil {
		s.Bytes, s.Present = v, true
		p.heldBytes |= 1 << p.Cmd.Field(id) // a later Decode into p clears it
	}
	return p
}

// AddTLV appends a TLV with a raw value.
func (p *PDU) AddTLV(tag uint16, value []byte) *PDU {
	p.TLVs = append(p.TLVs, TLV{Tag: tag, Def: LookupTLV(tag), Value: value})
	return p
}

// AddTLVInt appends an integer TLV of the width its definition gives (1, 2
// or 4 octets; 1 for unknown tags).
func (p *PDU) AddTLVInt(tag uint16, v uint32) *PDU {
	width := 1
	if d := LookupTLV(tag); d != nil {
		switch d.Type {
		case TLVU16:
			width = 2
		case TLVU32:
			width = 4
		}
	}
	b := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return p.AddTLV(tag, b)
}

// AddTLVString appends a C-string TLV (the NUL is added).
func (p *PDU) AddTLVString(tag uint16, s string) *PDU {
	return p.AddTLV(tag, append([]byte(s), 0))
}

// EncodeOptions control encoding.
type EncodeOptions struct {
	// FixLengths computes command_length, sm_length, number_of_dests,
	// no_unsuccess and number_msgs from the data; without it the values in
	// the PDU are written as they are, so tests can build PDUs that lie.
	FixLengths bool
}

// Marshal encodes p with FixLengths.
func (p *PDU) Marshal() ([]byte, error) { return p.Append(nil, EncodeOptions{FixLengths: true}) }

// Append appends the wire form of p to dst. It is the inverse of Decode: for
// every PDU that decodes without structural errors, encoding the decoded PDU
// reproduces its bytes.
func (p *PDU) Append(dst []byte, o EncodeOptions) ([]byte, error) {
	start := len(dst)
	dst = AppendHeader(dst, p.Header)
	c := p.Cmd
	if c == nil {
		c = LookupCommand(p.ID)
	}
	if c == nil {
		if len(p.Raw) > HeaderLen {
			dst = append(dst, p.Raw[HeaderLen:]...)
		}
		return p.finish(dst, start, o), nil
	}
	if c.HeaderOnly && len(p.Raw) > HeaderLen {
		// A decoded header-only PDU that had a body (HDR-15) keeps it.
		dst = append(dst, p.Raw[HeaderLen:]...)
	}
	if !c.HeaderOnly && len(p.Values) > 0 {
		var err error
		if dst, err = p.appendFields(dst, c, o); err != nil {
			return dst[:start], err
		}
	}
	for _, t := range p.TLVs {
		if len(t.Value) > 0xFFFF {
			return dst[:start], fmt.Errorf("decode: encode %s: TLV %s value of %d octets exceeds 65535", c.Name, t.Name(), len(t.Value))
		}
		dst = binary.BigEndian.AppendUint16(dst, t.Tag)
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(t.Value)))
		dst = append(dst, t.Value...)
	}
	return p.finish(dst, start, o), nil
}

func (p *PDU) finish(dst []byte, start int, o EncodeOptions) []byte {
	if o.FixLengths {
		binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start))
	}
	return dst
}

func (p *PDU) appendFields(dst []byte, c *Command, o EncodeOptions) ([]byte, error) {
	val := func(i int) Value {
		if i < len(p.Values) {
			return p.Values[i]
		}
		return Value{}
	}
	// An error response decoded without a body encodes without one.
	if c.IsResponse() && p.Status != 0 && !val(0).Present {
		return dst, nil
	}
	for i := range c.Fields {
		f := &c.Fields[i]
		v := val(i)
		if !v.Present {
			break // the decoded body ended here
		}
		if o.FixLengths {
			v.Int = p.fixedCount(c, f, v.Int)
		}
		switch f.Kind {
		case KindU8:
			dst = append(dst, byte(v.Int))
		case KindU32:
			dst = binary.BigEndian.AppendUint32(dst, v.Int)
		case KindCString, KindTime:
			if err := checkNoNUL(c, f, v.Bytes); err != nil {
				return dst, err
			}
			dst = append(append(dst, v.Bytes...), 0)
		case KindOctets:
			dst = append(dst, v.Bytes...)
		case KindDestList:
			for _, d := range p.Dests {
				dst = append(dst, d.Flag)
				if d.Flag != 2 {
					dst = append(dst, d.TON, d.NPI)
				}
				dst = append(append(dst, d.Addr...), 0)
			}
		case KindUnsuccess:
			for _, u := range p.Unsuccess {
				dst = append(dst, u.TON, u.NPI)
				dst = append(append(dst, u.Addr...), 0)
				dst = binary.BigEndian.AppendUint32(dst, uint32(u.Status))
			}
		case KindIDList:
			for _, id := range p.MessageIDs {
				dst = append(append(dst, id...), 0)
			}
		}
	}
	return dst, nil
}

// fixedCount returns the value a length or count field must have.
func (p *PDU) fixedCount(c *Command, f *Field, cur uint32) uint32 {
	for j := range c.Fields {
		g := &c.Fields[j]
		if g.Count != f.ID {
			continue
		}
		switch g.Kind {
		case KindOctets:
			if j < len(p.Values) {
				return uint32(len(p.Values[j].Bytes))
			}
		case KindDestList:
			return uint32(len(p.Dests))
		case KindUnsuccess:
			return uint32(len(p.Unsuccess))
		case KindIDList:
			return uint32(len(p.MessageIDs))
		}
	}
	return cur
}

func checkNoNUL(c *Command, f *Field, b []byte) error {
	for _, x := range b {
		if x == 0 {
			return fmt.Errorf("decode: encode %s: %s contains a NUL", c.Name, f.Name())
		}
	}
	return nil
}
