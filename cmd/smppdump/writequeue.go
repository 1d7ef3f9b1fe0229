package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"smppdump.dev/smppdump/reassembly"
)

// Streaming -w (live capture, standard input). Every frame is copied into
// a queue, in capture order: a live capture's before reassembly sees it,
// standard input's from a second reading of the same bytes (frameTee). The
// analysis marks the frames of the PDUs the filters select, and a mark
// that comes before its frame is kept until the frame does. A frame
// leaves the queue from its head, written if marked, once reassembly has
// handled it, it is out of the write window (reassembly has handled a
// frame captured writeWindowAge later, or the queue holds more than
// writeWindowBytes), and the analysis has seen every PDU delivered up to
// then. When the analysis lags and the queue reaches writeQueueMax, the
// capture waits for it. So the output keeps capture order and memory stays
// flat; a frame marked after it left (its PDU took longer than the window
// to complete) is counted, not written.
const (
	// writeWindowAge is twice reassembly's longest delay of a PDU (the 5 s
	// it waits for a segment missing before data received out of order;
	// then it gives the hole up), far more than its 200 ms hold of a
	// mid-stream start.
	writeWindowAge   = 10 * time.Second
	writeWindowBytes = 32 << 20
	writeQueueMax    = 64 << 20
	// writeQueueSlack is room for what arrives between two checks of the
	// bound: one frame of a live capture (at most the snap length); from
	// standard input, the 64 frames between two progress calls of Run and
	// those of one read ahead (teeChunk bytes, more when gzip-compressed).
	writeQueueSlack = 1 << 20
	// frameOverhead is what a queued frame costs besides its bytes: its
	// entry, counted twice for the slack of a growing slice.
	frameOverhead = 192
	// writeTick is how often a live capture lets old frames go by the
	// wall clock, so that the files stay current when traffic pauses.
	writeTick = time.Second
	// lateMemory bounds the set that counts each late frame once, and the
	// marks kept for frames not queued yet.
	lateMemory = 4096
)

// writeLimits are the queue's bounds (the write* constants; tests shrink
// them).
type writeLimits struct {
	age          time.Duration
	window, max  int64
	slack        int64
	waitProgress time.Duration // how often a waiting capture looks again
}

var defaultWriteLimits = writeLimits{age: writeWindowAge, window: writeWindowBytes, max: writeQueueMax,
	slack: writeQueueSlack, waitProgress: 50 * time.Millisecond}

// queuedFrame is one frame waiting in the queue.
type queuedFrame struct {
	number int // as in PDU.Frames
	seq    int // 1 for the first frame queued, 2 for the next...
	ts     time.Time
	length int // original length
	data   []byte
	chunk  int64  // arena chunk of data, -1 for its own allocation
	need   uint64 // PDUs delivered when the frame left the window
	lt     layers.LinkType
	ripe   bool // out of the window
	marked bool // carried a selected PDU
}

// writeQueue is the queue of streaming -w. It is a reassembly.FrameSink
// (live capture) and is fed by a frameTee (standard input). Its methods
// are safe for concurrent use: frames come from the capture goroutine,
// marks from the analysis, and the wall-clock tick from its own.
type writeQueue struct {
	lim    writeLimits
	out    *captureOut
	stderr io.Writer
	// Hooks into the pipeline: flush hands the PDUs delivered so far to
	// the analysis, failed says that the analysis stopped, abort ends the
	// run after a write error.
	flush  func()
	failed func() bool
	abort  func()

	delivered   atomic.Uint64 // PDUs reassembly delivered
	consumedSig chan struct{} // a PDU was consumed

	mu       sync.Mutex
	input    string
	ents     []queuedFrame // ents[head:] are queued, oldest first
	head     int
	next     int // number of the next frame to come
	pushed   int // frames queued so far
	bytes    int64
	newest   time.Time // the latest capture time queued
	handled  int       // reassembly has handled the frames up to this seq
	clock    time.Time // the latest capture time of those
	consumed uint64    // PDUs the analysis has seen
	arena    frameArena
	late     int
	lateSeen map[int]struct{}
	early    map[int]struct{} // marks of frames not queued yet
	err      error
	frame    reassembly.Frame // reused for writing

	stopTick, tickDone chan struct{}
}

// newWriteQueue returns the queue of the frames of input ("-" or the
// interface) that go to out.
func newWriteQueue(input string, out *captureOut, lim writeLimits, stderr io.Writer) *writeQueue {
	return &writeQueue{input: input, lim: lim, out: out, stderr: stderr, next: 1, consumedSig: make(chan struct{}, 1),
		lateSeen: map[int]struct{}{}, early: map[int]struct{}{}, flush: func() {}, failed: func() bool { return false }, abort: func() {}}
}

