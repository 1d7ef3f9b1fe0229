package reassembly

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
)

// directTable maps the flow id of each direction of a direct connection to
// that connection. It is looked up for every packet, so it is an
// open-addressing table with linear probing over a keyed hash of the id's
// five words, compared word by word: a Go map hashes and compares the
// 40-byte key through the runtime's variable-length routines, about three
// times the instructions. The hash key is random per table, so that a
// capture cannot be made to collide (connections are hostile input too).
// Deletion shifts later entries back instead of leaving tombstones:
// connections come and go all through a run.
type directTable struct {
	slots []directSlot // a power of two long, at most 3/4 full
	n     int
	key   [3]uint64
}

type directSlot struct {
	w    idWords
	used bool
	e    directEntry
}

// idWords is a flowID as five words.
type idWords [5]uint64

func words(id *flowID) idWords {
	le := binary.LittleEndian
	return idWords{le.Uint64(id[0:]), le.Uint64(id[8:]), le.Uint64(id[16:]), le.Uint64(id[24:]), le.Uint64(id[32:])}
}

func (w *idWords) id() flowID {
	var id flowID
	for i := range w {
		binary.LittleEndian.PutUint64(id[8*i:], w[i])
	}
	return id
}

const directTableMin = 16

func (t *directTable) len() int { return t.n }

// home returns the slot where the probe for w starts.
func (t *directTable) home(w *idWords) int {
	h := mix(w[0]^t.key[0], w[1]^t.key[1]) ^ mix(w[2]^t.key[2], w[3]^t.key[0]) ^ mix(w[4]^t.key[1], t.key[2])
	return int(h & uint64(len(t.slots)-1))
}

// mix folds the 128-bit product of a and b into 64 bits.
func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// find returns the index of the slot holding w, or of the free slot that
// ends its probe.
func (t *directTable) find(w *idWords) int {
	mask := len(t.slots) - 1
	for i := t.home(w); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if !s.used || s.w.equal(w) {
			return i
		}
	}
}

// equal compares word by word: == on the arrays calls the runtime's memequal.
func (w *idWords) equal(v *idWords) bool {
	return w[0] == v[0] && w[1] == v[1] && w[2] == v[2] && w[3] == v[3] && w[4] == v[4]
}

// get returns the entry of id. It probes as find does, itself: a call less
// for every packet.
func (t *directTable) get(id *flowID) (directEntry, bool) {
	if t.n == 0 {
		return directEntry{}, false
	}
	w := words(id)
	mask := len(t.slots) - 1
	for i := t.home(&w); ; i = (i + 1) & mask {
		s := &t.slots[i]
		switch {
		case !s.used:
			return directEntry{}, false
		case s.w.equal(&w):
			return s.e, true
		}
	}
}

func (t *directTable) has(id *flowID) bool {
	_, ok := t.get(id)
	return ok
}

// put sets the entry of id.
func (t *directTable) put(id flowID, e directEntry) {
	t.putWords(words(&id), e)
}

func (t *directTable) putWords(w idWords, e directEntry) {
	if t.slots == nil {
		t.key = [3]uint64{rand.Uint64() | 1, rand.Uint64() | 1, rand.Uint64() | 1}
		t.slots = make([]directSlot, directTableMin)
	}
	if 4*(t.n+1) > 3*len(t.slots) {
		t.grow()
	}
	s := &t.slots[t.find(&w)]
	if !s.used {
		*s = directSlot{w: w, used: true}
		t.n++
	}
	s.e = e
}

func (t *directTable) grow() {
	old := t.slots
	t.slots, t.n = make([]directSlot, 2*len(old)), 0
	for i := range old {
		if old[i].used {
			t.putWords(old[i].w, old[i].e)
		}
	}
}

// del removes id, if present. The entries after it in its run move back
// when their home slot allows, so that every entry stays reachable from
// its home without tombstones.
func (t *directTable) del(id flowID) {
	if t.n == 0 {
		return
	}
	w := words(&id)
	i := t.find(&w)
	if !t.slots[i].used {
		return
	}
	t.n--
	mask := len(t.slots) - 1
	for j := (i + 1) & mask; ; j = (j + 1) & mask {
		s := &t.slots[j]
		if !s.used {
			break
		}
		// s may fill the hole at i unless its home lies cyclically in (i, j].
		if h := t.home(&s.w); (j-h)&mask < (j-i)&mask {
			continue
		}
		t.slots[i] = *s
		i = j
	}
	t.slots[i] = directSlot{}
}

// each calls fn with every id and entry, in no particular order.
func (t *directTable) each(fn func(id flowID, e directEntry)) {
	for i := range t.slots {
		if s := &t.slots[i]; s.used {
			fn(s.w.id(), s.e)
		}
	}
}
