package main

import (
	"fmt"
	"io"
	"sync/atomic"

	"smppdump.dev/smppdump/reassembly"
	"smppdump.dev/smppdump/report"
)

// pipeline runs the analysis on a goroutine of its own, so that capture
// reading and reassembly (the producer, on reassembly.Run's goroutine) and
// decoding, correlation and output (the consumer) use two cores. Framed PDUs
// are copied into batches, because reassembly reuses their buffers once the
// handler returns; batches travel in order through a small channel, so
// output order and memory stay as without the pipeline.
type pipeline struct {
	a        *report.Analyzer
	stderr   io.Writer
	cur      *batch
	work     chan *batch
	free     chan *batch
	done     chan struct{}
	failed   atomic.Bool // the consumer hit a write error: stop feeding
	err      error       // the consumer's first error; read after close
	problems int
}

const (
	batchItems = 512
	batchBytes = 256 << 10
	inFlight   = 4
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
}

type batch struct {
	items []item
	data  []byte
}

func newPipeline(a *report.Analyzer, stderr io.Writer) *pipeline {
	p := &pipeline{a: a, stderr: stderr, work: make(chan *batch, inFlight), free: make(chan *batch, inFlight+1),
		done: make(chan struct{}), cur: &batch{}}
	go p.consume()
	return p
}

func (p *pipeline) consume() {
	defer close(p.done)
	for b := range p.work {
		for i := range b.items {
			if p.err != nil {
				break
			}
			it := &b.items[i]
			switch it.kind {
			case itemPDU:
				p.err = p.a.PDU(it.meta, b.data[it.off:it.off+it.n])
			case itemGap:
				p.err = p.a.Gap(report.GapRecord{Meta: it.meta, Bytes: it.bytes, Reason: it.reason})
			}
		}
		if p.err != nil {
			p.failed.Store(true)
		}
		clear(b.items) // drop references to strings of the last run
		b.items, b.data = b.items[:0], b.data[:0]
		select {
		case p.free <- b:
		default:
		}
	}
}

// flush hands the current batch to the consumer.
func (p *pipeline) flush() {
	if len(p.cur.items) == 0 {
		return
	}
	p.work <- p.cur
	select {
	case p.cur = <-p.free:
	default:
		p.cur = &batch{}
	}
}

// close flushes, waits for the consumer and returns its first error.
func (p *pipeline) close() error {
	p.flush()
	close(p.work)
	<-p.done
	return p.err
}

func meta(file string, frame int, e reassembly.Endpoint) report.Meta {
	return report.Meta{File: file, Frame: frame, Time: e.Time, Stream: e.Stream, Src: e.Src, Dst: e.Dst, Dir: e.Dir.String()}
}

// PDU implements reassembly.Handler.
func (p *pipeline) PDU(r *reassembly.PDU) {
	if p.failed.Load() {
		return
	}
	b := p.cur
	m := meta(r.File, r.Frame, r.Endpoint)
	m.Offset = r.Offset
	b.items = append(b.items, item{kind: itemPDU, meta: m, off: len(b.data), n: len(r.Data)})
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
	p.cur.items = append(p.cur.items, item{kind: itemGap, meta: meta(g.File, g.Frame, g.Endpoint), bytes: g.Bytes, reason: g.Reason})
}

// Problem implements reassembly.Handler: problems are reported at once.
func (p *pipeline) Problem(pr *reassembly.Problem) {
	p.problems++
	fmt.Fprintf(p.stderr, "smppdump: %v\n", pr)
}
