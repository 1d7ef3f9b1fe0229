package report

import "testing"

func TestTallyAgainstMap(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys []uint32
	}{
		{"empty", nil},
		{"few", []uint32{4, 4, 0x80000004, 4, 5}},
		{"past inline", func() (k []uint32) {
			for i := range 200 {
				k = append(k, uint32(i%37), uint32(i%5))
			}
			return k
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got tally[uint32]
			want := map[uint32]int64{}
			for _, k := range tc.keys {
				got.add(k)
				want[k]++
			}
			seen := map[uint32]int64{}
			got.all(func(k uint32, n int64) {
				if _, dup := seen[k]; dup {
					t.Errorf("key %d reported twice", k)
				}
				seen[k] = n
			})
			if len(seen) != len(want) {
				t.Fatalf("%d keys, want %d", len(seen), len(want))
			}
			for k, n := range want {
				if seen[k] != n {
					t.Errorf("key %d: %d, want %d", k, seen[k], n)
				}
			}
		})
	}
}

func TestStreamSet(t *testing.T) {
	for _, tc := range []struct {
		name    string
		streams []int
		want    int
	}{
		{"none", nil, 0},
		{"dense", []int{0, 1, 2, 1, 0, 63, 64}, 5},
		{"odd numbers", []int{-1, -1, maxStreamBits, maxStreamBits - 1, 5, 5}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s streamSet
			for _, n := range tc.streams {
				s.add(n)
			}
			if s.Len() != tc.want {
				t.Errorf("Len %d, want %d", s.Len(), tc.want)
			}
		})
	}
}
