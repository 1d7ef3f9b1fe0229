package report

// pendingTable holds one direction's outstanding requests by sequence
// number. Senders mostly count sequence numbers up and answers come soon,
// so the outstanding ones fit a small ring indexed by the low bits of the
// number, and a lookup is one array read. A request whose slot is taken by
// another (a request left unanswered while later ones wrapped the ring)
// waits in a map instead. The ring grows while it is crowded, up to
// maxPendingRing slots; memory stays bounded by sessionLimits.maxPending.
type pendingTable struct {
	ring []pending // by seq & (len-1); order 0 marks an empty slot
	over map[uint32]pending
	n    int
}

const (
	minPendingRing = 8
	maxPendingRing = 1 << 12
)

// Len returns the number of outstanding requests.
func (t *pendingTable) Len() int { return t.n }

// slot returns the ring slot of seq, or nil when the ring is empty.
func (t *pendingTable) slot(seq uint32) *pending {
	if len(t.ring) == 0 {
		return nil
	}
	return &t.ring[seq&uint32(len(t.ring)-1)]
}

// get returns the request with sequence number seq.
func (t *pendingTable) get(seq uint32) (pending, bool) {
	if s := t.inRing(seq); s != nil {
		return *s, true
	}
	if len(t.over) > 0 {
		pr, ok := t.over[seq]
		return pr, ok
	}
	return pending{}, false
}

// has reports whether a request with sequence number seq is outstanding:
// get without a copy of the request, for the usual answer, no.
func (t *pendingTable) has(seq uint32) bool {
	if t.inRing(seq) != nil {
		return true
	}
	if len(t.over) == 0 {
		return false
	}
	_, ok := t.over[seq]
	return ok
}

// inRing returns the ring slot holding the request with sequence number
// seq, or nil when it is not in the ring (it may be in over). The pointer
// is valid until the table changes; it spares callers a copy of the
// request.
func (t *pendingTable) inRing(seq uint32) *pending {
	if s := t.slot(seq); s != nil && s.order != 0 && s.seq == seq {
		return s
	}
	return nil
}

// take returns the request with sequence number seq and removes it.
func (t *pendingTable) take(seq uint32) (pending, bool) {
	if s := t.inRing(seq); s != nil {
		pr := *s
		*s = pending{}
		t.n--
		return pr, true
	}
	pr, ok := t.over[seq]
	if ok {
		delete(t.over, seq)
		t.n--
	}
	return pr, ok
}

// set files a copy of *pr (pr.order > 0) under pr.seq, replacing a request
// with the same number. (A pointer: a request is 72 bytes, copied once.)
func (t *pendingTable) set(pr *pending) {
	if len(t.over) > 0 {
		if _, ok := t.over[pr.seq]; ok {
			t.over[pr.seq] = *pr
			return
		}
	}
	for {
		s := t.slot(pr.seq)
		switch {
		case s == nil:
			t.ring = make([]pending, minPendingRing)
			continue
		case s.order == 0:
			t.n++
			*s = *pr
			return
		case s.seq == pr.seq:
			*s = *pr
			return
		case len(t.ring) < maxPendingRing && 2*t.n >= len(t.ring):
			t.grow()
			continue
		}
		if t.over == nil {
			t.over = map[uint32]pending{}
		}
		t.over[pr.seq] = *pr
		t.n++
		return
	}
}

// del removes the request with sequence number seq.
func (t *pendingTable) del(seq uint32) {
	if s := t.slot(seq); s != nil && s.order != 0 && s.seq == seq {
		*s = pending{}
		t.n--
		return
	}
	if _, ok := t.over[seq]; ok {
		delete(t.over, seq)
		t.n--
	}
}

// prune removes every request for which drop is true.
func (t *pendingTable) prune(drop func(pending) bool) {
	for i := range t.ring {
		if s := &t.ring[i]; s.order != 0 && drop(*s) {
			*s = pending{}
			t.n--
		}
	}
	for seq, pr := range t.over {
		if drop(pr) {
			delete(t.over, seq)
			t.n--
		}
	}
}

// grow doubles the ring and moves into it the requests that now have a
// free slot.
func (t *pendingTable) grow() {
	old, over := t.ring, t.over
	t.ring, t.over, t.n = make([]pending, 2*len(old)), nil, 0
	for i := range old {
		if old[i].order != 0 {
			t.set(&old[i])
		}
	}
	for _, pr := range over {
		t.set(&pr)
	}
}
