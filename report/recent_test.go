package report

import (
	"hash/maphash"
	"math/rand/v2"
	"strconv"
	"testing"
)

// eagerRecent is the plain model of recentIDs: a map updated on every add.
type eagerRecent struct {
	ids     []string
	givenUp []bool
}

func (e *eagerRecent) add(id string, givenUp bool, n int) {
	e.ids, e.givenUp = append(e.ids, id), append(e.givenUp, givenUp)
	if len(e.ids) > n {
		e.ids, e.givenUp = e.ids[1:], e.givenUp[1:]
	}
}

func (e *eagerRecent) has(id string) (found, givenUp bool) {
	for i := len(e.ids) - 1; i >= 0; i-- {
		if textKey(e.ids[i]) == textKey(id) {
			return true, e.givenUp[i]
		}
	}
	return false, false
}

// TestRecentIDsLazyMatchesEager asks at random moments, after runs of adds
// shorter and longer than the ring, with ids that repeat.
func TestRecentIDsLazyMatchesEager(t *testing.T) {
	for _, tc := range []struct {
		name      string
		n, ids    int
		askEvery  int // mean adds between questions
		questions int
	}{
		{"often", 16, 40, 1, 3000},
		{"sometimes", 16, 40, 10, 1000},
		{"past the ring", 16, 200, 40, 500},
		{"repeats", 64, 30, 70, 300},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			r := newRecentIDs(tc.n, maphash.MakeSeed())
			var e eagerRecent
			for q := range tc.questions {
				for range rng.IntN(2 * tc.askEvery) {
					id, g := "0"+strconv.Itoa(rng.IntN(tc.ids)), rng.IntN(3) == 0
					r.add(id, g)
					e.add(id, g, tc.n)
				}
				id := strconv.Itoa(rng.IntN(tc.ids))
				f, g := r.has(id)
				wf, wg := e.has(id)
				if f != wf || g != wg {
					t.Fatalf("question %d: has(%s) = %v, %v; want %v, %v", q, id, f, g, wf, wg)
				}
			}
		})
	}
}
