package reassembly

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/internal/capgen"
)

// TestHoldOutOfOrderStart checks that a direction captured without its
// start whose first segments were captured out of order starts at the
// lowest sequence number captured, so that its first PDU is not lost.
func TestHoldOutOfOrderStart(t *testing.T) {
	tests := []struct {
		name string
		isn  uint32 // the client's; 0: capgen's
	}{
		{name: "reversed"},
		{name: "reversed across sequence wraparound", isn: 0xffff_fff0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGen(t, capgen.Options{})
			var opts []capgen.ConnOption
			if tt.isn != 0 {
				opts = append(opts, capgen.WithISN(tt.isn, 7))
			}
			c := g.conn(esme, smsc, false, opts...)
			bind := bindTRX(t, 1)
			segs := g.segs(c, true, bind, 20)
			require.Len(t, segs, 2)
			f := g.write(c, segs[1], segs[0]) // the 13-byte tail first
			ack, err := c.Ack(g.next(), false)
			require.NoError(t, err)
			resp := bindTRXResp(t, 1)
			fr := g.send(c, false, resp)
			sub := submit(t, 2, "after the reordered bind")
			fs := g.send(c, true, sub)
			sresp := submitResp(t, 2, "m-2")
			fsr := g.send(c, false, sresp)
			require.NoError(t, c.Close(g.next(), true))

			col, st := g.run(Options{})
			pdus, gaps := summarize(col)
			// In capture order: the bind when its head was captured.
			require.Equal(t, []gotPDU{
				want(f[1], []int{f[0], f[1]}, c2s, 0, bind),
				want(fr[0], fr, s2c, 0, resp),
				want(fs[0], fs, c2s, len(bind), sub),
				want(fsr[0], fsr, s2c, len(resp), sresp),
			}, pdus)
			// Each direction starts mid-stream: its gap, where its first
			// byte was captured, hides nothing.
			require.Equal(t, []gotGap{
				{ReasonMidStream, f[1], c2s, 0, -1, 0},
				{ReasonMidStream, fr[0], s2c, 0, -1, 0},
			}, gaps)
			require.Equal(t, []string{"gap", "pdu", "gap", "pdu", "pdu", "pdu"}, col.events)
			for _, g := range col.gaps {
				require.EqualValues(t, -1, g.Bytes)
			}
			require.Zero(t, st.BytesSkipped)
			require.Zero(t, st.BytesDiscarded)
			require.Zero(t, st.BytesLost)
			require.EqualValues(t, 4, st.PDUs)
			require.Less(t, ack, fr[0])
		})
	}
}

// TestHoldLimits checks the bounds of holding: a segment captured after
// the hold ended is dropped as before, and many connections held at once
// are released oldest first without losing their PDUs or their order.
func TestHoldLimits(t *testing.T) {
	t.Run("head after the window", func(t *testing.T) {
		g := newGen(t, capgen.Options{})
		c := g.conn(esme, smsc, false)
		bind := bindTRX(t, 1)
		segs := g.segs(c, true, bind, 20)
		f := g.write(c, segs[1])
		fh, err := c.Write(segs[0].At(g.next().Add(2 * holdWindow)))
		require.NoError(t, err)
		f = append(f, fh...)
		sub := submit(t, 2, "x")
		fs := g.send(c, true, sub)
		col, st := g.run(Options{})
		pdus, gaps := summarize(col)
		tail := len(bind) - 20
		require.Equal(t, []gotPDU{want(fs[0], fs, c2s, tail, sub)}, pdus)
		require.Equal(t, []gotGap{{ReasonMidStream, f[0], c2s, 0, -1, int64(tail)}}, gaps)
		require.EqualValues(t, tail, st.BytesDiscarded)
	})
	t.Run("more packets than a direction holds", func(t *testing.T) {
		g := newGen(t, capgen.Options{})
		c := g.conn(esme, smsc, false)
		var wantPDUs []gotPDU
		off := 0
		for i := range uint32(3 * holdPackets) {
			b := enq(t, i+1)
			f := g.send(c, true, b)
			wantPDUs = append(wantPDUs, want(f[0], f, c2s, off, b))
			off += len(b)
		}
		col, _ := g.run(Options{})
		pdus, gaps := summarize(col)
		require.Equal(t, wantPDUs, pdus)
		require.Len(t, gaps, 1)
	})
	t.Run("more connections than are held in all", func(t *testing.T) {
		g := newGen(t, capgen.Options{})
		n := holdTotal*2/3 + 1 // two packets each: over holdTotal
		at := g.next()
		var wantPDUs []gotPDU
		for i := range n {
			cli := netip.AddrPortFrom(esme.Addr(), uint16(20000+i))
			c := g.conn(cli, smsc, false)
			b := submit(t, uint32(i+1), fmt.Sprint(i))
			segs := g.segs(c, true, b, 20)
			var f []int
			for _, s := range []capgen.Segment{segs[1], segs[0]} {
				at = at.Add(time.Microsecond)
				fr, err := c.Write(s.At(at))
				require.NoError(t, err)
				f = append(f, fr...)
			}
			wantPDUs = append(wantPDUs, want(f[1], []int{f[0], f[1]}, c2s, 0, b))
		}
		col, st := g.run(Options{})
		pdus, _ := summarize(col)
		require.Equal(t, wantPDUs, pdus)
		require.Zero(t, st.BytesDiscarded)
	})
	t.Run("end of input", func(t *testing.T) {
		g := newGen(t, capgen.Options{})
		c := g.conn(esme, smsc, false)
		bind := bindTRX(t, 1)
		segs := g.segs(c, true, bind, 20)
		f := g.write(c, segs[1], segs[0])
		col, st := g.run(Options{})
		pdus, gaps := summarize(col)
		require.Equal(t, []gotPDU{want(f[1], f, c2s, 0, bind)}, pdus)
		require.Equal(t, []gotGap{{ReasonMidStream, f[1], c2s, 0, -1, 0}}, gaps)
		require.Zero(t, st.BytesSkipped)
	})
	t.Run("connections keep their capture order", func(t *testing.T) {
		g := newGen(t, capgen.Options{})
		a := g.conn(esme, smsc, false)
		b := g.conn(natCli, smsc, false)
		var wantPDUs []gotPDU
		off := [2]int{}
		for i := range uint32(2 * holdPackets) {
			k, c := i%2, a
			if k == 1 {
				c = b
			}
			p := enq(t, i+1)
			fr := g.send(c, true, p)
			wantPDUs = append(wantPDUs, want(fr[0], fr, c2s, off[k], p))
			off[k] += len(p)
		}
		col, _ := g.run(Options{})
		pdus, gaps := summarize(col)
		require.Equal(t, wantPDUs, pdus)
		require.Len(t, gaps, 2)
	})
}
