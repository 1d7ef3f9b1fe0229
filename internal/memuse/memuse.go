// Package memuse measures what a piece of work costs in memory, in
// process, for tests that bound it: the peak heap in use while it ran and
// the bytes it allocated.
package memuse

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"time"
)

// Use is what a piece of work cost.
type Use struct {
	// PeakHeap is the highest heap in use (live objects, garbage not yet
	// swept and span fragmentation) seen while the work ran, above what was
	// in use before it. Sampled every millisecond, so a spike shorter than
	// that may be missed; the final value is included.
	PeakHeap uint64
	// Alloc is the bytes allocated while the work ran (TotalAlloc delta),
	// garbage included: it catches allocations sized by a lying length even
	// when they are freed at once.
	Alloc uint64
	Wall  time.Duration
}

func (u Use) String() string {
	return fmt.Sprintf("peak heap +%.1f MiB, allocated %.1f MiB, %v", MiB(u.PeakHeap), MiB(u.Alloc), u.Wall.Round(time.Millisecond))
}

// MiB converts bytes to mebibytes.
func MiB(n uint64) float64 { return float64(n) / (1 << 20) }

var heapClasses = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}

func newSamples() []metrics.Sample {
	s := make([]metrics.Sample, len(heapClasses))
	for i, n := range heapClasses {
		s[i].Name = n
	}
	return s
}

func heapInUse(s []metrics.Sample) uint64 {
	metrics.Read(s)
	var n uint64
	for _, x := range s {
		n += x.Value.Uint64()
	}
	return n
}

// Measure runs f and reports its memory use. It collects garbage first;
// what else runs in the process at the same time is counted too, so tests
// that call it must not run in parallel with others.
func Measure(f func()) Use {
	samples := newSamples()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, alloc0 := heapInUse(samples), ms.TotalAlloc
	stop, peakc := make(chan struct{}), make(chan uint64)
	go func() {
		s := newSamples()
		peak := base
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				peakc <- peak
				return
			case <-tick.C:
				peak = max(peak, heapInUse(s))
			}
		}
	}()
	start := time.Now()
	f()
	wall := time.Since(start)
	end := heapInUse(samples)
	close(stop)
	peak := max(<-peakc, end)
	runtime.ReadMemStats(&ms)
	return Use{PeakHeap: peak - min(peak, base), Alloc: ms.TotalAlloc - alloc0, Wall: wall}
}
