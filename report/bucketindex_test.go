package report

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestBucketIndexBoundaries: every bucket's least duration is where
// bucketOf steps up to it, and the index agrees with bucketOf on both
// sides of every boundary.
func TestBucketIndexBoundaries(t *testing.T) {
	x := newBucketIndex()
	if got, want := len(x.lo), int(bucketOf(indexedLimit-1))+2; got != want {
		t.Fatalf("%d least durations, want %d", got, want)
	}
	for b := 1; b < len(x.lo); b++ {
		lo := x.lo[b]
		if bucketOf(lo) < int32(b) || bucketOf(lo-1) >= int32(b) {
			t.Errorf("bucket %d: least duration %d has bucket %d, one less has %d", b, lo, bucketOf(lo), bucketOf(lo-1))
		}
		for _, d := range []time.Duration{lo - 2, lo - 1, lo, lo + 1, lo + 2} {
			if got, want := x.bucket(d), bucketOf(d); got != want {
				t.Errorf("bucket(%d) = %d, bucketOf %d", d, got, want)
			}
		}
	}
}

// TestBucketIndexAgrees: the index and bucketOf agree on every small
// duration, on the edges of every cell, on durations the index hands to
// bucketOf, and on random durations spread over every magnitude.
func TestBucketIndexAgrees(t *testing.T) {
	x := newBucketIndex()
	check := func(d time.Duration) {
		t.Helper()
		if got, want := x.bucket(d), bucketOf(d); got != want {
			t.Fatalf("bucket(%d) = %d, bucketOf %d", d, got, want)
		}
	}
	for d := time.Duration(-3); d <= 1<<17; d++ {
		check(d)
	}
	for c := range x.seed {
		for _, d := range []time.Duration{cellLeast(c) - 1, cellLeast(c), cellLeast(c) + 1} {
			check(d)
		}
	}
	for _, d := range []time.Duration{indexedLimit - 1, indexedLimit, indexedLimit + 1, math.MaxInt64, math.MinInt64} {
		check(d)
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 2_000_000 {
		check(time.Duration(r.Uint64() >> r.IntN(64)))
	}
}

// TestCellOf: cellLeast inverts cellOf on each cell's first duration, and
// cells follow one another without gaps.
func TestCellOf(t *testing.T) {
	for c := 1; c <= cellOf(indexedLimit-1); c++ {
		d := cellLeast(c)
		if got := cellOf(d); got != c {
			t.Errorf("cellOf(cellLeast(%d) = %d) = %d", c, d, got)
		}
		if got := cellOf(d - 1); got != c-1 {
			t.Errorf("cellOf(%d) = %d, want %d", d-1, got, c-1)
		}
	}
}
