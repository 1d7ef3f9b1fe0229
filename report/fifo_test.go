package report

import (
	"slices"
	"testing"
)

// TestFIFO: the queue keeps order through push, pop and keep, and reuses
// the room freed at the front instead of growing without bound.
func TestFIFO(t *testing.T) {
	type op struct {
		push int  // push this many, numbered on from the last
		take int  // then pop this many
		odd  bool // then keep only odd orders
	}
	for _, tc := range []struct {
		name string
		ops  []op
		want []uint64
	}{
		{"empty", nil, nil},
		{"push", []op{{push: 3}}, []uint64{1, 2, 3}},
		{"take", []op{{push: 3, take: 2}}, []uint64{3}},
		{"take all then push", []op{{push: 3, take: 3}, {push: 2}}, []uint64{4, 5}},
		{"keep", []op{{push: 5, take: 1, odd: true}}, []uint64{3, 5}},
		{"wrap many times", slices.Repeat([]op{{push: 7, take: 7}}, 100), nil},
		{"never empty", append([]op{{push: 1}}, slices.Repeat([]op{{push: 3, take: 3}}, 100)...), []uint64{301}},
		{"steady", append(slices.Repeat([]op{{push: 5, take: 5}}, 50), op{push: 2}), []uint64{251, 252}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var q fifo[arrival]
			next := uint64(0)
			for _, o := range tc.ops {
				for range o.push {
					next++
					q.push(arrival{order: next, seq: uint32(next)})
				}
				for range o.take {
					q.pop()
				}
				if o.odd {
					q.keep(func(a arrival) bool { return a.order%2 == 1 })
				}
			}
			var got []uint64
			for _, a := range q.items() {
				got = append(got, a.order)
			}
			if !slices.Equal(got, tc.want) || q.Len() != len(tc.want) {
				t.Errorf("queued %v (Len %d), want %v", got, q.Len(), tc.want)
			}
			if cap(q.buf) > 16 {
				t.Errorf("cap %d: the room at the front was not reused", cap(q.buf))
			}
		})
	}
}
