package reassembly

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDirectTableAgreesWithMap runs random puts, deletes and lookups on a
// directTable and on a Go map side by side; after every step both must
// hold the same entries. The id pools are small so that entries collide,
// probe runs wrap around the end of the slots and deletes shift runs back.
func TestDirectTableAgreesWithMap(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ids   int // distinct ids drawn from
		ops   int
		delPc int // percent of steps that delete
	}{
		{"few ids, churn", 8, 5000, 45},
		{"grows past several doublings", 2000, 20000, 20},
		{"mostly deletes", 300, 20000, 60},
		{"wide pool", 50000, 30000, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.ids), uint64(tc.ops)))
			var tab directTable
			model := map[flowID]directEntry{}
			conns := []*conn{{}, {}, {}}
			pick := func() flowID {
				var id flowID
				n := rng.IntN(tc.ids)
				id.set([]byte{10, 0, byte(n >> 8), byte(n)}, []byte{10, 1, 0, 1}, 1, uint16(n%7), 2775)
				return id
			}
			for step := range tc.ops {
				id := pick()
				if rng.IntN(100) < tc.delPc {
					tab.del(id)
					delete(model, id)
				} else {
					e := directEntry{conns[rng.IntN(len(conns))], Dir(rng.IntN(2))}
					tab.put(id, e)
					model[id] = e
				}
				probe := pick()
				got, ok := tab.get(&probe)
				want, wok := model[probe]
				require.Equal(t, wok, ok, "step %d: presence", step)
				require.Equal(t, want, got, "step %d", step)
				require.Equal(t, len(model), tab.len(), "step %d: length", step)
			}
			seen := map[flowID]directEntry{}
			tab.each(func(id flowID, e directEntry) { seen[id] = e })
			require.Equal(t, model, seen)
			for id, e := range model {
				got, ok := tab.get(&id)
				require.True(t, ok)
				require.Equal(t, e, got)
			}
		})
	}
}

// BenchmarkDirectTable compares a lookup in the table with one in a Go map
// keyed the same way, for the connections of a bulk capture.
func BenchmarkDirectTable(b *testing.B) {
	var tab directTable
	m := map[flowID]directEntry{}
	ids := make([]flowID, 16)
	for i := range ids {
		ids[i].set([]byte{10, 0, 0, byte(i)}, []byte{10, 1, 0, 1}, 1, uint16(40000+i), 2775)
		tab.put(ids[i], directEntry{dir: Dir(i & 1)})
		m[ids[i]] = directEntry{dir: Dir(i & 1)}
	}
	b.Run("table", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, ok := tab.get(&ids[i&15]); !ok {
				b.Fatal("missing")
			}
			i++
		}
	})
	b.Run("map", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, ok := m[ids[i&15]]; !ok {
				b.Fatal("missing")
			}
			i++
		}
	})
}
