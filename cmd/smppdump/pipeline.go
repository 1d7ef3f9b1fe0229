package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/reassembly"
	"smppdump.dev/smppdump/report"
)

// pipeline spreads a run over three goroutines, so that it uses the
// cores there are: capture reading and reassembly (the producer, on
// reassembly.Run's goroutine), decoding and validation (the decode stage),
// and sessions, correlation and output (the consumer). Framed PDUs are
// copied into batches, because reassembly reuses their buffers once the
// handler returns; batches travel in order through small channels, so
// output order and memory stay as without the pipeline. With one core the
// producer decodes and analyses each batch itself (serial); with two and
// no PDU records to write, there is no decode stage, and producer and
// consumer share the decoding (split).
type pipeline struct {
	a        *report.Analyzer
	stderr   io.Writer
	mu       sync.Mutex // guards cur when a live capture's ticker flushes it
	cur      *batch
	work     chan *batch // producer → decode stage
	decoded  chan *batch // decode stage → consumer
	free     chan *batch // batches the consumer is done with
	batches  int         // batches made so far, at most maxBatches
	done     chan struct{}
	failed   atomic.Bool // the consumer hit a write error: stop feeding
	err      error       // the consumer's first error; read after close
	problems int
	// keepFrames: -w wants the frames of the PDUs the filters select;
	// frames collects them (consumer side; read after close), or marker,
	// when set, hears of every PDU as it is consumed (streaming -w).
	keepFrames bool
	frames     map[string]map[int]bool
	marker     *writeQueue
	// live: flush partial batches every flushEvery, and the writer after
	// every batch, so a live capture prints as it goes.
	live   bool
	ticker *time.Ticker
	stop   chan struct{}
	// serial: with one core (GOMAXPROCS=1) there is nothing to overlap, so
	// there are no goroutines: the producer decodes (with dec) and
	// analyses each batch itself once it is full. That was faster than
	// decoding and analysing each PDU as it is framed, its bytes still in
	// cache (one core, -q on a 1M-PDU capture, alternated runs: 0.86 s
	// against 1.04 s, and 1.00 s against 1.10 s): a batch's decoding, then
	// its analysis, each run a loop whose code stays in the instruction
	// cache, and the analysis reads ahead for the whole batch (Warm).
	serial bool
	// dec decodes for the goroutine that analyses (serial: the producer;
	// split: the consumer); nil when the decode stage does.
	dec *report.StreamDecoder
	// split: with two cores, three goroutines only take turns on them, and
	// a batch decoded on one core is analysed on the other, whose caches
	// then miss the decoded PDUs. When the analysis writes no PDU records
	// (-q), the producer instead decodes the PDUs of every third stream
	// (with split) when a batch is full, and the consumer the rest before
	// it analyses the batch, so that the two goroutines' shares come out
	// about even on a busy link. Two cores, -q on a 1M-PDU capture, 11
	// alternated runs each: 0.46 s against 0.41 s, 0.49 s against 0.44 s
	// and 0.48 s against 0.43 s for the three stages; decoding every second
	// stream on the producer, 0.48 s. Writing PDU lines, the consumer has
	// the most to do, and the three stages stay (text output of the same
	// capture: 1.27 s with them, 1.39 s split).
	split *report.StreamDecoder
	warm  []*decode.PDU // the consumer's list for Warm
}

// flushEvery is how long a live capture's PDUs may wait in a partial batch.
const flushEvery = 200 * time.Millisecond

// flusher is a writer that can push out what it buffered.
type flusher interface{ Flush() error }

// A batch's size and the batches queued between stages were measured
// together (two cores, -q on a 1M-PDU capture, alternating runs): 64 items
// and 4 queued took 0.56 s, 128 and 8 0.48 s; 512 items, or 32 queued,
// were slower again. Deep queues let each stage run on without waiting
// for the next to be woken, and the runtime parks and wakes goroutines
// less often; too deep, and the batches in flight no longer stay in cache.
const (
	batchItems = 128
	batchBytes = 256 << 10
	inFlight   = 8
	// maxBatches is every batch that can exist at once: one being filled,
	// inFlight queued for each stage, and one in the hands of each stage.
	// The producer makes no more than that and otherwise waits for one to
	// come back, so batches are reused for the whole run instead of
	// made afresh whenever the free list happened to be empty.
	maxBatches = 2*inFlight + 3
)

type itemKind uint8

const (
	itemPDU itemKind = iota
	itemGap
)

