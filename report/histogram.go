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
//
// The buckets are counted in a slice over the range of buckets seen
// (buckets[i] is bucket base+i): a sample costs an index, not a map
// update. Durations fit 2,208 buckets, so the slice stays under 18 KB.
type latencyHist struct {
	exact   []time.Duration
	buckets []uint64     // nil until exactLimit samples were seen
	index   *bucketIndex // finds the buckets; set with buckets
	base    int32
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
	s := newLatencySample(d)
	h.addSample(&s)
}

// latencySample is a duration to add to histograms: a bind's and the
// total's take the same samples, and its bucket is found once, when the
// first of them needs it.
type latencySample struct {
	d      time.Duration
	bucket int32
	known  bool // bucket is computed
}

func newLatencySample(d time.Duration) latencySample { return latencySample{d: max(d, 0)} }

// bucketIn returns the sample's bucket, found with x.
func (s *latencySample) bucketIn(x *bucketIndex) int32 {
	if !s.known {
		s.bucket, s.known = x.bucket(s.d), true
	}
	return s.bucket
}

// addSample is add for a sample that may go to other histograms too.
func (h *latencyHist) addSample(s *latencySample) {
	d := s.d
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
		h.index = sharedBucketIndex()
		h.base = h.index.bucket(h.exact[0])
		h.buckets = make([]uint64, 1)
		for _, x := range h.exact {
			h.count(h.index.bucket(x))
		}
		h.exact = nil
	}
	h.count(s.bucketIn(h.index))
}

// count adds one sample to bucket b, widening the slice to reach it.
func (h *latencyHist) count(b int32) {
	switch {
	case b < h.base:
		grown := make([]uint64, int(h.base-b)+len(h.buckets))
		copy(grown[h.base-b:], h.buckets)
		h.buckets, h.base = grown, b
	case int(b-h.base) >= len(h.buckets):
		h.buckets = append(h.buckets, make([]uint64, int(b-h.base)+1-len(h.buckets))...)
	}
	h.buckets[b-h.base]++
}

// bucketOf maps a duration (in nanoseconds, at least 1) to its log bucket.
// It defines the buckets; histograms find them with a bucketIndex.
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

// samples returns the number of samples.
func (h *latencyHist) samples() uint64 { return h.n }

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
	var seen uint64
	for i, c := range h.buckets {
		seen += c
		if c > 0 && seen >= rank {
			return min(max(bucketMid(h.base+int32(i)), h.min), h.max)
		}
	}
	return h.max
}
