package report

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestHistogramExactWhenSmall(t *testing.T) {
	var h latencyHist
	for _, ms := range []int{5, 1, 4, 2, 3} {
		h.add(time.Duration(ms) * time.Millisecond)
	}
	require.Equal(t, 3*time.Millisecond, h.quantile(0.5))
	require.Equal(t, 5*time.Millisecond, h.quantile(0.9))
	require.Equal(t, 5*time.Millisecond, h.quantile(1))
	require.Equal(t, 1*time.Millisecond, h.quantile(0))
	require.Equal(t, 3*time.Millisecond, h.mean())
}

func TestHistogramRelativeErrorWhenLarge(t *testing.T) {
	var h latencyHist
	r := rand.New(rand.NewPCG(1, 2))
	var all []time.Duration
	for range 200000 {
		d := time.Duration(r.ExpFloat64() * float64(40*time.Millisecond))
		h.add(d)
		all = append(all, d)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	for _, q := range []float64{0.5, 0.9, 0.99} {
		exact := all[int(q*float64(len(all)))-1]
		got := h.quantile(q)
		require.InEpsilon(t, float64(exact), float64(got), histRelErr*1.01, "q=%v", q)
	}
	require.Equal(t, all[len(all)-1], h.quantile(1))
	require.Less(t, len(h.buckets), 2000, "memory must stay bounded")
}

// TestHistogramSharedSample: histograms given the same samples through
// one latencySample each (its bucket computed once) equal histograms
// given them by add, in the exact phase and in the bucketed one.
func TestHistogramSharedSample(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
	}{
		{"exact", exactLimit / 2},
		{"bucketed", 3 * exactLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			var a, b, wantA, wantB latencyHist
			for i := range tc.n {
				d := time.Duration(r.ExpFloat64()*float64(time.Second)) - time.Millisecond // a few negative
				s := newLatencySample(d)
				a.addSample(&s)
				wantA.add(d)
				if i%3 == 0 { // b starts bucketing later than a
					b.addSample(&s)
					wantB.add(d)
				}
			}
			require.Equal(t, wantA, a)
			require.Equal(t, wantB, b)
		})
	}
}
