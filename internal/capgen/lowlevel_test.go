package capgen

import (
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"
)

func TestSegmentsWrittenInAnyOrder(t *testing.T) {
	payload := pattern(64)
	cuts := []int{3, 16, 40}
	tests := []struct {
		name     string
		order    []int // indexes into the four segments, in write order
		wantHole bool
	}{
		{"in order", []int{0, 1, 2, 3}, false},
		{"reversed", []int{3, 2, 1, 0}, false},
		{"swapped pair", []int{0, 2, 1, 3}, false},
		{"duplicate", []int{0, 1, 1, 2, 3}, false},
		{"dropped middle", []int{0, 1, 3}, true},
		{"dropped and late duplicate", []int{0, 2, 3, 0}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, buf := newTestWriter(t, Options{})
			c := newTestConn(t, w, client4, server4)
			require.NoError(t, c.Handshake(t0))
			segs, err := c.Segments(t0.Add(time.Millisecond), true, payload, cuts)
			require.NoError(t, err)
			require.Len(t, segs, 4)
			require.Equal(t, c.ISN(true)+1+64, c.NextSeq(true), "sequence space is allocated up front")
			require.Equal(t, segs[0].Seq+3, segs[1].Seq)
			require.Equal(t, PSH|ACK, segs[3].Flags)
			require.Equal(t, ACK, segs[0].Flags)

			var order []Segment
			at := t0.Add(time.Millisecond)
			for i, idx := range tt.order {
				order = append(order, segs[idx].At(at.Add(time.Duration(i)*SegmentGap)))
			}
			frames, err := c.Write(order...)
			require.NoError(t, err)
			require.Len(t, frames, len(order))
			_, err = c.Ack(w.Last().Add(AckDelay), false)
			require.NoError(t, err)

			got := readBack(t, w, buf)
			requireIncreasing(t, got.pkts)
			stream, hole := assemble(t, got.pkts, client4.Port(), c.ISN(true)+1)
			require.Equal(t, tt.wantHole, hole)
			if !hole {
				require.Equal(t, payload, stream)
			} else {
				require.Equal(t, payload[:len(stream)], stream)
			}
			ack := got.pkts[len(got.pkts)-1].tcp()
			require.Equal(t, c.NextSeq(true), ack.Ack, "the peer ACKs the allocated space")
		})
	}
}

func TestDuplicateIsByteIdentical(t *testing.T) {
	w, buf := newTestWriter(t, Options{Link: Ethernet802_1Q})
	c := newTestConn(t, w, client4, server4)
	segs, err := c.Segments(t0, true, pattern(100), nil)
	require.NoError(t, err)
	_, err = c.Write(segs[0], segs[0].At(t0.Add(time.Microsecond)))
	require.NoError(t, err)
	got := readBack(t, w, buf)
	require.Len(t, got.pkts, 2)
	require.Equal(t, got.pkts[0].data, got.pkts[1].data)
	require.True(t, got.pkts[1].ci.Timestamp.After(got.pkts[0].ci.Timestamp))
}

