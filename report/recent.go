package report

import "hash/maphash"

// recentIDs remembers the last n emitted message ids, by a 64-bit hash of
// their text key (a false match needs a hash collision among n ids).
//
// Each id remembers whether its message was written out complete or given
// up (timeout, table limit): a receipt arriving afterwards is a duplicate
// in the first case and late in the second.
//
// The hashes are keyHash values under the seed of the idIndex the ids come
// from, so that a hash computed for the index serves here too.
//
// Every emitted message adds its ids, but only receipts that match no live
// message ask: so add only writes the ring, and has first brings the set
// up to date by replaying the adds since it last asked, in order (or, when
// more than n came, by counting the ring afresh, oldest first). Either way
// the set ends as if every add had updated it at once.
type recentIDs struct {
	seed    maphash.Seed
	ring    []uint64 // keyHash|1 of the latest ids, by add order mod n; 0 unused
	givenUp []bool   // parallel to ring
	next    int      // ring position of the next add
	added   uint64   // adds so far
	// set: hash → how many ring slots hold it, times two, plus one when its
	// latest message was given up before completing (one entry: a single
	// probe per change). It counts view, the ring as of applied adds.
	set     hashTable[uint32]
	view    []uint64
	applied uint64
}

func newRecentIDs(n int, seed maphash.Seed) recentIDs {
	return recentIDs{seed: seed, ring: make([]uint64, n), givenUp: make([]bool, n)}
}

func (r *recentIDs) add(id string, givenUp bool) { r.addHash(keyHash(r.seed, id), givenUp) }

// addHash is add for an id whose keyHash is kh.
func (r *recentIDs) addHash(kh uint64, givenUp bool) {
	r.ring[r.next], r.givenUp[r.next] = kh|1, givenUp
	r.next = (r.next + 1) % len(r.ring)
	r.added++
}

// has reports whether id was written out recently, and whether its message
// was given up before it completed.
func (r *recentIDs) has(id string) (found, givenUp bool) { return r.hasHash(keyHash(r.seed, id)) }

// hasHash is has for an id whose keyHash is kh.
func (r *recentIDs) hasHash(kh uint64) (found, givenUp bool) {
	r.sync()
	v, ok := r.set.get(kh | 1)
	return ok, v&1 != 0
}

// sync applies the adds the set has not counted yet.
func (r *recentIDs) sync() {
	n := len(r.ring)
	pending := r.added - r.applied
	switch {
	case pending == 0:
		return
	case r.view == nil:
		r.view, r.set = make([]uint64, n), newHashTable[uint32](n)
		fallthrough
	case pending >= uint64(n):
		// Every slot changed: count the ring afresh, oldest first.
		r.set.reset()
		for i := range n {
			if pos := (r.next + i) % n; r.ring[pos] != 0 {
				r.count(pos)
			}
		}
		copy(r.view, r.ring)
	default:
		start := (r.next + n - int(pending)) % n
		for i := range int(pending) {
			pos := (start + i) % n
			if old := r.view[pos]; old != 0 {
				r.uncount(old)
			}
			r.count(pos)
			r.view[pos] = r.ring[pos]
		}
	}
	r.applied = r.added
}

// count adds the id at ring position pos to the set.
func (r *recentIDs) count(pos int) {
	v, _ := r.set.upsert(r.ring[pos])
	*v = *v&^1 + 2
	if r.givenUp[pos] {
		*v |= 1
	}
}

// uncount takes one ring slot's hash h out of the set; its given-up mark
// stays with the slots that still hold it.
func (r *recentIDs) uncount(h uint64) {
	if i := r.set.find(h); i >= 0 {
		if v := r.set.slots[i].val; v < 4 {
			r.set.deleteAt(i)
		} else {
			r.set.slots[i].val = v - 2
		}
	}
}