// item is one record of a batch; a PDU's bytes are data[off:off+n].
type item struct {
	kind   itemKind
	meta   report.Meta
	off, n int
	bytes  int64
	reason string
	frames []int // every frame that carried the PDU, when -w needs them
	// decoded: the producer decoded the PDU already (split).
	decoded bool
}

type batch struct {
	items []item
	data  []byte
	// pdus holds the decoded PDUs, parallel to items (the decode stage
	// fills them; they alias data).
	pdus []decode.PDU
}

// sizePDUs makes pdus as long as items at least.
func (b *batch) sizePDUs() {
	if len(b.pdus) < len(b.items) {
		b.pdus = append(b.pdus, make([]decode.PDU, len(b.items)-len(b.pdus))...)
	}
}

// newPipeline returns the pipeline for a; keepFrames: -w needs the frames of
// the selected PDUs; live: a live capture; light: the analysis writes no
// PDU records (-q), so with two cores it can take a share of the decoding
// (see split).
func newPipeline(a *report.Analyzer, stderr io.Writer, keepFrames, live, light bool) *pipeline {
	p := &pipeline{a: a, stderr: stderr, work: make(chan *batch, inFlight), decoded: make(chan *batch, inFlight),
		free: make(chan *batch, maxBatches), done: make(chan struct{}), cur: &batch{}, batches: 1, keepFrames: keepFrames, live: live}
	if keepFrames {
		p.frames = map[string]map[int]bool{}
	}
	if !live && runtime.GOMAXPROCS(0) == 1 {
		p.serial, p.dec = true, a.StreamDecoder()
		return p
	}
	if light && runtime.GOMAXPROCS(0) == 2 {
		p.decoded, p.dec, p.split = p.work, a.StreamDecoder(), a.StreamDecoder()
	} else {
		go p.decode(a.StreamDecoder())
	}
	go p.consume()
	if live {
		p.ticker, p.stop = time.NewTicker(flushEvery), make(chan struct{})
		go func() {
			for {
				select {
				case <-p.ticker.C:
					p.mu.Lock()
					p.flush()
					p.mu.Unlock()
				case <-p.stop:
					return
				}
			}
		}()
	}
	return p
}

// decode is the stage between producer and consumer: it decodes every PDU
// of a batch, so that decoding and analysis run on different cores.
func (p *pipeline) decode(d *report.StreamDecoder) {
	defer close(p.decoded)
	for b := range p.work {
		decodeBatch(d, b)
		p.decoded <- b
	}
}

// decodeBatch decodes the PDUs of b into b.pdus, but for those decoded
// already.
func decodeBatch(d *report.StreamDecoder, b *batch) {
	b.sizePDUs()
	for i := range b.items {
		if it := &b.items[i]; it.kind == itemPDU && !it.decoded {
			d.Decode(it.meta.Stream, b.data[it.off:it.off+it.n], &b.pdus[i])
		}
	}
}

// decodeShare decodes, on the producer, the PDUs of b's streams that are
// the producer's (see split): every third stream in order of first sight,
// which is the order streams are numbered in. A stream has the same
// decoder for the whole run, since its bind version follows its own PDUs
// in order.
func decodeShare(d *report.StreamDecoder, b *batch) {
	b.sizePDUs()
	for i := range b.items {
		if it := &b.items[i]; it.kind == itemPDU && it.meta.Stream%3 == 0 {
			d.Decode(it.meta.Stream, b.data[it.off:it.off+it.n], &b.pdus[i])
			it.decoded = true
		}
	}
}

func (p *pipeline) consume() {
	defer close(p.done)
	for b := range p.decoded {
		if p.dec != nil {
			decodeBatch(p.dec, b)
		}
		p.consumeBatch(b)
		p.free <- b // never blocks: free has room for every batch
	}
}

// consumeBatch analyses the records of a decoded batch and empties it.
func (p *pipeline) consumeBatch(b *batch) {
	// The analyzer first reads ahead, for the whole batch, the state its
	// receipts and responses will reach (see report.Analyzer.Warm).
	p.warm = p.warm[:0]
	for i := range b.items {
		if b.items[i].kind == itemPDU {
			p.warm = append(p.warm, &b.pdus[i])
		}
	}
	p.a.Warm(p.warm)
	for i := range b.items {
		if p.err != nil {
			break
		}
		it := &b.items[i]
		switch it.kind {
		case itemPDU:
			p.err = p.a.Decoded(&it.meta, &b.pdus[i])
			if p.keepFrames {
				p.keep(it.meta.File, it.frames, p.a.Selected())
			}
		case itemGap:
			p.err = p.a.Gap(report.GapRecord{Meta: it.meta, Bytes: it.bytes, Reason: it.reason})
		}
	}
	if p.live && p.err == nil {
		if f, ok := p.a.Writer().(flusher); ok {
			p.err = f.Flush()
		}
	}
	if p.err != nil {
		p.failed.Store(true)
	}
	// Not cleared: the producer appends a zero item before it fills
	// one, and clearing a batch's items here cost the consumer, the
	// slowest stage with two cores, 5% of its time. What the items
	// still refer to (file names, -w's frame lists) stays alive only
	// until the batch is refilled, and batches are few (maxBatches).
	b.items, b.data = b.items[:0], b.data[:0]
}

