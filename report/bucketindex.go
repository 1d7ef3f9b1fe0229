package report

import (
	"math"
	"math/bits"
	"sort"
	"sync"
	"time"
)

// bucketIndex gives bucketOf(d) without computing a logarithm: histograms
// take a sample for every response and receipt, and math.Log was most of
// the cost. It holds the least duration of each bucket, found once from
// bucketOf itself, and d's bucket is the last whose least duration is at
// most d. A seed per cell (the durations that share their leading
// cellBits+1 bits: 1/64 of an octave, narrower than a bucket) starts the
// search at the answer or one bucket before it.
//
// The two agree wherever bucketOf never decreases as d grows. Below
// indexedLimit it cannot: float64(d) is exact, and math.Log(d+1) and
// math.Log(d) differ by about 1/d ≥ 2⁻⁴⁰, far more than their rounding
// errors (a few ulps of a number below 32, under 2⁻⁴⁵), so the computed
// logarithms increase with d, and dividing by logBase and taking the floor
// keep the order. Longer durations (over 18 minutes) go to bucketOf.
type bucketIndex struct {
	lo   []time.Duration // lo[b]: the least duration in bucket b or above (1 for bucket 0)
	seed []int32         // by cellOf: the bucket of the cell's least duration
}

const (
	indexedLimit   = 1 << 40 // durations below it are looked up
	cellBits       = 6       // bits after the leading one that pick a cell
	cellsPerOctave = 1 << cellBits
)

// sharedBucketIndex returns the index every histogram uses, built on first
// use; it is never changed afterwards.
var sharedBucketIndex = sync.OnceValue(newBucketIndex)

func newBucketIndex() *bucketIndex {
	top := bucketOf(indexedLimit - 1)
	x := &bucketIndex{lo: make([]time.Duration, top+2)}
	x.lo[0] = 1
	for b := int32(1); b <= top+1; b++ {
		// exp(b·logBase) is within a few ulps of the boundary: start at it
		// and step to the least d whose bucket is b or above.
		d := max(time.Duration(math.Ceil(math.Exp(float64(b)*logBase))), x.lo[b-1])
		for d > x.lo[b-1] && bucketOf(d-1) >= b {
			d--
		}
		for bucketOf(d) < b {
			d++
		}
		x.lo[b] = d
	}
	x.seed = make([]int32, cellOf(indexedLimit-1)+1)
	for c := range x.seed {
		least := cellLeast(c)
		// The last bucket whose least duration is at most the cell's.
		x.seed[c] = int32(sort.Search(len(x.lo), func(b int) bool { return x.lo[b] > least }) - 1)
	}
	return x
}

// bucket returns bucketOf(d).
func (x *bucketIndex) bucket(d time.Duration) int32 {
	if d < 1 {
		d = 1
	}
	if d >= indexedLimit {
		return bucketOf(d)
	}
	b := x.seed[cellOf(d)]
	for x.lo[b+1] <= d {
		b++
	}
	return b
}

// cellOf returns the cell of a duration in [1, indexedLimit): the duration
// itself below 2·cellsPerOctave, else its bit length and the cellBits bits
// after its leading one.
func cellOf(d time.Duration) int {
	if d < 2*cellsPerOctave {
		return int(d)
	}
	n := bits.Len64(uint64(d))
	return (n-cellBits-1)*cellsPerOctave + int(d>>(n-cellBits-1))
}

// cellLeast returns the least duration of cell c (the inverse of cellOf
// for the cell's first member).
func cellLeast(c int) time.Duration {
	if c < 2*cellsPerOctave {
		return time.Duration(c)
	}
	shift := c/cellsPerOctave - 1
	return time.Duration(c%cellsPerOctave+cellsPerOctave) << shift
}
