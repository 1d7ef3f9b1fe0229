package reassembly

import "io"

// lookahead reads a capture stream through a window that the capture
// readers can look into before they consume it: to read a record in
// place, and to try record chains at every offset while resynchronising
// after damage. The window grows with the bytes actually read (never by a
// length the file states), up to what a caller asks for; callers bound
// their requests.
type lookahead struct {
	r      io.Reader
	buf    []byte
	lo, hi int   // buf[lo:hi] holds the bytes not yet consumed
	off    int64 // stream offset of buf[lo]
	err    error // the reader's error once it returned one (io.EOF at the end)
}

// lookaheadMin is the window's initial size, and the least it reads at once.
const lookaheadMin = 256 << 10

// peek returns at least n bytes from the current offset, or fewer when the
// stream ends (or fails) before. The bytes stay valid until the next call
// of peek or discard. It is inlined: the window nearly always holds them.
func (l *lookahead) peek(n int) []byte {
	if l.hi-l.lo < n {
		l.fill(n)
	}
	return l.buf[l.lo:l.hi]
}

// fill reads until the window holds n bytes or the stream ends.
func (l *lookahead) fill(n int) {
	for l.hi-l.lo < n && l.err == nil {
		if l.hi == len(l.buf) {
			l.makeRoom(n)
		}
		m, err := l.r.Read(l.buf[l.hi:])
		if m < 0 || m > len(l.buf)-l.hi {
			m, err = 0, io.ErrNoProgress // a broken io.Reader
		}
		l.hi += m
		if err != nil {
			l.err = err
		}
	}
}

// makeRoom makes space after hi, towards n bytes in all: it moves the
// window's bytes to the front of buf when that frees enough, or doubles
// buf. buf is full of bytes read when it doubles, so it stays below four
// times the most bytes the window has held.
func (l *lookahead) makeRoom(n int) {
	have := l.hi - l.lo
	if l.lo > 0 && len(l.buf)-have >= min(n-have, lookaheadMin) {
		copy(l.buf, l.buf[l.lo:l.hi])
		l.lo, l.hi = 0, have
		return
	}
	b := make([]byte, max(lookaheadMin, 2*len(l.buf)))
	copy(b, l.buf[l.lo:l.hi])
	l.buf, l.lo, l.hi = b, 0, have
}

// discard consumes n bytes, at most those peeked.
func (l *lookahead) discard(n int) {
	n = min(n, l.hi-l.lo)
	l.lo += n
	l.off += int64(n)
	if l.lo == l.hi {
		l.lo, l.hi = 0, 0
	}
}

// ended reports whether the stream has no more bytes after the window,
// and returns the reader's error other than io.EOF.
func (l *lookahead) ended() (bool, error) {
	if l.err == nil {
		return false, nil
	}
	if l.err == io.EOF {
		return true, nil
	}
	return true, l.err
}
