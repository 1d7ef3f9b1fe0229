package report

import (
	"math/rand/v2"
	"testing"
)

// TestHashTableAgainstMap runs random operations on a hashTable and a Go
// map side by side. Keys come from small ranges, so that they cluster in
// the table (the low bits choose the slot) and deletions must shift
// entries back across wrapped runs.
func TestHashTableAgainstMap(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys uint64 // keys are 1..keys, spread by mul
		mul  uint64
		ops  int
	}{
		{"dense", 40, 1, 20000},
		{"clustered", 300, 16, 50000},
		{"high bits", 1000, 1 << 40, 50000},
		{"wide", 1 << 20, 0x9e3779b97f4a7c15, 50000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			var tab hashTable[int]
			ref := map[uint64]int{}
			for op := range tc.ops {
				k := (1 + rng.Uint64N(tc.keys)) * tc.mul
				if k == 0 {
					k = 1
				}
				switch rng.IntN(3) {
				case 0:
					v, found := tab.upsert(k)
					_, want := ref[k]
					if found != want {
						t.Fatalf("op %d: upsert(%x) found %v, want %v", op, k, found, want)
					}
					*v = op
					ref[k] = op
				case 1:
					if i := tab.find(k); i >= 0 {
						tab.deleteAt(i)
					}
					delete(ref, k)
				default:
					v, ok := tab.get(k)
					if w, wok := ref[k]; ok != wok || v != w {
						t.Fatalf("op %d: get(%x) = %d, %v; want %d, %v", op, k, v, ok, w, wok)
					}
				}
				if tab.Len() != len(ref) {
					t.Fatalf("op %d: Len %d, want %d", op, tab.Len(), len(ref))
				}
			}
			n := 0
			tab.all(func(k uint64, v int) {
				n++
				if ref[k] != v {
					t.Errorf("all: %x = %d, want %d", k, v, ref[k])
				}
			})
			if n != len(ref) {
				t.Errorf("all visited %d keys, want %d", n, len(ref))
			}
		})
	}
}

func TestNewHashTableHoldsWithoutGrowing(t *testing.T) {
	for _, n := range []int{0, 1, 8, 9, 1000, 1 << 16} {
		tab := newHashTable[uint32](n)
		size := len(tab.slots)
		for k := range n {
			tab.upsert(uint64(k+1) * 0x9e3779b97f4a7c15)
		}
		if len(tab.slots) != size {
			t.Errorf("n=%d: grew from %d to %d slots", n, size, len(tab.slots))
		}
	}
}
