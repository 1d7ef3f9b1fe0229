package report

import (
	"math"
	"sort"
	"time"
)

// latencyHist records durations in bounded memory. Up to exactLimit samples
// are kept as they are, so small samples give exact quantiles; beyond that
// samples go into logarithmic buckets whose width is histRelErr of their
// value, so any quantile is within histRelErr (relative) of the true one.
type latencyHist struct {
	exact   []time.Duration
	buckets map[int32]uint64
	n       uint64
	min     time.Duration
	max     time.Duration
	sum     time.Duration
}

const (
	exactLimit = 2048
	histRelErr = 0.01 // 1 %
)

var logBase = math.Log1p(2 * histRelErr)

func (h *latencyHist) add(d time.Duration) {
	if d < 0 {
		d = 0
	}
	if h.n == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.n++
	h.sum += d
	if h.buckets == nil {
		if len(h.exact) < exactLimit {
			h.exact = append(h.exact, d)
			return
		}
		h.buckets = make(map[int32]uint64)
		for _, x := range h.exact {
			h.buckets[bucketOf(x)]++
		}
		h.exact = nil
	}
	h.buckets[bucketOf(d)]++
}

// bucketOf maps a duration (in nanoseconds, at least 1) to its log bucket.
func bucketOf(d time.Duration) int32 {
	if d < 1 {
		d = 1
	}
	return int32(math.Floor(math.Log(float64(d)) / logBase))
}

// bucketMid is the value reported for a bucket: the geometric middle of its
// bounds, within histRelErr of every value in it.
func bucketMid(b int32) time.Duration {
	lo := math.Exp(float64(b) * logBase)
	hi := math.Exp(float64(b+1) * logBase)
	return time.Duration(math.Sqrt(lo * hi))
}

// count returns the number of samples.
func (h *latencyHist) count() uint64 { return h.n }

// mean returns the average sample.
func (h *latencyHist) mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}

// quantile returns the q-quantile (0 ≤ q ≤ 1) by the nearest-rank method.
func (h *latencyHist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	if rank < 1 {
		rank = 1
	}
	if h.buckets == nil {
		s := append([]time.Duration(nil), h.exact...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return s[rank-1]
	}
	if rank == h.n {
		return h.max
	}
	keys := make([]int32, 0, len(h.buckets))
	for k := range h.buckets {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var seen uint64
	for _, k := range keys {
		seen += h.buckets[k]
		if seen >= rank {
			return min(max(bucketMid(k), h.min), h.max)
		}
	}
	return h.max
}
