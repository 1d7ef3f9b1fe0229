package capgen

import (
	"fmt"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"
)

// wantPkt is the expected shape of one TCP packet.
type wantPkt struct {
	fromClient bool
	flags      Flags
	seq, ack   uint32 // relative to the sender's / receiver's ISN
	payload    int
}

// requireShape compares TCP packets to expectations, with sequence numbers
// relative to the connection's ISNs.
func requireShape(t *testing.T, c *Conn, pkts []captured, want []wantPkt) {
	t.Helper()
	require.Len(t, pkts, len(want))
	for i, w := range want {
		tcp := pkts[i].tcp()
		require.NotNil(t, tcp, "packet %d", i)
		require.Equal(t, w.fromClient, fromPort(pkts[i], c.Client().Port()), "packet %d direction", i)
		require.Equal(t, w.flags, flagsOf(tcp), "packet %d flags", i)
		require.Equal(t, w.seq, tcp.Seq-c.ISN(w.fromClient), "packet %d relative seq", i)
		if w.flags.Has(ACK) {
			require.Equal(t, w.ack, tcp.Ack-c.ISN(!w.fromClient), "packet %d relative ack", i)
		} else {
			require.Zero(t, tcp.Ack, "packet %d ack", i)
		}
		require.Len(t, tcp.Payload, w.payload, "packet %d payload", i)
	}
}

func TestHandshakeSendCloseArithmetic(t *testing.T) {
	for _, isn := range []struct {
		name     string
		cli, srv uint32
	}{
		{"derived", 0, 0},
		{"wrap client", 0xfffffff0, 1000},
		{"wrap both", 0xffffffff, 0xfffffffe},
	} {
		t.Run(isn.name, func(t *testing.T) {
			w, buf := newTestWriter(t, Options{MSS: 10})
			var opts []ConnOption
			if isn.cli != 0 {
				opts = append(opts, WithISN(isn.cli, isn.srv))
			}
			c := newTestConn(t, w, client4, server4, opts...)
			require.NoError(t, c.Handshake(t0))
			frames, err := c.Send(t0.Add(time.Millisecond), true, pattern(25))
			require.NoError(t, err)
			require.Equal(t, []int{4, 5, 7}, frames)
			_, err = c.Send(t0.Add(2*time.Millisecond), false, pattern(4))
			require.NoError(t, err)
			require.NoError(t, c.Close(t0.Add(3*time.Millisecond), false))
			require.Equal(t, uint32(1+25+1), c.NextSeq(true)-c.ISN(true))
			require.Equal(t, uint32(1+4+1), c.NextSeq(false)-c.ISN(false))

			got := readBack(t, w, buf)
			requireIncreasing(t, got.pkts)
			requireShape(t, c, got.tcpPkts(), []wantPkt{
				{true, SYN, 0, 0, 0},
				{false, SYN | ACK, 0, 1, 0},
				{true, ACK, 1, 1, 0},
				{true, ACK, 1, 1, 10},
				{true, ACK, 11, 1, 10},
				{false, ACK, 1, 21, 0}, // delayed ACK after two segments
				{true, PSH | ACK, 21, 1, 5},
				{false, ACK, 1, 26, 0},
				{false, PSH | ACK, 1, 26, 4},
				{true, ACK, 26, 5, 0},
				{false, FIN | ACK, 5, 26, 0}, // server closes first
				{true, ACK, 26, 6, 0},
				{true, FIN | ACK, 26, 6, 0},
				{false, ACK, 6, 27, 0},
			})
			syn := got.pkts[0].tcp()
			require.Len(t, syn.Options, 1)
			require.Equal(t, layers.TCPOptionKind(layers.TCPOptionKindMSS), syn.Options[0].OptionType)
			require.Equal(t, []byte{0, 10}, syn.Options[0].OptionData)
			require.Equal(t, uint16(defaultClientWindow), syn.Window)
			require.Equal(t, uint16(defaultServerWindow), got.pkts[1].tcp().Window)
			if isn.cli != 0 {
				require.Equal(t, isn.cli, syn.Seq)
			}
			for _, p := range got.pkts {
				requireValid(t, p)
			}
		})
	}
}

