package decode

import (
	"bytes"
	"math/bits"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

// naiveParseReceipt is ParseReceipt as ref §8.5 describes it, written
// plainly: every label at its first occurrence that starts the text or
// follows a space (ASCII case folded), sorted by position, each value
// running to the next label.
func naiveParseReceipt(b []byte) (Receipt, bool) {
	type hit struct{ label, start, end int }
	var hits []hit
	for li, lab := range receiptLabels {
		for i := 0; i+len(lab) <= len(b); i++ {
			if (i == 0 || b[i-1] == ' ') && bytes.EqualFold(asciiLower(b[i:i+len(lab)]), []byte(lab)) {
				hits = append(hits, hit{li, i, i + len(lab)})
				break
			}
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].start < hits[j].start })
	var vals [len(receiptLabels)]string
	var got [len(receiptLabels)]bool
	for k, h := range hits {
		end := len(b)
		if k+1 < len(hits) {
			end = hits[k+1].start
		}
		v := b[h.end:end]
		if h.label != textLabel {
			v = bytes.TrimSpace(v)
		}
		vals[h.label], got[h.label] = string(v), true
	}
	if strings.ContainsFunc(vals[statLabel], func(c rune) bool { return 'a' <= c && c <= 'z' }) {
		vals[statLabel] = strings.ToUpper(vals[statLabel])
	}
	r := Receipt{ID: vals[0], Sub: vals[1], Dlvrd: vals[2], SubmitDate: vals[3], DoneDate: vals[4],
		Stat: vals[5], Err: vals[6], Text: vals[7], HasText: got[textLabel]}
	return r, r.ID != "" || r.Stat != ""
}

// asciiLower folds ASCII upper case only, as the parser does (bytes.EqualFold
// alone would also fold, say, the Kelvin sign into k).
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// TestParseReceiptAgainstNaive compares ParseReceipt with naiveParseReceipt
// on the texts of forEachTestReceipt.
func TestParseReceiptAgainstNaive(t *testing.T) {
	forEachTestReceipt(func(b []byte) {
		got, gotOK := ParseReceipt(b)
		want, wantOK := naiveParseReceipt(b)
		if got != want || gotOK != wantOK {
			t.Fatalf("ParseReceipt(%q) = %+v, %v; want %+v, %v", b, got, gotOK, want, wantOK)
		}
	})
}

// TestUsualReceiptLabels checks that findUsualReceiptLabels takes the
// receipts in the usual form, and that whenever it takes a text it finds
// what findReceiptLabels finds, value bounds included (the trimming after
// them could hide a difference).
func TestUsualReceiptLabels(t *testing.T) {
	for _, s := range []string{
		"id:0000000004 sub:001 dlvrd:001 submit date:2603020900 done date:2603020900 stat:DELIVRD err:000 text:",
		"id:581840bcd593403799d872a5efaf1651250629 sub:001 dlvrd:001 submit date:250629133217 done date:250629133220 stat:UNDELIV err:034 text:x y: z",
		"id:7 sub:001 dlvrd:000 submit date:2401151230 done date:2401151231 stat:EXPIRED err:000",
		"id:7 sub:001",
		"id:7",
		"id:",
	} {
		var starts, ends [len(receiptLabels)]int
		if _, ok := findUsualReceiptLabels([]byte(s), &starts, &ends); !ok {
			t.Errorf("findUsualReceiptLabels(%q) does not take a receipt in the usual form", s)
		}
	}
	taken := 0
	forEachTestReceipt(func(b []byte) {
		var starts, ends, wantStarts, wantEnds [len(receiptLabels)]int
		got, ok := findUsualReceiptLabels(b, &starts, &ends)
		if !ok {
			return
		}
		taken++
		want := findReceiptLabels(b, &wantStarts, &wantEnds)
		if got != want {
			t.Fatalf("findUsualReceiptLabels(%q) found labels %08b; findReceiptLabels %08b", b, got, want)
		}
		for m := got; m != 0; m &= m - 1 {
			i := bits.TrailingZeros8(m)
			if starts[i] != wantStarts[i] || ends[i] != wantEnds[i] {
				t.Fatalf("findUsualReceiptLabels(%q): %s at %d:%d; findReceiptLabels: %d:%d",
					b, receiptLabels[i], starts[i], ends[i], wantStarts[i], wantEnds[i])
			}
		}
	})
	if taken < 1000 {
		t.Errorf("findUsualReceiptLabels took only %d of the test texts", taken)
	}
}

