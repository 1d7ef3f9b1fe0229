package report

import (
	"hash/maphash"
	"strings"
	"testing"
)

// TestKeyHashMatchesTextKey: the allocation-free hash of an id is the hash
// of its text key, for every form the text key folds.
func TestKeyHashMatchesTextKey(t *testing.T) {
	seed := maphash.MakeSeed()
	for _, id := range []string{
		"", "0", "000", "1", "01", "0001a", "ABCDEF", "abcdef", "00AbC", "0x10",
		"éA0", "0É", strings.Repeat("7", 64), strings.Repeat("0", 70) + "F",
		"000000001a", "00000000", "0a0", "a00", "0Z", "z", "0_", "@", strings.Repeat("0", 70) + "f",
	} {
		if got, want := keyHash(seed, id), maphash.String(seed, textKey(id)); got != want {
			t.Errorf("keyHash(%q) = %x, want the hash of textKey %q (%x)", id, got, textKey(id), want)
		}
	}
}

func TestSameTextKey(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"abc", "ABC", true},
		{"00abc", "abc", true},
		{"000", "0", false}, // textKey keeps an all-zero id as it is
		{"000", "000", true},
		{"12", "120", false},
		{"Éa", "éA", true},
		{"", "", true},
		{"", "0", false},
	} {
		if got, want := sameTextKey(tt.a, tt.b), textKey(tt.a) == textKey(tt.b); got != want || got != tt.want {
			t.Errorf("sameTextKey(%q, %q) = %v, textKey says %v, want %v", tt.a, tt.b, got, want, tt.want)
		}
	}
}

// TestIDIndexClash: two ids whose hashes collide are both found; the index
// is given a seed and ids forced into the same slot by filing the second
// under the first one's hash.
func TestIDIndexClash(t *testing.T) {
	x := newIDIndex()
	a, b := &msgPart{}, &msgPart{}
	a.setID([]byte("AAA1"))
	b.setID([]byte("bbb2"))
	x.add(a.id(), x.hash(a.id()), a)
	// Simulate a collision: move a to b's hash slot.
	x.text.deleteAt(x.text.find(textSlot(x.hash(a.id()))))
	slot, _ := x.text.upsert(textSlot(x.hash(b.id())))
	*slot = a
	x.add(b.id(), x.hash(b.id()), b)
	if got := x.find("BBB2", x.hash("BBB2")); got != b {
		t.Fatalf("find(BBB2) = %v, want the clashing part", got)
	}
	x.remove(x.hash(b.id()), b)
	if got := x.find("bbb2", x.hash("bbb2")); got != nil {
		t.Fatalf("after remove, find(bbb2) = %v", got)
	}
	if len(x.clash) != 0 {
		t.Fatalf("clash table not emptied: %v", x.clash)
	}
}

func TestRecentIDs(t *testing.T) {
	r := newRecentIDs(3, maphash.MakeSeed())
	r.add("A1", false)
	r.add("b2", true)
	if f, g := r.has("a1"); !f || g {
		t.Fatalf("a1: found %v givenUp %v, want found, complete", f, g)
	}
	if f, g := r.has("0B2"); !f || !g {
		t.Fatalf("0B2: found %v givenUp %v, want found, given up", f, g)
	}
	r.add("a1", true) // the same id again, now given up
	if _, g := r.has("A1"); !g {
		t.Fatal("a1 given up on its second message")
	}
	r.add("c3", false) // pushes out the first a1; the second stays
	if f, _ := r.has("a1"); !f {
		t.Fatal("a1 forgotten while one ring slot still holds it")
	}
	r.add("d4", false) // pushes out b2
	if f, _ := r.has("b2"); f {
		t.Fatal("b2 still found after leaving the ring")
	}
	if f, _ := r.has("zz"); f {
		t.Fatal("zz found")
	}
}
