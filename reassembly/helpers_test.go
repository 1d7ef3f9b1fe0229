package reassembly

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"smppdump.dev/smppdump/internal/memuse"
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

// peakHeap runs f and returns the most heap in use seen above what was in
// use before (see memuse.Measure). Tests that call it must not run in
// parallel.
func peakHeap(f func()) uint64 { return memuse.Measure(f).PeakHeap }
