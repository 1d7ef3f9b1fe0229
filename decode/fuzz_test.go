package decode

import (
	"bytes"
	"testing"
	"unsafe"
)

// within reports whether s lies inside b (aliases it, no copy).
func within(b, s []byte) bool {
	if len(s) == 0 {
		return true
	}
	if len(b) == 0 {
		return false
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	return p >= lo && p+uintptr(len(s)) <= lo+uintptr(len(b))
}

// at reports whether s starts exactly at b[off] and cannot be extended past
// its own length (3-index slices).
func at(b, s []byte, off int) bool {
	if len(s) == 0 {
		return true
	}
	return off >= 0 && off < len(b) && unsafe.SliceData(s) == &b[off] && cap(s) == len(s)
}

// checkDecoded verifies the invariants FuzzDecode requires of one decode.
func checkDecoded(t *testing.T, b []byte, o Options) {
	p := Decode(b, o)
	for i, v := range p.Values {
		if v.Present && (v.Off < HeaderLen || v.Off+v.Len > len(b) || !at(b, v.Bytes, v.Off)) {
			t.Fatalf("value %d (off %d len %d) is outside the input", i, v.Off, v.Len)
		}
	}
	for _, tl := range p.TLVs {
		if !at(b, tl.Value, tl.Off+4) || tl.Off+4+len(tl.Value) > len(b) {
			t.Fatalf("TLV 0x%04x at %d is outside the input", tl.Tag, tl.Off)
		}
	}
	for _, d := range p.Dests {
		if !within(b, d.Addr) || d.Off < HeaderLen || d.Off >= len(b) {
			t.Fatalf("dest at %d is outside the input", d.Off)
		}
	}
	for _, u := range p.Unsuccess {
		if !at(b, u.Addr, u.Off+2) {
			t.Fatalf("unsuccess_sme at %d is outside the input", u.Off)
		}
	}
	for _, id := range p.MessageIDs {
		if !within(b, id) {
			t.Fatal("message id outside the input")
		}
	}
	for _, is := range p.Issues {
		if is.Offset < 0 || is.Offset > len(b) || is.Code == "" || is.Severity < SevInfo || is.Severity > SevError {
			t.Fatalf("bad issue %v", is)
		}
	}
	// Exercise the accessors that walk the user data.
	_, _, _ = p.SplitUserData()
	_ = p.Text()
	_, _ = p.Segment()
	checkReceiptStatus(t, p, b, o)

	if p.MaxSeverity() >= SevError || len(b) < HeaderLen || int(p.Length) > len(b) {
		return
	}
	out, err := p.Append(nil, EncodeOptions{})
	if err != nil {
		t.Fatalf("re-encode: %v", err)
	}
	if want := b[:p.Length]; !bytes.Equal(out, want) {
		t.Fatalf("re-encode differs:\n in % x\nout % x\nissues %v", want, out, p.Issues)
	}
	q := Decode(out, o)
	if len(q.Issues) != len(p.Issues) {
		t.Fatalf("issues differ after re-encode: %v / %v", p.Issues, q.Issues)
	}
	for i := range q.Issues {
		if q.Issues[i] != p.Issues[i] {
			t.Fatalf("issue %d differs: %v / %v", i, p.Issues[i], q.Issues[i])
		}
	}
}

// FuzzDecode decodes arbitrary bytes under every version: no panic, every
// slice aliases the input, and a PDU without errors re-encodes to itself.
func FuzzDecode(f *testing.F) {
	for _, b := range corpus(f) {
		if len(b) <= 1024 { // huge seeds make the mutator crawl
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, v := range []Version{0, V33, V34, V50} {
			checkDecoded(t, b, Options{Version: v})
		}
	})
}

// TestReceiptInvalidUTF8 was found by FuzzDecode: bytes.ToLower turned each
// invalid octet into a 3-octet U+FFFD, so label offsets found in the
// lower-cased copy ran past the receipt text.
func TestReceiptInvalidUTF8(t *testing.T) {
	r, ok := ParseReceipt([]byte("done dAte:\xb0\xb0\xb0 stAt:"))
	if ok || r.DoneDate != "\xb0\xb0\xb0" || r.Stat != "" { // neither id: nor stat: has a value
		t.Fatalf("got %+v, %v", r, ok)
	}
	b := []byte("0000\x00\x00\x00\x0500000000\x0000\x0000\x00a00\x00\x0000000done dAte:\xb0\xb0\xb0 stAt:")
	for _, v := range []Version{0, V33, V34, V50} {
		checkDecoded(t, b, Options{Version: v})
	}
}

// checkReceiptStatus checks that ReceiptStatus, called before or after
// Receipt, gives the id, stat and err that Receipt gives, that the id lies
// in the input, and that Receipt agrees with ParseReceipt of the user data.
func checkReceiptStatus(t *testing.T, p *PDU, b []byte, o Options) {
	t.Helper()
	rc, ok := p.Receipt()
	id, stat, errv, ok2 := p.ReceiptStatus()
	q := Decode(b, o)
	id3, stat3, err3, ok3 := q.ReceiptStatus()
	rc4, ok4 := q.Receipt()
	if ok != ok2 || ok != ok3 || ok != ok4 || rc != rc4 {
		t.Fatalf("Receipt %v %+v, ReceiptStatus %v / %v before it, then Receipt %v %+v", ok, rc, ok2, ok3, ok4, rc4)
	}
	for _, s := range []struct {
		id         []byte
		stat, errv string
	}{{id, stat, errv}, {id3, stat3, err3}} {
		if string(s.id) != rc.ID || s.stat != rc.Stat || s.errv != rc.Err {
			t.Fatalf("ReceiptStatus %q %q %q, Receipt %q %q %q", s.id, s.stat, s.errv, rc.ID, rc.Stat, rc.Err)
		}
		if len(s.id) > 0 && !within(b, s.id) {
			t.Fatal("receipt id outside the input")
		}
	}
	if ok {
		ud, _ := p.UserData()
		if want, wok := ParseReceipt(ud); !wok || want != rc {
			t.Fatalf("Receipt %+v, ParseReceipt %v %+v", rc, wok, want)
		}
	} else if rc != (Receipt{}) {
		t.Fatalf("Receipt not ok but %+v", rc)
	}
}
