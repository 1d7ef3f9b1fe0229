//go:build linux

package reassembly

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/decode"
)

// syncCollector is a collector that may be read while RunLive runs.
type syncCollector struct {
	mu sync.Mutex
	c  collector
}

func (s *syncCollector) PDU(p *PDU) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.c.PDU(p)
}

func (s *syncCollector) Gap(g *Gap) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.c.Gap(g)
}

func (s *syncCollector) Problem(p *Problem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.c.Problem(p)
}

func (s *syncCollector) pdus() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.c.pdus)
}

// smscServer answers each SMPP request read from conn with its response,
// until unbind.
func smscServer(t *testing.T, conn net.Conn) {
	defer conn.Close()
	for {
		hdr := make([]byte, decode.HeaderLen)
		if _, err := io.ReadFull(conn, hdr); err != nil {
			return
		}
		h, _ := decode.ReadHeader(hdr)
		if _, err := io.CopyN(io.Discard, conn, int64(h.Length)-decode.HeaderLen); err != nil {
			return
		}
		resp := decode.New(h.ID|decode.RespBit, decode.StatusOK, h.Seq)
		switch h.ID {
		case decode.BindTransceiver:
			resp.SetString(decode.FieldSystemID, "smsc")
		case decode.SubmitSM:
			resp.SetString(decode.FieldMessageID, "live-1")
		}
		b, err := resp.Marshal()
		if err != nil {
			t.Error(err)
			return
		}
		if _, err := conn.Write(b); err != nil || h.ID == decode.Unbind {
			return
		}
	}
}

// TestLiveLoopback captures a real SMPP exchange over a TCP connection on
// the loopback interface and checks that every PDU is seen exactly once.
// It needs root (CI runs as root); it runs with AF_PACKET by default and
// with libpcap under -tags pcap.
func TestLiveLoopback(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("live capture needs root")
	}
	for _, iface := range []string{"lo", "any"} {
		t.Run(iface, func(t *testing.T) { liveLoopback(t, iface) })
	}
}

func liveLoopback(t *testing.T, iface string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	port := uint16(ln.Addr().(*net.TCPAddr).Port)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var h syncCollector
	ready := make(chan LiveInfo, 1)
	sp := &Spool{Dir: t.TempDir()}
	defer sp.Close()
	o := Options{Ports: []uint16{port}, Spool: sp, Listening: func(li LiveInfo) { ready <- li }}
	type result struct {
		st  Stats
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := RunLive(ctx, iface, o, &h)
		done <- result{st, err}
	}()
	select {
	case li := <-ready:
		require.Equal(t, iface, li.Interface)
		t.Logf("capturing: %+v", li)
	case r := <-done:
		t.Fatalf("RunLive ended before capturing: %v", r.err)
	}

	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		smscServer(t, conn)
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	reqs := [][]byte{
		bindTRX(t, 1),
		submit(t, 2, "captured live"),
		enq(t, 3),
		marshal(t, decode.New(decode.Unbind, decode.StatusOK, 4)),
	}
	for i, req := range reqs {
		if i == 1 { // the header in two writes: two segments (Go turns Nagle off)
			_, err = conn.Write(req[:7])
			require.NoError(t, err)
			time.Sleep(20 * time.Millisecond)
			req = req[7:]
		}
		_, err = conn.Write(req)
		require.NoError(t, err)
		hdr := make([]byte, decode.HeaderLen)
		_, err = io.ReadFull(conn, hdr)
		require.NoError(t, err)
		_, err = io.CopyN(io.Discard, conn, int64(binary.BigEndian.Uint32(hdr))-decode.HeaderLen)
		require.NoError(t, err)
	}
	require.NoError(t, conn.Close())

	deadline := time.Now().Add(10 * time.Second)
	for h.pdus() < 2*len(reqs) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // anything extra (a duplicate) would show by now
	cancel()
	r := <-done
	require.NoError(t, r.err)

	col := &h.c
	require.Empty(t, col.problems)
	require.Empty(t, col.gaps)
	type seen struct {
		dir Dir
		id  uint32
		seq uint32
	}
	var got []seen
	for _, p := range col.pdus {
		got = append(got, seen{p.Dir, binary.BigEndian.Uint32(p.Data[4:]), binary.BigEndian.Uint32(p.Data[12:])})
		require.Equal(t, iface, p.File)
		require.Zero(t, p.Stream)
	}
	var want []seen
	for i, id := range []uint32{0x09, 0x04, 0x15, 0x06} {
		want = append(want, seen{c2s, id, uint32(i + 1)}, seen{s2c, id | 0x80000000, uint32(i + 1)})
	}
	require.Equal(t, want, got, "every PDU exactly once, in order")
	require.Len(t, col.pdus[2].Frames, 2, "the split submit_sm came in two packets")
	require.EqualValues(t, 8, r.st.PDUs)
	require.EqualValues(t, 1, r.st.Streams)
	require.Zero(t, r.st.Drops)
	require.Zero(t, r.st.MirrorStreams, "loopback packets are not seen twice")

	// Each packet was captured once: the copy loopback shows going out
	// is filtered in the kernel.
	path, ok := sp.Path(iface)
	require.True(t, ok)
	spooled, err := os.ReadFile(path)
	require.NoError(t, err)
	all, _ := readFrames(t, spooled)
	require.EqualValues(t, len(all), r.st.Packets)
	for i := 1; i < len(all); i++ {
		require.NotEqual(t, all[i-1].data, all[i].data, "frame %d twice", i)
	}

	// The spooled capture holds the frames of those PDUs: copy them out
	// and read them again.
	frames := map[int]bool{}
	for _, p := range col.pdus {
		for _, f := range p.Frames {
			frames[f] = true
		}
	}
	var out bytes.Buffer
	n, err := CopyFrames(context.Background(), []string{iface}, o, func(f string, n int) bool { return f == iface && frames[n] }, &out, FormatPcap)
	require.NoError(t, err)
	require.Equal(t, len(frames), n)
	again, _, err := runFiles(t, Options{Ports: []uint16{port}}, writeFile(t, "live.pcap", out.Bytes()))
	require.NoError(t, err)
	require.Len(t, again.pdus, 8)
}

// TestLiveErrors checks the errors RunLive gives before capturing.
func TestLiveErrors(t *testing.T) {
	_, err := RunLive(context.Background(), "lo", Options{}, &collector{})
	require.ErrorContains(t, err, "Ports")
	_, err = RunLive(context.Background(), "no-such-interface0", Options{Ports: []uint16{2775}}, &collector{})
	require.Error(t, err)
	require.Contains(t, err.Error(), "no-such-interface0")
}
