package reassembly

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"
)

// panicOnSeq is a Handler that panics on the first PDU with sequence
// number seq.
type panicOnSeq struct {
	collector
	seq  uint32
	done bool
}

func (p *panicOnSeq) PDU(x *PDU) {
	if !p.done && binary.BigEndian.Uint32(x.Data[12:16]) == p.seq {
		p.done = true
		panic("boom")
	}
	p.collector.PDU(x)
}

// pduView is what TestPanicRecovery compares of a PDU.
type pduView struct {
	seq    uint32
	frame  int
	frames []int
	time   time.Time
	offset int64
}

func views(c *collector) []pduView {
	var out []pduView
	for _, p := range c.pdus {
		out = append(out, pduView{binary.BigEndian.Uint32(p.Data[12:16]), p.Frame, p.Frames, p.Time, p.Offset})
	}
	return out
}

// TestPanicRecovery: what follows a panic in the Handler keeps its
// provenance and is delivered. (A connection whose delivery panicked may
// lose or repeat PDUs, its framing cut short; these cases check only what
// must hold all the same.)
//   - a panic while a connection is framed directly must not leave the
//     framer holding the packet context that the next packet reuses: the
//     PDU framed again after it would take that packet's frame and time;
//   - a panic while a flush hands on its records must not break the flushes
//     after it: the records left are handed on, later records too.
func TestPanicRecovery(t *testing.T) {
	t.Run("direct framing, panic on a PDU split over two packets", func(t *testing.T) {
		c := newCapture(t, layers.LinkTypeEthernet)
		k := c.conn(client, server) // frames 1-3
		k.handshake()
		for i := uint32(1); i <= 3; i++ { // frames 4-9
			k.send(DirClientToServer, enquireLink(i))
			k.send(DirServerToClient, enquireLinkResp(i))
		}
		k.split(DirClientToServer, submitSM(99, 40), 20) // frames 10, 11: panics
		k.send(DirClientToServer, enquireLink(7))        // frame 12
		k.send(DirServerToClient, enquireLinkResp(7))    // frame 13
		h := &panicOnSeq{seq: 99}
		_, err := Run(context.Background(), []string{writeFile(t, "c.pcap", c.pcap())}, smppOn, h)
		require.NoError(t, err)
		require.True(t, h.done)
		require.Len(t, h.problems, 1)
		require.ErrorIs(t, &h.problems[0], ErrInternal)
		for _, v := range views(&h.collector) {
			if v.seq == 99 { // framed again after the panic
				require.Equal(t, []int{10, 11}, v.frames, "frames of the PDU")
				require.Equal(t, 11, v.frame)
			}
		}
	})
	t.Run("panic while a flush hands on its records", func(t *testing.T) {
		c := newCapture(t, layers.LinkTypeEthernet)
		k := c.conn(client, server)
		k.handshake()
		k.send(DirClientToServer, enquireLink(1))
		k.send(DirServerToClient, enquireLinkResp(1))
		_ = k.seg(DirClientToServer, submitSM(97, 40)) // lost
		x1 := k.seg(DirClientToServer, enquireLink(98))
		x2 := k.seg(DirClientToServer, enquireLink(99)) // panics, handed on by a flush
		c.add(x1)
		c.add(x2)
		c.tick(6 * time.Second)
		k.send(DirServerToClient, enquireLinkResp(5))  // its packet is the one that panics
		_ = k.seg(DirServerToClient, submitSM(76, 40)) // lost
		c.add(k.seg(DirServerToClient, enquireLinkResp(77)))
		c.tick(6 * time.Second)
		k.send(DirClientToServer, enquireLink(100))
		c.tick(2 * time.Second)
		k.send(DirClientToServer, enquireLink(101))
		h := &panicOnSeq{seq: 99}
		_, err := Run(context.Background(), []string{writeFile(t, "c.pcap", c.pcap())}, smppOn, h)
		require.NoError(t, err)
		require.True(t, h.done)
		require.Len(t, h.problems, 1, "one panic, one Problem: %v", h.problems)
		var got []uint32
		for _, v := range views(&h.collector) {
			got = append(got, v.seq)
		}
		require.Equal(t, []uint32{1, 1, 98, 77, 100, 101}, got)
		require.Len(t, h.gaps, 2, "the client's hole and the server's")
	})
}
