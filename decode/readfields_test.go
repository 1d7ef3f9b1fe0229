package decode

import (
	"encoding/binary"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// readFieldsRef is readFields as it was before the cursor moved into a local
// and C-strings were read in its loop: a plain walk that calls cstringField
// or field for every field but the one-octet ones. TestReadFieldsDifferential
// decodes with both and requires the same result.
func (d *bodyDecoder) readFieldsRef() {
	p, c := d.p, d.p.Cmd
	if c.IsResponse() && p.Status != 0 && d.r.remaining() == 0 {
		return // error responses may omit the body (ref §1.7)
	}
	fields := c.Fields
	vals := p.Values[:len(fields)]
	quiet := c.quietFor(p.Version)
	if len(quiet) != len(fields) {
		quiet = nil // not known: every one-octet field is checked
	}
	b := d.r.b
	for i := range fields {
		f, v := &fields[i], &vals[i]
		if off := d.r.off; f.Kind == KindU8 && off < len(b) {
			// The commonest kind, read without a call.
			x := b[off]
			v.set(uint32(x), HeaderLen+off, 1)
			d.r.off = off + 1
			d.filled = i + 1
			if quiet == nil || !quiet[i].has(x) {
				d.check |= 1 << i
			}
			continue
		}
		if d.r.remaining() == 0 && f.minSize() > 0 {
			if c.IsResponse() && p.Status != 0 {
				return
			}
			d.stopped = true
			if d.quiet() {
				return
			}
			p.issue(SevError, CodeBodyTruncated, f.Name(), d.off(), "body ends before mandatory field %s", f.Name())
			return
		}
		d.filled = i + 1
		var ok, raise bool
		if f.Kind == KindCString || f.Kind == KindTime {
			ok, raise = d.cstringField(v, f)
		} else {
			ok = d.field(v, f)
			raise = v.Present && mayRaise(f)
		}
		if raise {
			d.check |= 1 << i
		}
		if !ok {
			d.stopped = true
			return
		}
	}
}

// tlvsRef is tlvs as it was before the cursor moved into a local: a walk
// with the reader's calls. TestReadFieldsDifferential decodes with both.
func (d *bodyDecoder) tlvsRef() {
	if d.stopped {
		return
	}
	p := d.p
	for d.r.remaining() > 0 {
		at := d.off()
		if d.r.remaining() < 4 {
			if d.incomplete {
				return
			}
			p.issue(SevError, CodeTrailingOctets, "", at, "%d stray octets after the last field (a TLV needs at least 4)", d.r.remaining())
			return
		}
		tag, _ := d.r.u16()
		n, _ := d.r.u16()
		val, ok := d.r.octets(int(n))
		t := TLV{Tag: tag, Def: LookupTLV(tag), Value: val, Off: at}
		p.TLVs = append(p.TLVs, t)
		if !ok {
			if t.Def != nil { // the last TLV read: seen holds every defined tag of p.TLVs
				d.seen.add(t.Def)
			}
			if d.incomplete {
				return
			}
			p.issue(SevError, CodeTLVOverrun, t.Name(), at, "TLV length %d runs past the PDU (%d octets left)", n, len(val))
			return
		}
		d.checkTLV(&p.TLVs[len(p.TLVs)-1])
	}
}

// decodeWith is decodePDU on a new PDU, reading the mandatory fields with
// read and the TLVs with tlvs. TestReadFieldsDifferential checks that it
// matches Decode with readFields and tlvs, so that it cannot drift from
// decodePDU unnoticed.
func decodeWith(b []byte, o Options, read, tlvs func(*bodyDecoder)) (*PDU, bodyDecoder) {
	p := &PDU{}
	p.reset()
	p.opts = o
	p.Version = o.Version.Normalize()
	p.Raw = b
	if len(b) < HeaderLen {
		p.issue(SevInfo, CodeIncomplete, "", 0, "only %d octets of the 16-octet header", len(b))
		return p, bodyDecoder{}
	}
	p.Header, _ = ReadHeader(b)
	if p.Length >= HeaderLen && int(p.Length) < len(b) {
		p.Raw = b[:p.Length]
	}
	body, ok := p.checkHeader(b, o)
	if !ok {
		return p, bodyDecoder{}
	}
	var d bodyDecoder
	d.p, d.r.b, d.incomplete = p, body, int(p.Length) > len(b)
	c := p.Cmd
	minLen := c.MinLen
	if c.IsResponse() && p.Status == 0 {
		minLen = HeaderLen + c.MinBody
	}
	if int(p.Length) < minLen {
		p.issue(SevError, CodeBodyTruncated, "command_length", 0, "command_length %d is below the %d octets of the smallest %s", p.Length, minLen, c.Name)
		d.short = true
	}
	n := len(c.Fields)
	p.Values = p.Values[:n]
	read(&d)
	clear(p.Values[d.filled:])
	tlvs(&d)
	d.validate()
	if p.Cmd.sliceFields() != 0 {
		p.heldBytes = p.Cmd.sliceFields() & (1<<n - 1)
	}
	return p, d
}

// eachDifferentialInput calls fn with the corpus and the bulk benchmark
// PDUs of at most 300 octets, each cut at every length (with command_length
// kept, and set to the cut) and with every body octet replaced by values
// that end, stretch or spoil fields: NUL, a letter and 0xFF (non-printable
// and a large count). fn must not keep its argument.
func eachDifferentialInput(t *testing.T, fn func([]byte)) {
	seeds := append(corpus(t), benchBulkSubmitSM(), benchBulkSubmitSMResp(), benchBulkReceipt(), benchBulkDeliverSMResp())
	var m []byte
	for _, b := range seeds {
		if len(b) > 300 {
			continue
		}
		for n := range len(b) + 1 {
			fn(b[:n])
			if n >= HeaderLen {
				m = append(m[:0], b[:n]...)
				binary.BigEndian.PutUint32(m, uint32(n))
				fn(m)
			}
		}
		for i := HeaderLen; i < len(b); i++ {
			for _, x := range []byte{0x00, 0x41, 0xFF} {
				if b[i] != x {
					m = append(m[:0], b...)
					m[i] = x
					fn(m)
				}
			}
		}
	}
}

// TestReadFieldsDifferential decodes many generated and mutated PDUs of
// every command under every version with readFields and tlvs and with
// readFieldsRef and tlvsRef, and requires every Value, issue, TLV and decoder state to
// be the same.
func TestReadFieldsDifferential(t *testing.T) {
	seen := map[Code]int{}
	inputs, checked, stopped := 0, 0, 0
	eachDifferentialInput(t, func(b []byte) {
		inputs++
		for _, v := range []Version{0, V33, V34, V50} {
			o := Options{Version: v}
			want, wd := decodeWith(b, o, (*bodyDecoder).readFieldsRef, (*bodyDecoder).tlvsRef)
			got, gd := decodeWith(b, o, (*bodyDecoder).readFields, (*bodyDecoder).tlvs)
			if !reflect.DeepEqual(Decode(b, o), got) {
				t.Fatalf("decodeWith differs from Decode: % x %v", b, v)
			}
			require.Equal(t, want, got, "% x %v", b, v)
			wd.p, gd.p = nil, nil
			require.Equal(t, wd, gd, "% x %v", b, v)
			for _, is := range got.Issues {
				seen[is.Code]++
			}
			if gd.check != 0 {
				checked++
			}
			if gd.stopped {
				stopped++
			}
		}
	})
	// The inputs reach the paths readFields takes apart from the plain one.
	for _, c := range []Code{CodeBodyTruncated, CodeCStringNoNUL, CodeCStringTooLong, CodeNonPrintable, CodeSMLengthOverrun, CodeTLVOverrun, CodeTrailingOctets} {
		require.NotZero(t, seen[c], "no input raised %s", c)
	}
	require.NotZero(t, checked)
	require.NotZero(t, stopped)
	t.Logf("%d inputs, %d decodes with fields to check, %d stopped", inputs, checked, stopped)
}
