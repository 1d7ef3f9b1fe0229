package fuzz

import (
	"testing"
	"time"

	"smppdump.dev/smppdump/internal/memuse"
)

// memUse is what a piece of work cost in memory (see memuse.Use).
type memUse = memuse.Use

func mib(n uint64) float64 { return memuse.MiB(n) }

// measure runs f and reports its memory use. Tests that call it must not
// run in parallel with others.
func measure(f func()) memUse { return memuse.Measure(f) }

// bound fails the test when m exceeds the stated limits (in MiB; 0 means
// no limit) and logs the measurement either way.
func bound(t *testing.T, what string, m memUse, peakMiB, allocMiB float64, wall time.Duration) {
	t.Helper()
	t.Logf("%s: %v (bounds: peak %.0f MiB, alloc %.0f MiB, %v)", what, m, peakMiB, allocMiB, wall)
	if peakMiB > 0 && mib(m.PeakHeap) > peakMiB {
		t.Errorf("%s: peak heap %.1f MiB above the bound of %.0f MiB", what, mib(m.PeakHeap), peakMiB)
	}
	if allocMiB > 0 && mib(m.Alloc) > allocMiB {
		t.Errorf("%s: allocated %.1f MiB, above the bound of %.0f MiB", what, mib(m.Alloc), allocMiB)
	}
	if wall > 0 && m.Wall > wall {
		t.Errorf("%s: took %v, above the bound of %v", what, m.Wall, wall)
	}
}