func TestRetransmitAndResegment(t *testing.T) {
	payload := pattern(30)
	w, buf := newTestWriter(t, Options{})
	c := newTestConn(t, w, client4, server4)
	require.NoError(t, c.Handshake(t0))
	segs, err := c.Segments(t0.Add(time.Millisecond), true, payload, []int{10, 20})
	require.NoError(t, err)
	_, err = c.Write(segs[0], segs[2]) // segs[1] lost on the first try
	require.NoError(t, err)

	// Exact retransmission: same seq and bytes, new IP ID and time.
	rt, err := c.Retransmit(t0.Add(2*time.Millisecond), segs[1])
	require.NoError(t, err)
	// Overlapping re-segmentation: bytes [5,25) as two segments cut at 12.
	reseg, err := c.Resegment(t0.Add(3*time.Millisecond), segs, []int{5, 12, 25})
	require.NoError(t, err)
	require.Len(t, reseg, 4)
	require.Equal(t, segs[0].Seq+5, reseg[1].Seq)
	require.Equal(t, segs[0].Seq+12, reseg[2].Seq)
	require.Equal(t, PSH|ACK, reseg[3].Flags)
	require.Equal(t, ACK, reseg[2].Flags)
	_, err = c.Write(reseg[1], reseg[2])
	require.NoError(t, err)
	// A partial overlap via Slice: bytes [8,10) of the first segment.
	part, err := segs[0].Slice(8, 10)
	require.NoError(t, err)
	require.Equal(t, segs[0].Seq+8, part.Seq)
	require.Equal(t, payload[8:10], part.Payload)
	_, err = c.Write(part.At(t0.Add(4 * time.Millisecond)))
	require.NoError(t, err)

	got := readBack(t, w, buf)
	requireIncreasing(t, got.pkts)
	for _, p := range got.pkts {
		requireValid(t, p)
	}
	orig := got.pkts[3]
	re := got.pkts[rt[0]-1]
	require.Equal(t, segs[1].Seq, re.tcp().Seq)
	require.Equal(t, payload[10:20], []byte(re.tcp().Payload))
	require.NotEqual(t, orig.ip4().Id, re.ip4().Id, "a retransmission has a fresh IP ID")
	stream, hole := assemble(t, got.pkts, client4.Port(), c.ISN(true)+1)
	require.False(t, hole)
	require.Equal(t, payload, stream)
}

func TestSegmentHelpersErrors(t *testing.T) {
	w, _ := newTestWriter(t, Options{})
	c := newTestConn(t, w, client4, server4)
	a, err := c.Segments(t0, true, pattern(10), []int{5})
	require.NoError(t, err)
	b, err := c.Segments(t0, false, pattern(10), nil)
	require.NoError(t, err)
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"slice out of range", func() error { _, err := a[0].Slice(2, 6); return err }, "out of payload range"},
		{"slice empty", func() error { _, err := a[0].Slice(3, 3); return err }, "out of payload range"},
		{"slice SYN", func() error {
			_, err := Segment{Flags: SYN, Payload: []byte{1}}.Slice(0, 1)
			return err
		}, "SYN"},
		{"resegment nothing", func() error { _, err := c.Resegment(t0, nil, nil); return err }, "no segments"},
		{"resegment gap", func() error { _, err := c.Resegment(t0, []Segment{a[1], a[0]}, nil); return err }, "starts at seq"},
		{"resegment mixed directions", func() error { _, err := c.Resegment(t0, []Segment{a[1], b[0]}, nil); return err }, "other way"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorContains(t, tt.run(), tt.want)
		})
	}
}

func TestMirrorWritesNATCopy(t *testing.T) {
	natClient := mustAddrPort(t, "192.0.2.7:61000")
	natServer := mustAddrPort(t, "198.51.100.9:2775")
	w, buf := newTestWriter(t, Options{})
	c := newTestConn(t, w, client4, server4, WithMirror(natClient, natServer, 5*time.Microsecond))
	require.NoError(t, c.Handshake(t0))
	payload := pattern(3000)
	frames, err := c.Send(t0.Add(time.Millisecond), true, payload)
	require.NoError(t, err)
	require.NoError(t, c.Close(t0.Add(2*time.Millisecond), true))
	got := readBack(t, w, buf)
	requireIncreasing(t, got.pkts)
	require.Len(t, got.pkts, 2*(3+3+2+4))
	require.Equal(t, []int{7, 9, 13}, frames, "frame numbers count the mirror copies")
	for i := 0; i < len(got.pkts); i += 2 {
		orig, nat := got.pkts[i], got.pkts[i+1]
		requireValid(t, orig)
		requireValid(t, nat)
		ot, nt := orig.tcp(), nat.tcp()
		require.Equal(t, ot.Seq, nt.Seq)
		require.Equal(t, ot.Ack, nt.Ack)
		require.Equal(t, []byte(ot.Payload), []byte(nt.Payload))
		require.Equal(t, orig.ip4().TTL-1, nat.ip4().TTL)
		require.Equal(t, 5*time.Microsecond, nat.ci.Timestamp.Sub(orig.ci.Timestamp))
		if fromPort(orig, client4.Port()) {
			require.Equal(t, natClient.Port(), uint16(nt.SrcPort))
			require.Equal(t, natClient.Addr().AsSlice(), []byte(nat.ip4().SrcIP.To4()))
		} else {
			require.Equal(t, natServer.Port(), uint16(nt.SrcPort))
		}
	}
	stream, hole := assemble(t, got.pkts, natClient.Port(), c.ISN(true)+1)
	require.False(t, hole)
	require.Equal(t, payload, stream)
}

