package reassembly

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// collector is a Handler that keeps copies of everything it is given.
type collector struct {
	pdus     []*PDU
	gaps     []Gap
	problems []Problem
	events   []string // "pdu" or "gap", in the order received
}

func (c *collector) PDU(p *PDU) {
	c.pdus = append(c.pdus, p.Clone())
	c.events = append(c.events, "pdu")
}

func (c *collector) Gap(g *Gap) {
	c.gaps = append(c.gaps, *g)
	c.events = append(c.events, "gap")
}

func (c *collector) Problem(p *Problem) { c.problems = append(c.problems, *p) }

// ids returns the command_id of every PDU collected.
func (c *collector) ids() []uint32 {
	out := make([]uint32, len(c.pdus))
	for i, p := range c.pdus {
		out[i] = binary.BigEndian.Uint32(p.Data[4:8])
	}
	return out
}

// publicDir finds shared/pcaps/public by walking up from the package
// directory, or skips the test.
func publicDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "pcaps", "public")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("shared/pcaps/public not found")
		}
		dir = parent
	}
}

// peakHeap runs f and returns the most heap in use (live objects and
// unswept spans) seen above what was in use before, sampled every
// millisecond and at the end. Tests that call it must not run in parallel.
func peakHeap(f func()) uint64 {
	names := []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}
	inUse := func(s []metrics.Sample) uint64 {
		metrics.Read(s)
		var n uint64
		for _, x := range s {
			n += x.Value.Uint64()
		}
		return n
	}
	samples := func() []metrics.Sample {
		s := make([]metrics.Sample, len(names))
		for i, n := range names {
			s[i].Name = n
		}
		return s
	}
	runtime.GC()
	base := inUse(samples())
	stop, peakc := make(chan struct{}), make(chan uint64)
	go func() {
		s := samples()
		peak := base
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				peakc <- peak
				return
			case <-tick.C:
				peak = max(peak, inUse(s))
			}
		}
	}()
	f()
	end := inUse(samples())
	close(stop)
	peak := max(<-peakc, end)
	return peak - min(peak, base)
}
