package main

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/reassembly"
)

// fakeRun plays reassembly and the analysis around a writeQueue: every
// frame completes one PDU, delivered after the frame is queued; the
// analysis sees PDUs only when the queue flushes the pipeline, or every
// lag PDUs, as a pipeline with partial batches does.
type fakeRun struct {
	t        *testing.T
	q        *writeQueue
	pending  []int // frames of delivered PDUs the analysis has not seen
	selected func(frame int) bool
	lag      int
}

func newFakeRun(t *testing.T, dir string, lim writeLimits, rot rotation, lag int, selected func(int) bool) *fakeRun {
	out, err := newCaptureOut(filepath.Join(dir, "q.pcap"), rot, 0, io.Discard)
	require.NoError(t, err)
	r := &fakeRun{t: t, selected: selected, lag: lag}
	r.q = newWriteQueue("-", out, lim, io.Discard)
	r.q.flush = r.consume
	r.q.Start("-", layers.LinkTypeEthernet)
	return r
}

func (r *fakeRun) consume() {
	for _, n := range r.pending {
		r.q.pduConsumed("-", []int{n}, r.selected(n))
	}
	r.pending = r.pending[:0]
}

// frame queues frame n, captured at ts, with size bytes naming n, and
// delivers its PDU.
func (r *fakeRun) frame(n int, ts time.Time, size int) {
	data := make([]byte, size)
	binary.BigEndian.PutUint32(data, uint32(n))
	f := reassembly.Frame{File: "-", Number: n, LinkType: layers.LinkTypeEthernet, Data: data,
		Info: gopacket.CaptureInfo{Timestamp: ts, CaptureLength: size, Length: size}}
	require.NoError(r.t, r.q.Frame(&f))
	r.q.delivered.Add(1)
	r.pending = append(r.pending, n)
	if r.lag > 0 && len(r.pending) >= r.lag {
		r.consume()
	}
}

// framesIn reads back the frame numbers written to the files in paths.
func framesIn(t *testing.T, paths ...string) []int {
	t.Helper()
	var got []int
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		fr, err := reassembly.NewFrameReader(p, bytes.NewReader(b))
		require.NoError(t, err)
		for {
			f, err := fr.Next()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			got = append(got, int(binary.BigEndian.Uint32(f.Data)))
		}
	}
	return got
}

// The queue never holds more than its bound, however far the analysis
// lags, and writes exactly the selected frames, in order.
func TestWriteQueueBounded(t *testing.T) {
	lim := writeLimits{age: time.Second, window: 64 << 10, max: 128 << 10, slack: 8 << 10, waitProgress: time.Millisecond}
	for _, tc := range []struct {
		name string
		lag  int // 0: only when the queue waits
		step time.Duration
		size int
	}{
		{"analysis waits for partial batches", 0, time.Millisecond, 1000},
		{"analysis lags 300 PDUs", 300, time.Millisecond, 700},
		{"slow traffic: the age bound", 50, 100 * time.Millisecond, 200},
		{"big frames", 0, time.Millisecond, 6000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			sel := func(n int) bool { return n%7 == 0 || n%11 == 3 }
			r := newFakeRun(t, dir, lim, rotation{}, tc.lag, sel)
			const frames = 20000
			var want []int
			peak := int64(0)
			for n := 1; n <= frames; n++ {
				r.frame(n, t0.Add(time.Duration(n)*tc.step), tc.size)
				peak = max(peak, r.q.queuedBytes())
				require.LessOrEqual(t, r.q.queuedBytes(), lim.max, "frame %d", n)
				if sel(n) {
					want = append(want, n)
				}
			}
			r.consume()
			require.NoError(t, r.q.finish())
			require.Zero(t, r.q.late)
			require.Empty(t, r.q.early)
			require.Equal(t, want, framesIn(t, filepath.Join(dir, "q.pcap")))
			t.Logf("peak %d bytes of %d", peak, lim.max)
		})
	}
}

// A PDU whose frames span more than the window is selected after its
// first frame has left: that frame is counted, not written out of order.
func TestWriteQueueLate(t *testing.T) {
	lim := writeLimits{age: time.Second, window: 1 << 20, max: 2 << 20, slack: 8 << 10, waitProgress: time.Millisecond}
	dir := t.TempDir()
	r := newFakeRun(t, dir, lim, rotation{}, 1, func(int) bool { return false })
	var errb bytes.Buffer
	r.q.stderr, r.q.out.stderr = &errb, &errb
	for n := 1; n <= 10; n++ {
		r.frame(n, t0.Add(time.Duration(n)*time.Second), 100)
	}
	// A PDU made of frames 2 (long gone) and 10 (queued) is selected.
	r.q.pduConsumed("-", []int{2, 10}, true)
	r.q.pduConsumed("-", []int{2, 10}, true) // counted once
	require.NoError(t, r.q.finish())
	require.Equal(t, 1, r.q.late)
	require.Equal(t, []int{10}, framesIn(t, filepath.Join(dir, "q.pcap")))
	require.Equal(t, "smppdump: wrote 1 packets to "+filepath.Join(dir, "q.pcap")+"\n"+
		"smppdump: 1 packets of selected PDUs left the write window before they were selected\n", errb.String())
}

// The wall-clock tick writes old frames while no traffic comes, but never
// the newest frame, which reassembly may not have handled.
func TestWriteQueueTick(t *testing.T) {
	lim := writeLimits{age: time.Second, window: 1 << 20, max: 2 << 20, slack: 8 << 10, waitProgress: time.Millisecond}
	dir := t.TempDir()
	r := newFakeRun(t, dir, lim, rotation{}, 1, func(int) bool { return true })
	for n := 1; n <= 3; n++ {
		r.frame(n, t0.Add(time.Duration(n)*time.Millisecond), 100)
	}
	r.q.tick(t0.Add(500 * time.Millisecond))
	require.Equal(t, 3, len(r.q.ents)-r.q.head, "younger than the window")
	r.q.tick(t0.Add(time.Minute))
	require.Equal(t, 1, len(r.q.ents)-r.q.head, "the newest stays")
	require.Equal(t, 2, r.q.out.frames)
	require.Equal(t, []int{1, 2}, framesIn(t, filepath.Join(dir, "q.pcap")), "flushed to the file")
	require.NoError(t, r.q.finish())
	require.Equal(t, []int{1, 2, 3}, framesIn(t, filepath.Join(dir, "q.pcap")))
}

// The arena recycles its blocks: a long run in a short queue keeps a few.
func TestFrameArena(t *testing.T) {
	var a frameArena
	type held struct {
		b  []byte
		id int64
		v  byte
	}
	var q []held
	for i := range 100000 {
		n := 50 + i%1500
		if i%1000 == 0 {
			n = arenaChunk // its own allocation
		}
		b, id := a.alloc(n)
		require.Len(t, b, n)
		copy(b, bytes.Repeat([]byte{byte(i)}, n))
		q = append(q, held{b, id, byte(i)})
		if len(q) > 500 {
			h := q[0]
			q = q[1:]
			require.Equal(t, len(h.b), bytes.Count(h.b, []byte{h.v}), "bytes of a queued frame were overwritten")
			a.free(h.id)
		}
		require.LessOrEqual(t, len(a.blocks), 3)
	}
	for _, h := range q {
		a.free(h.id)
	}
	require.Len(t, a.blocks, 1)
	require.Zero(t, a.blocks[0].used)
}