func TestWriteSegmentUnderAnotherTuple(t *testing.T) {
	w, buf := newTestWriter(t, Options{})
	c := newTestConn(t, w, client6, server6)
	segs, err := c.Segments(t0, false, pattern(20), nil)
	require.NoError(t, err)
	_, err = c.Write(segs...)
	require.NoError(t, err)
	natC, natS := mustAddrPort(t, "[2001:db8:1::1]:1"), mustAddrPort(t, "[2001:db8:1::2]:2")
	_, err = w.WriteSegment(natC, natS, segs[0].At(t0.Add(time.Microsecond)))
	require.NoError(t, err)
	got := readBack(t, w, buf)
	require.Len(t, got.pkts, 2)
	ip := got.pkts[1].pkt.Layer(layers.LayerTypeIPv6).(*layers.IPv6)
	require.Equal(t, natS.Addr().AsSlice(), []byte(ip.SrcIP))
	require.Equal(t, got.pkts[0].tcp().Payload, got.pkts[1].tcp().Payload)
	requireValid(t, got.pkts[1])
}

func TestKeepAliveAndZeroWindowProbe(t *testing.T) {
	for _, withByte := range []bool{false, true} {
		w, buf := newTestWriter(t, Options{})
		c := newTestConn(t, w, client4, server4, WithISN(0, 100))
		require.NoError(t, c.Handshake(t0))
		_, err := c.Send(t0.Add(time.Millisecond), true, pattern(10))
		require.NoError(t, err)
		ka, err := c.KeepAlive(t0.Add(time.Second), true, withByte)
		require.NoError(t, err)
		next := []byte("next")
		zwp, err := c.ZeroWindowProbe(t0.Add(2*time.Second), true, next[0])
		require.NoError(t, err)
		_, err = c.Send(t0.Add(3*time.Second), true, next)
		require.NoError(t, err)

		got := readBack(t, w, buf)
		requireIncreasing(t, got.pkts)
		probe := got.pkts[ka-1].tcp()
		require.Equal(t, c.ISN(true)+1+10-1, probe.Seq, "keep-alive is at SND.NXT-1")
		require.Equal(t, ACK, flagsOf(probe))
		if withByte {
			require.Len(t, probe.Payload, 1)
		} else {
			require.Empty(t, probe.Payload)
		}
		reply := got.pkts[ka].tcp()
		require.Equal(t, c.ISN(true)+11, reply.Ack)

		zero := got.pkts[zwp-2].tcp()
		require.Zero(t, zero.Window)
		z := got.pkts[zwp-1].tcp()
		require.Equal(t, c.ISN(true)+11, z.Seq)
		require.Equal(t, next[:1], []byte(z.Payload))
		require.Zero(t, got.pkts[zwp].tcp().Window)
		require.Equal(t, c.ISN(true)+11, got.pkts[zwp].tcp().Ack, "the probe byte is not acknowledged")
		require.Equal(t, uint16(defaultServerWindow), got.pkts[zwp+1].tcp().Window, "window update")

		// The keep-alive's byte is garbage that overlaps real data; the
		// probe byte agrees with the data that follows it.
		data := append(append([]captured(nil), got.pkts[:ka-1]...), got.pkts[ka:]...)
		stream, hole := assemble(t, data, client4.Port(), c.ISN(true)+1)
		require.False(t, hole)
		require.Equal(t, append(pattern(10), next...), stream)
	}
}
