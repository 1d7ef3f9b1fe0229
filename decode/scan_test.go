package decode

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// The word-at-a-time scanners must agree with the plain loops they replace
// for every octet at every position of short and word-sized inputs.

func naiveGSM(b []byte) (high, esc bool) {
	for _, c := range b {
		high = high || c >= 0x80
		esc = esc || c == 0x1B
	}
	return high, esc
}

func naivePrintable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x7F {
			return false
		}
	}
	return true
}

// naiveColons is colons of b[i:i+8] (or of the rest, as colonsTail) as a
// plain loop.
func naiveColons(b []byte, i int) uint64 { return naiveOctets(b, i, ':') }

// naiveOctets is octetsEqual of b[i:i+8] (or of the rest, as octetsTail) as
// a plain loop.
func naiveOctets(b []byte, i int, c byte) uint64 {
	var m uint64
	for k := 0; k < 8 && i+k < len(b); k++ {
		if b[i+k] == c {
			m |= 0x80 << (8 * k)
		}
	}
	return m
}

// naiveCString is reader.cstringPrintable as a plain loop; next is the offset after
// what it consumes.
func naiveCString(b []byte, max int) (s []byte, res cstrResult, printable bool, next int) {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return b, cstrNoNUL, naivePrintable(b), len(b)
	}
	if i+1 > max {
		res = cstrTooLong
	}
	return b[:i], res, naivePrintable(b[:i]), i + 1
}

func TestScannersEveryOctet(t *testing.T) {
	for _, n := range []int{1, 7, 8, 9, 16, 17, 23} {
		for pos := range n {
			for c := range 256 {
				b := bytes.Repeat([]byte{'a'}, n)
				b[pos] = byte(c)
				checkScanners(t, b)
			}
		}
	}
}

func TestScannersRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{0x00, 0x1A, 0x1B, 0x1C, 0x1F, 0x20, ' ', ':', ';', 'a', 0x7E, 0x7F, 0x80, 0x9B, 0xBA, 0xFF}
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			if r.IntN(3) == 0 {
				b[i] = byte(r.IntN(256))
			} else {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		checkScanners(t, b)
	}
}

// lastOctet returns the last octet of b, or 'a': an octet b holds, if any.
func lastOctet(b []byte) byte {
	if len(b) == 0 {
		return 'a'
	}
	return b[len(b)-1]
}

func checkScanners(t *testing.T, b []byte) {
	t.Helper()
	h1, e1 := scanGSM(b)
	if h2, e2 := naiveGSM(b); h1 != h2 || e1 != e2 {
		t.Fatalf("scanGSM(%x) = %v, %v; want %v, %v", b, h1, e1, h2, e2)
	}
	if got, want := allPrintable(b), naivePrintable(b); got != want {
		t.Fatalf("allPrintable(%x) = %v; want %v", b, got, want)
	}
	for i := range b {
		want := naiveColons(b, i)
		if len(b)-i >= 8 {
			if got := colons(binary.LittleEndian.Uint64(b[i:])); got != want {
				t.Fatalf("colons(%x) = %#x; want %#x", b[i:i+8], got, want)
			}
		} else if got := colonsTail(b, i); got != want {
			t.Fatalf("colonsTail(%x, %d) = %#x; want %#x", b, i, got, want)
		}
	}
	for _, c := range []byte{' ', 0x00, 0x80, 0xFF, lastOctet(b)} {
		for i := range b {
			want := naiveOctets(b, i, c)
			if len(b)-i >= 8 {
				if got := octetsEqual(binary.LittleEndian.Uint64(b[i:]), c); got != want {
					t.Fatalf("octetsEqual(%x, %#x) = %#x; want %#x", b[i:i+8], c, got, want)
				}
			} else if got := octetsTail(b, i, c); got != want {
				t.Fatalf("octetsTail(%x, %d, %#x) = %#x; want %#x", b, i, c, got, want)
			}
		}
	}
	for _, start := range []int{0, 1, 3} {
		for _, max := range []int{1, 5, 9, 21} {
			if start > len(b) {
				continue
			}
			ws, wres, wpr, wnext := naiveCString(b[start:], max)
			r := reader{b: b, off: start}
			s, res, pr := r.cstringPrintable(max)
			if !bytes.Equal(s, ws) || res != wres || pr != wpr || r.off != start+wnext || cap(s) != len(s) {
				t.Fatalf("cstringPrintable(%x[%d:], %d) = %x, %d, %v, next %d; want %x, %d, %v, next %d",
					b, start, max, s, res, pr, r.off, ws, wres, wpr, start+wnext)
			}
			r = reader{b: b, off: start}
			if s, res := r.cstring(max); !bytes.Equal(s, ws) || res != wres || r.off != start+wnext || cap(s) != len(s) {
				t.Fatalf("cstring(%x[%d:], %d) = %x, %d, next %d", b, start, max, s, res, r.off)
			}
		}
	}
	got, want := trimSpace(b), bytes.TrimSpace(b)
	if !bytes.Equal(got, want) || (got == nil) != (want == nil) {
		t.Fatalf("trimSpace(%x) = %x; want %x", b, got, want)
	}
	for c := 0; c <= len(b); c++ {
		for i, lab := range receiptLabels {
			usual := " " + lab[:len(lab)-1]
			want := c >= len(usual) && string(b[c-len(usual):c]) == usual
			if got := receiptLabelWords[i].before(b, c); got && !want {
				t.Fatalf("receiptLabelWords[%d].before(%q, %d) = true", i, b, c)
			} else if want && !got && c >= receiptLabelWords[i].span {
				t.Fatalf("receiptLabelWords[%d].before(%q, %d) = false", i, b, c)
			}
		}
	}
}