// keep records the frames of a selected PDU for -w; a streaming -w hears
// of every PDU.
func (p *pipeline) keep(file string, frames []int, selected bool) {
	if p.marker != nil {
		p.marker.pduConsumed(file, frames, selected)
		return
	}
	if !selected {
		return
	}
	set := p.frames[file]
	if set == nil {
		set = map[int]bool{}
		p.frames[file] = set
	}
	for _, f := range frames {
		set[f] = true
	}
}

// flush hands the current batch to the decode stage, or decodes and
// analyses it at once when serial. The caller holds mu when the live
// ticker runs.
func (p *pipeline) flush() {
	if len(p.cur.items) == 0 {
		return
	}
	if p.serial {
		decodeBatch(p.dec, p.cur)
		p.consumeBatch(p.cur)
		return
	}
	if p.split != nil {
		decodeShare(p.split, p.cur)
	}
	p.work <- p.cur
	select {
	case p.cur = <-p.free:
		return
	default:
	}
	if p.batches < maxBatches {
		p.batches++
		p.cur = &batch{}
		return
	}
	p.cur = <-p.free
}

// close flushes, waits for the consumer and returns its first error.
func (p *pipeline) close() error {
	if p.serial {
		p.flush()
		return p.err
	}
	if p.live {
		p.ticker.Stop()
		close(p.stop)
	}
	p.mu.Lock()
	p.flush()
	p.mu.Unlock()
	close(p.work)
	<-p.done
	return p.err
}

func meta(file string, frame int, e reassembly.Endpoint) report.Meta {
	var m report.Meta
	setMeta(&m, file, frame, &e)
	return m
}

// pduMeta sets *m to the record of PDU r.
func pduMeta(m *report.Meta, r *reassembly.PDU) {
	setMeta(m, r.File, r.Frame, &r.Endpoint)
	m.Offset = r.Offset
}

// setMeta sets *m to the record of a PDU or gap of file, frame and e.
// Field by field: a composite literal is built aside and then copied, as
// e might alias m (it costs half as much again, for every PDU).
func setMeta(m *report.Meta, file string, frame int, e *reassembly.Endpoint) {
	m.File, m.Frame, m.Time, m.Stream = file, frame, e.Time, e.Stream
	m.Src, m.Dst, m.Dir, m.Offset = e.Src, e.Dst, e.Dir.String(), 0
}

// PDU implements reassembly.Handler.
func (p *pipeline) PDU(r *reassembly.PDU) {
	if p.failed.Load() {
		return
	}
	if p.live {
		p.mu.Lock()
		defer p.mu.Unlock()
	}
	b := p.cur
	// Filled in place: an item is large, and building it aside costs a
	// copy per PDU on the producer, the pipeline's busiest stage.
	b.items = append(b.items, item{})
	it := &b.items[len(b.items)-1]
	it.kind, it.off, it.n = itemPDU, len(b.data), len(r.Data)
	pduMeta(&it.meta, r)
	if p.keepFrames {
		it.frames = slices.Clone(r.Frames)
	}
	b.data = append(b.data, r.Data...)
	if len(b.items) >= batchItems || len(b.data) >= batchBytes {
		p.flush()
	}
}

// Gap implements reassembly.Handler.
func (p *pipeline) Gap(g *reassembly.Gap) {
	if p.failed.Load() {
		return
	}
	if p.live {
		p.mu.Lock()
		defer p.mu.Unlock()
	}
	p.cur.items = append(p.cur.items, item{kind: itemGap, meta: meta(g.File, g.Frame, g.Endpoint), bytes: g.Bytes, reason: g.Reason})
	// A full batch goes, as after a PDU: a capture of gaps and no PDUs
	// would otherwise hold them all until the end.
	if len(p.cur.items) >= batchItems {
		p.flush()
	}
}

// Problem implements reassembly.Handler: problems are reported at once.
func (p *pipeline) Problem(pr *reassembly.Problem) {
	p.problems++
	fmt.Fprintf(p.stderr, "smppdump: %v\n", pr)
}
