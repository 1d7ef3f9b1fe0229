package reassembly

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"
)

// TestRandomSegmentation sends a stream of PDUs in random segments,
// reordered, duplicated and (when lossy) partly lost, and checks each PDU
// delivered against the stream that was sent.
func TestRandomSegmentation(t *testing.T) {
	tests := []struct {
		name string
		seed uint64
		loss float64
	}{
		{"clean 1", 1, 0},
		{"clean 2", 2, 0},
		{"clean 3", 3, 0},
		{"lossy 1", 11, 0.05},
		{"lossy 2", 12, 0.1},
		{"lossy 3", 13, 0.2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(tt.seed, 0))
			var stream []byte
			starts := map[int64]bool{}
			for i := 0; i < 300; i++ {
				starts[int64(len(stream))] = true
				if rng.IntN(3) == 0 {
					stream = append(stream, enquireLink(uint32(i+1))...)
				} else {
					stream = append(stream, submitSM(uint32(i+1), 33+rng.IntN(3000))...)
				}
			}
			c := newCapture(t, layers.LinkTypeEthernet)
			k := c.conn(client, server)
			k.handshake()
			var segs []seg
			for off := 0; off < len(stream); {
				n := min(1+rng.IntN(2500), len(stream)-off)
				segs = append(segs, k.seg(c2s, stream[off:off+n]))
				off += n
			}
			last := segs[len(segs)-1].seq // the stream's end is kept, so every hole shows
			for i := 0; i+1 < len(segs); i++ {
				if rng.Float64() < 0.2 {
					segs[i], segs[i+1] = segs[i+1], segs[i]
				}
			}
			for _, s := range segs {
				if s.seq != last && rng.Float64() < tt.loss {
					continue
				}
				c.add(s)
				if rng.Float64() < 0.1 {
					c.add(s)
				}
			}
			col, st := runCapture(t, c, smppOn)
			require.Empty(t, col.problems)
			if tt.loss == 0 {
				require.Empty(t, col.gaps)
				require.Len(t, col.pdus, 300)
			} else {
				require.NotEmpty(t, col.gaps)
				t.Logf("%d PDUs, %d gaps", len(col.pdus), len(col.gaps))
			}
			var prev int64 = -1
			for _, p := range col.pdus {
				require.Greater(t, p.Offset, prev, "stream order")
				prev = p.Offset
				require.True(t, starts[p.Offset], "offset %d is a PDU start", p.Offset)
				require.True(t, bytes.Equal(stream[p.Offset:p.Offset+int64(len(p.Data))], p.Data))
				require.NotEmpty(t, p.Frames)
				require.Contains(t, p.Frames, p.Frame)
				require.Equal(t, p.Frame, p.Frames[len(p.Frames)-1], "the completing frame is the latest")
			}
			for _, g := range col.gaps {
				next := g.Offset + max(g.Lost, 0) + g.Discarded
				require.True(t, starts[next] || next >= int64(len(stream)), "gap %+v ends at a PDU start", g)
			}
			require.Equal(t, int64(len(stream)), st.Bytes+st.BytesLost, "every byte is reassembled or counted lost")
		})
	}
}
