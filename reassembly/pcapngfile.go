package reassembly

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// pcapng block types.
const (
	ngBlockSHB          = 0x0A0D0D0A
	ngBlockIDB          = 1
	ngBlockOPB          = 2
	ngBlockSPB          = 3
	ngBlockNRB          = 4
	ngBlockISB          = 5
	ngBlockEPB          = 6
	ngBlockDSB          = 10
	ngBlockCustom       = 0x00000BAD
	ngBlockCustomNoCopy = 0x40000BAD
	ngByteOrderMagic    = 0x1A2B3C4D
)

// ngMinLen returns the least total length of a block of type typ, and
// whether the type is one of the specification's.
func ngMinLen(typ uint32) (int, bool) {
	switch typ {
	case ngBlockSHB:
		return 28, true
	case ngBlockIDB:
		return 20, true
	case ngBlockOPB, ngBlockEPB:
		return 32, true
	case ngBlockSPB:
		return 16, true
	case ngBlockISB:
		return 24, true
	case ngBlockNRB, ngBlockDSB, ngBlockCustom, ngBlockCustomNoCopy:
		return 12, true
	}
	return 12, false
}

// ngIface is an interface description: its link type and how its
// timestamps convert (as pcapgo converts them).
type ngIface struct {
	link     layers.LinkType
	snaplen  uint32
	units    uint64 // timestamp units per second
	up, down uint64 // nanoseconds per unit: up/down
	offset   uint64 // if_tsoffset, seconds
}

func (i *ngIface) time(ts uint64) time.Time {
	return time.Unix(int64(ts/i.units+i.offset), int64(ts%i.units*i.up/i.down)).UTC()
}

// setResolution applies an if_tsresol value; one that cannot be converted
// leaves microseconds.
func (i *ngIface) setResolution(r byte) {
	exp := uint64(r & 0x7f)
	switch {
	case r == 0 || exp > 63:
		i.units = 1e6
	case r&0x80 != 0:
		i.units = 1 << exp
	default:
		i.units = 1
		for range exp {
			i.units *= 10
		}
	}
	i.up, i.down = 1, 1
	if i.units < 1e9 {
		i.up = 1e9 / i.units
	} else {
		i.down = i.units / 1e9
	}
}

// ngReader reads a pcapng file. Only what reading packets needs is
// interpreted: section headers (byte order, version), interface
// descriptions (link type, timestamp resolution and offset) and the three
// packet blocks; other blocks are skipped whole.
type ngReader struct {
	la     lookahead
	be     bool // the current section is big-endian
	skip   bool // the current section's version is unknown: its blocks are skipped
	ifaces []ngIface
	ancil  [1]any          // ci.AncillaryData: the packet's link type
	first  layers.LinkType // the first interface's link type
	sizes  recordStats
	damage fileDamage
	taken  fileDamage // what damaged returned last
}

// newNgReader checks the section header block that r starts with.
func newNgReader(name string, r io.Reader) (*ngReader, error) {
	p := &ngReader{la: lookahead{r: r}}
	b := p.la.peek(12)
	if len(b) < 12 {
		if _, err := p.la.ended(); err != nil {
			return nil, fmt.Errorf("reassembly: %s: %w", name, err)
		}
		return nil, fmt.Errorf("%s: %w: pcapng: section header of %d bytes", name, ErrFormat, len(b))
	}
	switch {
	case binary.LittleEndian.Uint32(b[8:]) == ngByteOrderMagic:
	case binary.BigEndian.Uint32(b[8:]) == ngByteOrderMagic:
		p.be = true
	default:
		return nil, fmt.Errorf("%s: %w: pcapng: byte-order magic %08x", name, ErrFormat, binary.LittleEndian.Uint32(b[8:]))
	}
	return p, nil
}

func (p *ngReader) u16(b []byte) uint16 {
	if p.be {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (p *ngReader) u32(b []byte) uint32 {
	if p.be {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

// blockHead reads the type and total length of the block b starts with,
// and the byte order it is in (a section header sets its own); ok is false
// when a section header's byte-order magic is wrong.
func (p *ngReader) blockHead(b []byte) (typ, length uint32, be, ok bool) {
	be = p.be
	if binary.LittleEndian.Uint32(b) == ngBlockSHB {
		switch {
		case binary.LittleEndian.Uint32(b[8:]) == ngByteOrderMagic:
			be = false
		case binary.BigEndian.Uint32(b[8:]) == ngByteOrderMagic:
			be = true
		default:
			return ngBlockSHB, 0, be, false
		}
	}
	if be {
		return binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:]), be, true
	}
	return binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:]), be, true
}

