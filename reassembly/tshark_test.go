package reassembly

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/internal/capgen"
	"smppdump.dev/smppdump/internal/tshark"
)

// TestRecoversWhatTsharkLoses runs tshark (4.0, as internal/tshark
// documents it) and Run on the same captures: a header split before its
// 16th byte, and segments out of order. tshark loses PDUs in both; Run
// recovers every one.
func TestRecoversWhatTsharkLoses(t *testing.T) {
	tshark.Require(t)
	type idSeq struct{ id, seq uint32 }
	tests := []struct {
		name  string
		build func(t *testing.T, g *gen) []idSeq // every PDU sent, in stream order
		lost  []idSeq                            // what tshark misses
	}{
		{
			name: "header split before its 16th byte",
			build: func(t *testing.T, g *gen) []idSeq {
				c := g.conn(esme, smsc, true)
				g.send(c, true, bindTRX(t, 1), 10)
				g.send(c, false, bindTRXResp(t, 1))
				g.send(c, true, cat(submit(t, 2, "split"), enq(t, 3)), 5, 40)
				g.send(c, false, cat(submitResp(t, 2, "id-2"), enqResp(t, 3)))
				return []idSeq{{0x09, 1}, {0x80000009, 1}, {0x04, 2}, {0x15, 3}, {0x80000004, 2}, {0x80000015, 3}}
			},
			// The enquire_link goes too: tshark drops segments until one
			// starts on a PDU boundary.
			lost: []idSeq{{0x09, 1}, {0x04, 2}, {0x15, 3}},
		},
		{
			name: "segments out of order",
			build: func(t *testing.T, g *gen) []idSeq {
				c := g.conn(esme, smsc, true)
				g.send(c, true, enq(t, 1))
				s := g.segs(c, true, submit(t, 2, "out of order"), 20)
				g.write(c, s[1], s[0])
				g.send(c, true, enq(t, 3))
				return []idSeq{{0x15, 1}, {0x04, 2}, {0x15, 3}}
			},
			lost: []idSeq{{0x04, 2}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGen(t, capgen.Options{})
			sent := tt.build(t, g)
			path := g.file()
			col, _, err := runFiles(t, smppOn, path)
			require.NoError(t, err)
			require.Empty(t, col.gaps)
			var ours []idSeq
			for _, p := range col.pdus {
				ours = append(ours, idSeq{binary.BigEndian.Uint32(p.Data[4:]), binary.BigEndian.Uint32(p.Data[12:])})
			}
			require.ElementsMatch(t, sent, ours, "every PDU recovered")

			pdus, err := tshark.Dissect(context.Background(), path, tshark.Options{Ports: []int{2775}})
			require.NoError(t, err)
			var theirs []idSeq
			for _, p := range pdus {
				theirs = append(theirs, idSeq{p.CommandID, p.Seq})
			}
			for _, l := range tt.lost {
				require.NotContains(t, theirs, l, "tshark loses it")
			}
			require.Len(t, theirs, len(sent)-len(tt.lost))
		})
	}
}