// forEachTestReceipt calls f on receipts in the usual form, mutated (case,
// spacing, octets inserted, changed or cut), on texts pieced together from
// labels and values, and on random octets.
func forEachTestReceipt(f func(b []byte)) {
	usual := []string{
		"id:0123456789 sub:001 dlvrd:001 submit date:2611270915 done date:2611270915 stat:DELIVRD err:000 text:Hello",
		"id:0000000004 sub:001 dlvrd:001 submit date:2603020900 done date:2603020900 stat:DELIVRD err:000 text:",
		"id:581840bcd593403799d872a5efaf1651250629 sub:001 dlvrd:001 submit date:250629133217 done date:250629133220 stat:undeliv err:034 Text:x y: z",
		"ID:7 SUB:001 DLVRD:000 SUBMIT DATE:2401151230 DONE DATE:2401151231 STAT:Expired ERR:000",
		"id:7 sub:001 dlvrd:000 submit date:2401151230 done date:2401151231 stat:EXPIRED err:000",
	}
	pieces := []string{"id:", "ID:", " id:", "sub:", " sub:", "dlvrd:", "submit date:", "Submit Date:", "submit  date:", " done date:",
		"stat:", " STAT:", " err:", " text:", "Text:", " ", "  ", "\t", "\n", ":", "::", "x:y", "msgid:", "0000000004", "DELIVRD",
		"delivrd", "acked", "001", "2603020900", "\u00a0", "\u0085", "\u2003", "é", "\xff", "\xc2", "\x00", strings.Repeat("z", 70)}
	r := rand.New(rand.NewPCG(3, 5))
	for _, s := range usual {
		f([]byte(s))
		for cut := range len(s) {
			f([]byte(s[:cut]))
		}
	}
	for range 100000 {
		b := []byte(usual[r.IntN(len(usual))])
		for range 1 + r.IntN(4) {
			p := r.IntN(len(b) + 1)
			switch k := r.IntN(5); {
			case k == 0 && p < len(b):
				b[p] ^= 0x20 // flips the case of letters
			case k == 1 && p < len(b):
				b[p] = byte(r.IntN(256))
			case k == 2 && p < len(b):
				b = append(b[:p:p], b[p+1:]...)
			default:
				b = append(b[:p:p], append([]byte(pieces[r.IntN(len(pieces))]), b[p:]...)...)
			}
		}
		f(b)
	}
	for range 100000 {
		var b []byte
		for range r.IntN(20) {
			b = append(b, pieces[r.IntN(len(pieces))]...)
		}
		f(b)
	}
	for range 20000 {
		b := make([]byte, r.IntN(100))
		for i := range b {
			b[i] = ":  itdxe"[r.IntN(8)]
			if r.IntN(4) == 0 {
				b[i] = byte(r.IntN(256))
			}
		}
		f(b)
	}
}

// TestReceiptDecodeDoesNotAllocate: the usual receipt decodes, into a
// reused PDU, and gives its id, stat and err (ReceiptStatus) without an
// allocation; only Receipt copies the text's values.
func TestReceiptDecodeDoesNotAllocate(t *testing.T) {
	b := benchBulkReceipt()
	var p PDU
	p.Decode(b, briefV34)
	allocs := testing.AllocsPerRun(100, func() {
		p.Decode(b, briefV34)
		if id, stat, err, ok := p.ReceiptStatus(); !ok || string(id) != "0000000004" || stat != "DELIVRD" || err != "000" {
			t.Fatalf("ReceiptStatus %q %q %q %v", id, stat, err, ok)
		}
	})
	if allocs != 0 {
		t.Errorf("decode and ReceiptStatus: %v allocations", allocs)
	}
	if allocs := testing.AllocsPerRun(100, func() { p.Decode(b, briefV34); _, _ = p.Receipt() }); allocs != 1 {
		t.Errorf("decode and Receipt: %v allocations, want 1 (the id and dates)", allocs)
	}
}