func TestTrimSpace(t *testing.T) {
	for _, s := range []string{"", " ", "\t\n\v\f\r ", "a", " a ", " a b ", "\u00a0a\u00a0", " \u0085", "x\u2003", "\xff ", " \xc2"} {
		got, want := trimSpace([]byte(s)), bytes.TrimSpace([]byte(s))
		if !bytes.Equal(got, want) || (got == nil) != (want == nil) {
			t.Errorf("trimSpace(%q) = %q; want %q", s, got, want)
		}
	}
}

func TestReceiptTables(t *testing.T) {
	if receiptLabels[textLabel] != "text:" {
		t.Fatalf("textLabel is %q", receiptLabels[textLabel])
	}
	// labelWords.before against a plain comparison, for every label in
	// several cases and at every distance from the start of the text.
	for _, prefix := range []string{"", "x", "abcdefg", "0123456789abcdef", "id:123 "} {
		for _, lab := range receiptLabels {
			name := lab[:len(lab)-1]
			for _, form := range []string{" " + name, name, " " + strings.ToUpper(name), "_" + name, " x" + name[1:]} {
				b := []byte(prefix + form + ":v")
				c := len(prefix) + len(form)
				for i, other := range receiptLabels {
					usual := " " + other[:len(other)-1]
					want := c >= len(usual) && string(b[c-len(usual):c]) == usual
					got := receiptLabelWords[i].before(b, c)
					if got != want && !(want && c < receiptLabelWords[i].span) {
						t.Errorf("receiptLabelWords[%d].before(%q, %d) = %v", i, b, c, got)
					}
				}
			}
		}
	}
	// At most one label can end at a colon: no name ends another.
	for i, a := range receiptLabels {
		for j, b := range receiptLabels {
			if i != j && strings.HasSuffix(a[:len(a)-1], b[:len(b)-1]) {
				t.Errorf("label %q ends in label %q", a, b)
			}
		}
	}
	if receiptLabelWords[3].span != 16 || len(" submit date") > 16 {
		t.Errorf("submit date: span %d", receiptLabelWords[3].span)
	}
	for c := range 256 {
		for i, lab := range receiptLabels {
			last := lab[len(lab)-2]
			want := byte(c) == last || byte(c) == last-'a'+'A'
			if got := receiptLabelsByLast[c]&(1<<i) != 0; got != want {
				t.Errorf("receiptLabelsByLast[%#02x] has %q: %v", c, lab, got)
			}
		}
	}
}

// TestValueSet guards Value.set, which writes every field of a Value one by
// one: a field added to Value must be added there too.
func TestValueSet(t *testing.T) {
	if n := reflect.TypeFor[Value]().NumField(); n != 5 {
		t.Fatalf("Value has %d fields; update Value.set", n)
	}
	v := Value{Int: 7, Bytes: []byte("x"), Off: 3, Len: 9}
	v.set(1, 2, 3)
	if !reflect.DeepEqual(v, Value{Int: 1, Off: 2, Len: 3, Present: true}) {
		t.Fatalf("got %+v", v)
	}
}
