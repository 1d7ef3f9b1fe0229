package report

import (
	"math/rand/v2"
	"testing"
)

// TestPendingTableAgainstMap runs request/response patterns on a
// pendingTable and a map side by side: sequence numbers counting up with
// a window of answers, some never answered (they collide with later
// numbers in the ring), random numbers, and repeats of an outstanding one.
func TestPendingTableAgainstMap(t *testing.T) {
	for _, tc := range []struct {
		name   string
		window int     // requests answered in random order from the newest
		stuck  float64 // share never answered
		random bool    // sequence numbers at random
	}{
		{"in order", 1, 0, false},
		{"window 10", 10, 0, false},
		{"window 10 stuck", 10, 0.02, false},
		{"window 300", 300, 0.01, false},
		{"window 9000", 9000, 0.3, false},
		{"random", 50, 0.05, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			var tab pendingTable
			ref := map[uint32]pending{}
			var open []uint32
			order := uint64(0)
			check := func(op int, seq uint32) {
				t.Helper()
				got, ok := tab.get(seq)
				want, wok := ref[seq]
				if ok != wok || got != want {
					t.Fatalf("op %d: get(%d) = %+v, %v; want %+v, %v", op, seq, got, ok, want, wok)
				}
				if p := tab.inRing(seq); p != nil && (!wok || *p != want) {
					t.Fatalf("op %d: inRing(%d) = %+v; want %+v, %v", op, seq, *p, want, wok)
				}
				if tab.Len() != len(ref) {
					t.Fatalf("op %d: Len %d, want %d", op, tab.Len(), len(ref))
				}
			}
			seq := uint32(1)
			for op := range 40000 {
				if len(open) < tc.window || rng.IntN(2) == 0 {
					s := seq
					seq++
					if tc.random {
						s = rng.Uint32N(500)
					} else if rng.IntN(200) == 0 && len(open) > 0 {
						s = open[rng.IntN(len(open))] // a repeat of an outstanding number
					}
					order++
					pr := pending{seq: s, order: order, frame: op}
					tab.set(&pr)
					ref[s] = pr
					if rng.Float64() >= tc.stuck {
						open = append(open, s)
					}
					check(op, s)
					continue
				}
				i := rng.IntN(len(open))
				s := open[i]
				open = append(open[:i], open[i+1:]...)
				if op%2 == 0 {
					tab.del(s)
				} else if got, ok := tab.take(s); got != ref[s] || ok != (ref[s].order != 0) {
					t.Fatalf("op %d: take(%d) = %+v, %v; want %+v", op, s, got, ok, ref[s])
				}
				delete(ref, s)
				check(op, s)
				check(op, s+uint32(len(tab.ring)))
			}
			tab.prune(func(pr pending) bool { return pr.frame%3 == 0 })
			for s, pr := range ref {
				if pr.frame%3 == 0 {
					delete(ref, s)
				}
			}
			for s := range ref {
				check(-1, s)
			}
			if len(tab.ring) > maxPendingRing {
				t.Errorf("ring grew to %d slots", len(tab.ring))
			}
		})
	}
}
