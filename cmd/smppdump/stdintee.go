package main

import (
	"io"

	"smppdump.dev/smppdump/reassembly"
)

// teeChunk caps what one read of standard input hands over, and so the
// frames the write queue takes between two checks of its bound.
const teeChunk = 16 << 10

// frameTee is standard input for a streaming -w run. What reassembly reads
// through it is parsed a second time, frame by frame, on a goroutine of its
// own, into the write queue, in lockstep: Read hands the bytes over and
// returns only when the parser has consumed them and asks for more, that
// is when every complete frame in them is queued. When reassembly reads
// again, it has handled every complete frame it read before, which are
// the frames queued: that is when the queue may let frames go.
type frameTee struct {
	r       io.Reader
	q       *writeQueue
	chunks  chan []byte   // Read → parser
	acks    chan struct{} // parser → Read: the chunk is consumed
	done    chan struct{} // the parser has ended
	started bool

	// Parser side.
	cur     []byte
	pending bool // cur's chunk is not acknowledged yet
	eof     bool
}

func newFrameTee(r io.Reader, q *writeQueue) *frameTee {
	return &frameTee{r: r, q: q, chunks: make(chan []byte), acks: make(chan struct{}), done: make(chan struct{})}
}

// Read implements io.Reader for reassembly.Run.
func (t *frameTee) Read(b []byte) (int, error) {
	t.q.advance()
	if len(b) > teeChunk {
		b = b[:teeChunk]
	}
	n, err := t.r.Read(b)
	if n > 0 {
		t.hand(b[:n])
	}
	return n, err
}

// hand gives b to the parser and waits until it has consumed it.
func (t *frameTee) hand(b []byte) {
	if !t.started {
		t.started = true
		go t.parse()
	}
	select {
	case t.chunks <- b:
	case <-t.done:
		return
	}
	select {
	case <-t.acks:
	case <-t.done:
	}
}

// parse queues every frame of standard input. It ends at the end of the
// input or at damage, which reassembly reports itself.
func (t *frameTee) parse() {
	defer close(t.done)
	fr, err := reassembly.NewFrameReader("-", teeReader{t})
	if err != nil {
		return
	}
	t.q.Start("-", fr.LinkType())
	for {
		f, err := fr.Next()
		if err != nil {
			return
		}
		t.q.push(f)
	}
}

// close ends the parser, after reassembly has finished reading.
func (t *frameTee) close() {
	if t.started {
		close(t.chunks)
		<-t.done
	}
}

// teeReader is the parser's side of a frameTee.
type teeReader struct{ t *frameTee }

func (r teeReader) Read(p []byte) (int, error) {
	t := r.t
	if len(t.cur) == 0 {
		if t.pending {
			t.pending = false
			t.acks <- struct{}{}
		}
		if t.eof {
			return 0, io.EOF
		}
		b, ok := <-t.chunks
		if !ok {
			t.eof = true
			return 0, io.EOF
		}
		t.cur, t.pending = b, true
	}
	n := copy(p, t.cur)
	t.cur = t.cur[n:]
	return n, nil
}
