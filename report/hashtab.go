package report

// hashTable maps nonzero 64-bit keys that are already well mixed (maphash
// values) to values of type V. It is an open-addressing table with linear
// probing: a lookup usually reads one cache line, where a Go map reads a
// control word and then a slot, often on two. Deletion shifts the following
// entries back, so there are no tombstones and probes stay short. The table
// grows when half full and never shrinks (like a Go map).
type hashTable[V any] struct {
	slots []hashSlot[V]
	n     int
}

type hashSlot[V any] struct {
	key uint64 // 0: empty
	val V
}

// minHashSlots is the size of a table's first allocation.
const minHashSlots = 16

// newHashTable returns a table that holds n keys without growing.
func newHashTable[V any](n int) hashTable[V] {
	size := minHashSlots
	for size < 2*n {
		size *= 2
	}
	return hashTable[V]{slots: make([]hashSlot[V], size)}
}

// Len returns the number of keys.
func (t *hashTable[V]) Len() int { return t.n }

// find returns the slot index of key, or -1.
func (t *hashTable[V]) find(key uint64) int {
	if t.n == 0 {
		return -1
	}
	mask := uint64(len(t.slots) - 1)
	for i := key & mask; ; i = (i + 1) & mask {
		switch t.slots[i].key {
		case key:
			return int(i)
		case 0:
			return -1
		}
	}
}

// get returns the value under key and whether there is one.
func (t *hashTable[V]) get(key uint64) (V, bool) {
	if i := t.find(key); i >= 0 {
		return t.slots[i].val, true
	}
	var zero V
	return zero, false
}

// upsert returns the value slot of key, adding key with the zero value when
// it is absent (found false). The pointer is valid until the next change.
func (t *hashTable[V]) upsert(key uint64) (v *V, found bool) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for i := key & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		switch s.key {
		case key:
			return &s.val, true
		case 0:
			s.key = key
			t.n++
			return &s.val, false
		}
	}
}

// deleteAt empties slot i (from find) and moves back the entries after it
// that would no longer be reachable across the hole.
func (t *hashTable[V]) deleteAt(i int) {
	mask := len(t.slots) - 1
	hole := i
	for j := (i + 1) & mask; t.slots[j].key != 0; j = (j + 1) & mask {
		home := int(t.slots[j].key) & mask
		// The entry at j may move to the hole unless its home lies
		// cyclically in (hole, j].
		if (j-home)&mask >= (j-hole)&mask {
			t.slots[hole] = t.slots[j]
			hole = j
		}
	}
	t.slots[hole] = hashSlot[V]{}
	t.n--
}

// reset removes every key, keeping the slots.
func (t *hashTable[V]) reset() {
	clear(t.slots)
	t.n = 0
}

// all calls f for every key and value, in no particular order. f must not
// change the table.
func (t *hashTable[V]) all(f func(key uint64, v V)) {
	for i := range t.slots {
		if s := &t.slots[i]; s.key != 0 {
			f(s.key, s.val)
		}
	}
}

func (t *hashTable[V]) grow() {
	old := t.slots
	size := max(minHashSlots, 2*len(old))
	t.slots = make([]hashSlot[V], size)
	mask := uint64(size - 1)
	for _, s := range old {
		if s.key == 0 {
			continue
		}
		i := s.key & mask
		for t.slots[i].key != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}