func TestSendReassemblesForEveryMSS(t *testing.T) {
	type tc struct {
		mss, size int
		ipv6      bool
	}
	var tests []tc
	for _, mss := range []int{0, 1, 7, 16, 536, 1460, 9000} {
		for _, size := range []int{1, 15, 16, 17, 1000, 4096, 20000} {
			tests = append(tests, tc{mss, size, false}, tc{mss, size, true})
		}
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("mss=%d/size=%d/ipv6=%v", tt.mss, tt.size, tt.ipv6), func(t *testing.T) {
			cli, srv := client4, server4
			wantMSS := DefaultMSS
			if tt.ipv6 {
				cli, srv, wantMSS = client6, server6, DefaultMSS6
			}
			if tt.mss != 0 {
				wantMSS = tt.mss
			}
			w, buf := newTestWriter(t, Options{})
			c := newTestConn(t, w, cli, srv, WithMSS(tt.mss), WithISN(0xffffff00, 0x7fffffff))
			require.Equal(t, wantMSS, c.MSS())
			require.NoError(t, c.Handshake(t0))
			payload := pattern(tt.size)
			frames, err := c.Send(t0.Add(time.Millisecond), true, payload)
			require.NoError(t, err)
			nseg := (tt.size + wantMSS - 1) / wantMSS
			require.Len(t, frames, nseg)
			require.Equal(t, 3+nseg+nseg/2+nseg%2, w.Frames(), "data + delayed ACKs")

			got := readBack(t, w, buf)
			requireIncreasing(t, got.pkts)
			for i, f := range frames {
				p := got.pkts[f-1]
				requireValid(t, p)
				tcp := p.tcp()
				require.LessOrEqual(t, len(tcp.Payload), wantMSS)
				require.Equal(t, i == len(frames)-1, tcp.PSH, "PSH only on the last segment")
				if tt.ipv6 {
					require.NotNil(t, p.pkt.Layer(layers.LayerTypeIPv6))
				}
			}
			stream, hole := assemble(t, got.pkts, cli.Port(), c.ISN(true)+1)
			require.False(t, hole)
			require.Equal(t, payload, stream)
			// The last packet is the server's ACK of everything.
			last := got.pkts[len(got.pkts)-1].tcp()
			require.Equal(t, c.NextSeq(true), last.Ack)
		})
	}
}

func TestSendSegmentsCuts(t *testing.T) {
	tests := []struct {
		name     string
		size     int
		cuts     []int
		wantLens []int
		wantErr  string
	}{
		{"header split after byte 3", 16, []int{3}, []int{3, 13}, ""},
		{"one byte at a time", 4, []int{1, 2, 3}, []int{1, 1, 1, 1}, ""},
		{"header then body", 40, []int{16}, []int{16, 24}, ""},
		{"empty cuts is one segment", 3000, []int{}, []int{3000}, ""},
		{"nil cuts uses MSS", 3000, nil, []int{1460, 1460, 80}, ""},
		{"cut at zero", 10, []int{0}, nil, "strictly increasing"},
		{"cut at end", 10, []int{10}, nil, "strictly increasing"},
		{"cuts not increasing", 10, []int{5, 5}, nil, "strictly increasing"},
		{"empty payload", 0, nil, nil, "empty payload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, buf := newTestWriter(t, Options{})
			c := newTestConn(t, w, client4, server4)
			payload := pattern(tt.size)
			frames, err := c.SendSegments(t0, false, payload, tt.cuts)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.Zero(t, w.Frames())
				return
			}
			require.NoError(t, err)
			got := readBack(t, w, buf)
			var lens []int
			for _, f := range frames {
				lens = append(lens, len(got.pkts[f-1].tcp().Payload))
			}
			require.Equal(t, tt.wantLens, lens)
			stream, hole := assemble(t, got.pkts, server4.Port(), c.ISN(false)+1)
			require.False(t, hole)
			require.Equal(t, payload, stream)
		})
	}
}