// framing checks a block's type and total length, at both its ends;
// short is set when the file ends before the block does.
func (p *ngReader) framing(at int) (typ uint32, length int, be bool, why string, short bool) {
	b := p.la.peek(at + 12)
	if len(b) < at+12 {
		if len(b) < at+8 {
			return 0, 0, false, "", true
		}
		if binary.LittleEndian.Uint32(b[at:]) == ngBlockSHB {
			return 0, 0, false, "", true
		}
	}
	typ, l, be, ok := p.blockHead(b[at:])
	if !ok {
		return typ, 0, be, fmt.Sprintf("section header with byte-order magic %08x", binary.LittleEndian.Uint32(b[at+8:])), false
	}
	least, _ := ngMinLen(typ)
	switch {
	case l%4 != 0 || int64(l) < int64(least):
		return typ, 0, be, fmt.Sprintf("block of type %#x with total length %d", typ, l), false
	case l > recordMax:
		return typ, 0, be, fmt.Sprintf("block of type %#x with total length %d, above %d", typ, l, recordMax), false
	}
	length = int(l)
	b = p.la.peek(at + length)
	if len(b) < at+length {
		return typ, length, be, "", true
	}
	end := binary.LittleEndian.Uint32(b[at+length-4:])
	if be {
		end = binary.BigEndian.Uint32(b[at+length-4:])
	}
	if end != l {
		return typ, length, be, fmt.Sprintf("block of type %#x with total length %d at its start, %d at its end", typ, l, end), false
	}
	return typ, length, be, "", false
}

// read implements recordReader.
func (p *ngReader) read(rec *record) error {
	data, err := p.next(&rec.ci)
	if err == nil {
		rec.data, rec.link = data, p.linkType(&rec.ci)
	}
	rec.damage = p.damage.take(&p.taken)
	return err
}

// next returns the next packet's data (valid until the next call) and
// sets *ci to its capture information; ci.AncillaryData[0] is its
// interface's link type. Damage skipped before it is noted in p.damage.
func (p *ngReader) next(ci *gopacket.CaptureInfo) ([]byte, error) {
	for {
		typ, n, be, why, short := p.framing(0)
		if short {
			if _, err := p.la.ended(); err != nil {
				return nil, err
			}
			rest := len(p.la.peek(1))
			if rest == 0 {
				return nil, io.EOF
			}
			// Cut inside a block, or a damaged total length that runs
			// past the end: only a valid block after it tells.
			if n == 0 || p.resync(fmt.Sprintf("block of type %#x with total length %d, past the end of the file", typ, n)) != nil {
				return nil, io.ErrUnexpectedEOF
			}
			continue
		}
		if why != "" {
			if err := p.resync(why); err != nil {
				return nil, err
			}
			continue
		}
		b := p.la.peek(n)[:n:n]
		off := p.la.off
		p.la.discard(n)
		if typ == ngBlockSHB {
			p.be = be
		}
		data, info, ok, why := p.block(typ, b)
		if why != "" { // well framed: only this block is skipped
			p.damage.note(off, int64(n), ngPackets(typ), "block", why)
			continue
		}
		if ok {
			p.sizes.add(n)
			*ci = info
			return data, nil
		}
	}
}

// block interprets one well-framed block; ok says that it is a packet.
// A block whose content contradicts its framing or the section (a packet
// longer than its block, an unknown interface) is reported in why and
// skipped.
func (p *ngReader) block(typ uint32, b []byte) (data []byte, ci gopacket.CaptureInfo, ok bool, why string) {
	body := b[8 : len(b)-4]
	if typ == ngBlockSHB {
		major, minor := p.u16(body[4:]), p.u16(body[6:])
		p.ifaces = p.ifaces[:0]
		p.skip = major != 1 || minor != 0 // pcapgo's SkipUnknownVersion
		return nil, ci, false, ""
	}
	if p.skip {
		return nil, ci, false, ""
	}
	switch typ {
	case ngBlockIDB:
		i := ngIface{link: layers.LinkType(p.u16(body)), snaplen: p.u32(body[4:])}
		i.setResolution(0)
		p.options(body[8:], func(code uint16, v []byte) {
			switch {
			case code == 9 && len(v) >= 1: // if_tsresol
				i.setResolution(v[0])
			case code == 14 && len(v) >= 8: // if_tsoffset
				if p.be {
					i.offset = binary.BigEndian.Uint64(v)
				} else {
					i.offset = binary.LittleEndian.Uint64(v)
				}
			}
		})
		p.ifaces = append(p.ifaces, i)
	case ngBlockEPB, ngBlockOPB:
		id := int64(p.u32(body))
		if typ == ngBlockOPB {
			id = int64(p.u16(body))
		}
		capLen, origLen := int64(p.u32(body[12:])), int64(p.u32(body[16:]))
		switch {
		case id >= int64(len(p.ifaces)):
			return nil, ci, false, fmt.Sprintf("packet block for interface %d, of %d described", id, len(p.ifaces))
		case capLen > int64(len(body)-20):
			return nil, ci, false, fmt.Sprintf("packet block with captured length %d in a block of %d octets", capLen, len(b))
		}
		i := &p.ifaces[id]
		ts := uint64(p.u32(body[4:]))<<32 | uint64(p.u32(body[8:]))
		p.ancil[0] = i.link
		ci = gopacket.CaptureInfo{Timestamp: i.time(ts), CaptureLength: int(capLen), Length: int(origLen), InterfaceIndex: int(id), AncillaryData: p.ancil[:]}
		return body[20 : 20+capLen : 20+capLen], ci, true, ""
	case ngBlockSPB:
		if len(p.ifaces) == 0 {
			return nil, ci, false, "simple packet block before any interface description"
		}
		i := &p.ifaces[0]
		origLen := int64(p.u32(body))
		capLen := min(origLen, int64(len(body)-4))
		if i.snaplen != 0 {
			capLen = min(capLen, int64(i.snaplen))
		}
		p.ancil[0] = i.link
		ci = gopacket.CaptureInfo{CaptureLength: int(capLen), Length: int(origLen), AncillaryData: p.ancil[:]}
		return body[4 : 4+capLen : 4+capLen], ci, true, ""
	}
	return nil, ci, false, ""
}

