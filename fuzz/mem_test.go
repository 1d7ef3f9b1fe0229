package fuzz

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// memUse is what a piece of work cost in memory, measured in process.
type memUse struct {
	// PeakHeap is the highest heap in use (runtime HeapInuse: live objects,
	// garbage not yet swept and span fragmentation) seen while the work ran,
	// above what was in use before it. Sampled every millisecond, so a
	// spike shorter than that may be missed; the final value is included.
	PeakHeap uint64
	// Alloc is the bytes allocated while the work ran (TotalAlloc delta),
	// garbage included: it catches allocations sized by a lying length even
	// when they are freed at once.
	Alloc uint64
	Wall  time.Duration
}

func (m memUse) String() string {
	return fmt.Sprintf("peak heap +%.1f MiB, allocated %.1f MiB, %v", mib(m.PeakHeap), mib(m.Alloc), m.Wall.Round(time.Millisecond))
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

var heapSamples = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}

func heapInUse(s []metrics.Sample) uint64 {
	metrics.Read(s)
	var n uint64
	for _, x := range s {
		n += x.Value.Uint64()
	}
	return n
}

// measure runs f and reports its memory use. Tests that call it must not
// run in parallel with others.
func measure(f func()) memUse {
	samples := make([]metrics.Sample, len(heapSamples))
	for i, n := range heapSamples {
		samples[i].Name = n
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, alloc0 := heapInUse(samples), ms.TotalAlloc
	stop, peakc := make(chan struct{}), make(chan uint64)
	go func() {
		s := make([]metrics.Sample, len(heapSamples))
		copy(s, samples)
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
	return memUse{PeakHeap: peak - min(peak, base), Alloc: ms.TotalAlloc - alloc0, Wall: wall}
}

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