// Start implements reassembly.FrameSink.
func (q *writeQueue) Start(_ string, lt layers.LinkType) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.out.setLink(lt); err != nil {
		q.fail(err)
	}
}

// Frame implements reassembly.FrameSink: RunLive has handled every frame
// before f. It never fails: a write error stops the run through abort and
// comes back from finish.
func (q *writeQueue) Frame(f *reassembly.Frame) error {
	q.mu.Lock()
	q.handled, q.clock = q.pushed, q.newest
	q.release(q.clock, q.handled, true)
	q.mu.Unlock()
	q.push(f)
	return nil
}

// push copies f to the end of the queue.
func (q *writeQueue) push(f *reassembly.Frame) {
	q.mu.Lock()
	defer q.mu.Unlock()
	data, chunk := q.arena.alloc(len(f.Data))
	copy(data, f.Data)
	q.pushed++
	e := queuedFrame{number: f.Number, seq: q.pushed, ts: f.Info.Timestamp, length: f.Info.Length, data: data, chunk: chunk, lt: f.LinkType}
	if len(q.early) > 0 {
		if _, ok := q.early[f.Number]; ok {
			e.marked = true
			delete(q.early, f.Number)
		}
	}
	q.ents = append(q.ents, e)
	q.bytes += int64(len(data)) + frameOverhead
	if f.Info.Timestamp.After(q.newest) {
		q.newest = f.Info.Timestamp
	}
	q.next = f.Number + 1
}

// progress is reassembly.Options.Progress of a streaming standard input:
// Run has handled pi.Packets frames (it calls this every 64), the first
// pi.Packets frames queued.
func (q *writeQueue) progress(pi reassembly.ProgressInfo) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := int(pi.Packets)
	if n <= q.handled {
		return
	}
	q.handled = n
	queued := q.ents[q.head:]
	if i := sort.Search(len(queued), func(i int) bool { return queued[i].seq > n }); i > 0 && queued[i-1].ts.After(q.clock) {
		q.clock = queued[i-1].ts
	}
	q.release(q.clock, q.handled, true)
}

// advance lets frames go, from reassembly's goroutine, which it may make
// wait for the analysis when the queue is full.
func (q *writeQueue) advance() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.release(q.clock, q.handled, true)
}

// tick lets frames go by the wall clock (live capture), and flushes what
// was written to the file. The newest frame stays: reassembly may not have
// handled it yet.
func (q *writeQueue) tick(now time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.release(now, min(q.handled, q.pushed-1), false)
	if q.err == nil {
		if err := q.out.flush(); err != nil {
			q.fail(err)
		}
	}
}

// release pops the head while reassembly has handled it (its seq is at
// most handled), it is out of the window at capture time now, and the
// analysis has seen the PDUs delivered by then. With mayWait, a full queue
// waits for the analysis. The caller holds mu.
func (q *writeQueue) release(now time.Time, handled int, mayWait bool) {
	for q.head < len(q.ents) {
		e := &q.ents[q.head]
		if e.seq > handled {
			return
		}
		if !e.ripe {
			if q.bytes <= q.lim.window && now.Sub(e.ts) <= q.lim.age {
				return
			}
			e.ripe, e.need = true, q.delivered.Load()
		}
		if q.consumed < e.need && !q.failed() {
			if !mayWait || q.bytes <= q.lim.max-q.lim.slack {
				return
			}
			q.wait(e.need)
			continue // the tick may have popped meanwhile
		}
		q.pop()
	}
}

// wait hands the analysis what reassembly delivered and waits until it has
// seen need PDUs (or stopped). The caller holds mu; wait releases it
// meanwhile.
func (q *writeQueue) wait(need uint64) {
	q.mu.Unlock()
	defer q.mu.Lock()
	q.flush()
	for {
		q.mu.Lock()
		done := q.consumed >= need
		q.mu.Unlock()
		if done || q.failed() {
			return
		}
		select {
		case <-q.consumedSig:
		case <-time.After(q.lim.waitProgress):
		}
	}
}

// pop removes the head, writing it when marked. The caller holds mu.
func (q *writeQueue) pop() {
	e := &q.ents[q.head]
	if e.marked && q.err == nil {
		q.frame = reassembly.Frame{File: q.input, Number: e.number, LinkType: e.lt, Data: e.data,
			Info: gopacket.CaptureInfo{Timestamp: e.ts, CaptureLength: len(e.data), Length: e.length}}
		if err := q.out.write(&q.frame); err != nil {
			q.fail(err)
		}
		q.frame.Data = nil
	}
	q.bytes -= int64(len(e.data)) + frameOverhead
	q.arena.free(e.chunk)
	*e = queuedFrame{}
	q.head++
	switch {
	case q.head == len(q.ents):
		q.ents, q.head = q.ents[:0], 0
	case q.head >= 1024 && 2*q.head >= len(q.ents):
		n := copy(q.ents, q.ents[q.head:])
		clear(q.ents[n:])
		q.ents, q.head = q.ents[:n], 0
	}
}