// options calls f for each option in b, up to the end-of-options option,
// the end of b, or an option that overruns b.
func (p *ngReader) options(b []byte, f func(code uint16, v []byte)) {
	for len(b) >= 4 {
		code, n := p.u16(b), int(p.u16(b[2:]))
		if code == 0 || 4+n > len(b) {
			return
		}
		f(code, b[4:4+n])
		b = b[min(len(b), 4+(n+3)&^3):]
	}
}

// ngPackets returns 1 for a packet block type, else 0.
func ngPackets(typ uint32) int {
	if typ == ngBlockEPB || typ == ngBlockOPB || typ == ngBlockSPB {
		return 1
	}
	return 0
}

// resync skips, from the damaged block at the current offset, to the next
// offset where a block of a known type starts whose total length is the
// same at both its ends, followed by another such block or the end of the
// file (see candidate), and notes the damage. At the end of the file it
// returns a truncation error.
func (p *ngReader) resync(why string) error {
	return resyncScan(&p.la, &p.sizes, &p.damage, resyncUnit{"block", "block", 12}, why, p.candidate, p.countPackets)
}

// countPackets returns how many packet blocks the c octets in the window
// held, the first of them damaged: well-framed blocks are counted as they
// are, and what cannot be followed is estimated from the mean packet block
// size (at least one: the damaged block).
func (p *ngReader) countPackets(c int) int {
	k, q := 0, 0
	for q < c {
		typ, n, _, why, short := p.framing(q)
		if short || why != "" || q+n > c {
			break
		}
		k += ngPackets(typ)
		q += n
	}
	if q == c {
		return max(k, 1)
	}
	return k + p.sizes.estimate(int64(c-q))
}

// candidate reports whether a plausible block starts at offset at of the
// window: a known type, a total length that is the same at both ends, a
// packet that fits its block and names a known interface, and after it
// another well-framed block of a known type or the end of the file. more
// is false when the file ends too soon for a later offset to hold one.
func (p *ngReader) candidate(at int) (ok, more bool) {
	b := p.la.peek(at + 8)
	if len(b) < at+8 {
		return false, false
	}
	if _, known := ngMinLen(p.u32(b[at:])); !known && binary.LittleEndian.Uint32(b[at:]) != ngBlockSHB {
		return false, true
	}
	typ, n, be, why, short := p.framing(at)
	if short || why != "" {
		return false, true
	}
	if typ == ngBlockEPB || typ == ngBlockOPB {
		b = p.la.peek(at + n)[at:]
		var order binary.ByteOrder = binary.LittleEndian
		if be {
			order = binary.BigEndian
		}
		id := order.Uint32(b[8:])
		if typ == ngBlockOPB {
			id = uint32(order.Uint16(b[8:]))
		}
		capLen, origLen := order.Uint32(b[20:]), order.Uint32(b[24:])
		if int64(id) >= int64(len(p.ifaces)) && !p.skip || int64(capLen) > int64(n-32) || capLen > origLen {
			return false, true
		}
	}
	if len(p.la.peek(at+n+1)) == at+n {
		return true, true // the last block of the file
	}
	next, _, _, why, short := p.framing(at + n)
	if _, known := ngMinLen(next); short || why != "" || !known {
		return false, true
	}
	return true, true
}

// linkType returns the link type of the packet whose information is ci.
func (p *ngReader) linkType(ci *gopacket.CaptureInfo) layers.LinkType {
	if len(ci.AncillaryData) > 0 {
		if lt, ok := ci.AncillaryData[0].(layers.LinkType); ok {
			return lt
		}
	}
	return p.first
}

// firstLink returns the link type of the first interface description
// among the first blocks of the file, without consuming them; 0 when there
// is none there.
func (p *ngReader) firstLink() layers.LinkType {
	at := 0
	for k := 0; k < 16; k++ {
		typ, n, be, why, short := p.framing(at)
		if short || why != "" || at+n > lookaheadMin {
			return 0
		}
		if typ == ngBlockIDB {
			b := p.la.peek(at + n)
			if be {
				return layers.LinkType(binary.BigEndian.Uint16(b[at+8:]))
			}
			return layers.LinkType(binary.LittleEndian.Uint16(b[at+8:]))
		}
		at += n
	}
	return 0
}