func TestMidStreamStart(t *testing.T) {
	w, buf := newTestWriter(t, Options{})
	c := newTestConn(t, w, client4, server4)
	_, err := c.Send(t0, false, []byte("deliver_sm"))
	require.NoError(t, err)
	require.ErrorContains(t, c.Handshake(t0.Add(time.Second)), "handshake after")
	got := readBack(t, w, buf)
	requireShape(t, c, got.tcpPkts(), []wantPkt{
		{false, PSH | ACK, 1, 1, 10},
		{true, ACK, 1, 11, 0},
	})
}

func TestResetAndClosedErrors(t *testing.T) {
	w, buf := newTestWriter(t, Options{})
	c := newTestConn(t, w, client4, server4)
	require.NoError(t, c.Handshake(t0))
	_, err := c.Send(t0.Add(time.Millisecond), true, pattern(5))
	require.NoError(t, err)
	require.NoError(t, c.Reset(t0.Add(2*time.Millisecond), false))
	_, err = c.Send(t0.Add(3*time.Millisecond), true, pattern(5))
	require.ErrorContains(t, err, "reset")
	require.ErrorContains(t, c.Close(t0.Add(3*time.Millisecond), true), "reset")
	require.ErrorContains(t, c.Reset(t0.Add(3*time.Millisecond), true), "reset")
	got := readBack(t, w, buf)
	tcps := got.tcpPkts()
	rst := tcps[len(tcps)-1].tcp()
	require.Equal(t, RST|ACK, flagsOf(rst))
	require.Equal(t, c.ISN(false)+1, rst.Seq)
	require.Equal(t, c.ISN(true)+6, rst.Ack)

	w2, _ := newTestWriter(t, Options{})
	d := newTestConn(t, w2, client4, server4)
	require.NoError(t, d.Shutdown(t0, true))
	_, err = d.Send(t0.Add(time.Millisecond), true, pattern(3))
	require.ErrorContains(t, err, "client already sent FIN")
	_, err = d.Send(t0.Add(time.Millisecond), false, pattern(3)) // half-close: server may still send
	require.NoError(t, err)
	require.NoError(t, d.Close(t0.Add(2*time.Millisecond), true)) // only the server's FIN is left
	require.Equal(t, 2+2+2, w2.Frames())
	require.ErrorContains(t, d.Close(t0.Add(3*time.Millisecond), true), "already closed")
}

func TestNewConnErrors(t *testing.T) {
	tests := []struct {
		name           string
		client, server string
		opts           []ConnOption
		want           string
	}{
		{"mixed families", "10.0.0.1:1", "[2001:db8::2]:2", nil, "families"},
		{"bad MSS", "10.0.0.1:1", "10.0.0.2:2", []ConnOption{WithMSS(-5)}, "MSS"},
		{"mirror families", "10.0.0.1:1", "10.0.0.2:2",
			[]ConnOption{WithMirror(client4, server6, time.Microsecond)}, "mirror"},
		{"negative mirror delay", "10.0.0.1:1", "10.0.0.2:2",
			[]ConnOption{WithMirror(client4, server4, -time.Microsecond)}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _ := newTestWriter(t, Options{})
			_, err := w.NewConn(mustAddrPort(t, tt.client), mustAddrPort(t, tt.server), tt.opts...)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestIPv4MappedAddressesAreUnmapped(t *testing.T) {
	w, buf := newTestWriter(t, Options{})
	c := newTestConn(t, w, mustAddrPort(t, "[::ffff:10.0.0.1]:40000"), server4)
	require.Equal(t, client4, c.Client())
	require.Equal(t, DefaultMSS, c.MSS())
	require.NoError(t, c.Handshake(t0))
	got := readBack(t, w, buf)
	require.NotNil(t, got.pkts[0].ip4())
}