// fail keeps the first write error and stops the run. The caller holds mu.
func (q *writeQueue) fail(err error) {
	if q.err == nil {
		q.err = err
		q.abort()
	}
}

// pduConsumed is called by the analysis for every PDU, in delivery order,
// with the frames that carried it and whether the filters selected it.
func (q *writeQueue) pduConsumed(file string, frames []int, selected bool) {
	q.mu.Lock()
	q.consumed++
	if selected && file == q.input {
		for _, n := range frames {
			q.mark(n)
		}
	}
	q.mu.Unlock()
	select {
	case q.consumedSig <- struct{}{}:
	default:
	}
}

// mark marks frame n for writing. The caller holds mu.
func (q *writeQueue) mark(n int) {
	queued := q.ents[q.head:]
	if n >= q.next { // the frame is not queued yet (standard input's second reading lags)
		if len(q.early) < lateMemory {
			q.early[n] = struct{}{}
		} else {
			q.late++
		}
		return
	}
	if len(queued) == 0 || n < queued[0].number {
		if _, ok := q.lateSeen[n]; !ok {
			if len(q.lateSeen) >= lateMemory {
				clear(q.lateSeen)
			}
			q.lateSeen[n] = struct{}{}
			q.late++
		}
		return
	}
	i := sort.Search(len(queued), func(i int) bool { return queued[i].number >= n })
	if i < len(queued) && queued[i].number == n {
		queued[i].marked = true
	}
}

// startTicker runs tick every d until finish.
func (q *writeQueue) startTicker(d time.Duration) {
	q.stopTick, q.tickDone = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(q.tickDone)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case now := <-t.C:
				q.tick(now)
			case <-q.stopTick:
				return
			}
		}
	}()
}

// finish writes what is left, once the analysis has seen every PDU, and
// closes the output. It reports the frames marked too late.
func (q *writeQueue) finish() error {
	if q.stopTick != nil {
		close(q.stopTick)
		<-q.tickDone
		q.stopTick = nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.head < len(q.ents) {
		q.pop()
	}
	q.late += len(q.early) // marks of frames never queued
	err := q.out.close()
	if q.late > 0 {
		fmt.Fprintf(q.stderr, "smppdump: %d packets of selected PDUs left the write window before they were selected\n", q.late)
	}
	return errors.Join(q.err, err)
}

// queuedBytes returns what the queue holds, as it counts it against its
// bounds.
func (q *writeQueue) queuedBytes() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.bytes
}

// countedHandler is the Handler of a streaming -w run: the pipeline, with
// the PDUs delivered counted for the queue.
type countedHandler struct {
	*pipeline
	q *writeQueue
}

func (c countedHandler) PDU(p *reassembly.PDU) {
	c.q.delivered.Add(1)
	c.pipeline.PDU(p)
}

// arenaChunk is the size of the blocks queued frames are copied into.
const arenaChunk = 1 << 20

// frameArena allocates the bytes of queued frames from large blocks, in
// first-in first-out order, so that a busy queue costs a few allocations
// and no garbage per frame.
type frameArena struct {
	blocks []arenaBlock // oldest first; the last one is being filled
	first  int64        // number of blocks[0]
	spare  [][]byte
}

type arenaBlock struct {
	buf        []byte
	used, refs int
}

// alloc returns n bytes and the number of their block (-1: a frame too
// big for blocks got its own allocation).
func (a *frameArena) alloc(n int) ([]byte, int64) {
	if n > arenaChunk/8 {
		return make([]byte, n), -1
	}
	if len(a.blocks) == 0 || arenaChunk-a.blocks[len(a.blocks)-1].used < n {
		var buf []byte
		if k := len(a.spare); k > 0 {
			buf, a.spare = a.spare[k-1], a.spare[:k-1]
		} else {
			buf = make([]byte, arenaChunk)
		}
		a.blocks = append(a.blocks, arenaBlock{buf: buf})
	}
	i := len(a.blocks) - 1
	b := &a.blocks[i]
	out := b.buf[b.used : b.used+n : b.used+n]
	b.used += n
	b.refs++
	return out, a.first + int64(i)
}

// free gives back bytes from block number id; emptied blocks at the front
// are recycled.
func (a *frameArena) free(id int64) {
	if id < 0 {
		return
	}
	a.blocks[id-a.first].refs--
	for len(a.blocks) > 0 && a.blocks[0].refs == 0 {
		if len(a.blocks) == 1 {
			a.blocks[0].used = 0
			return
		}
		if len(a.spare) < 2 {
			a.spare = append(a.spare, a.blocks[0].buf)
		}
		a.blocks[0] = arenaBlock{}
		a.blocks = a.blocks[1:]
		a.first++
	}
}
