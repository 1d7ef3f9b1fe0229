package reassembly

import (
	"bufio"
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/internal/capgen"
)

// TestHalfOpen checks the connections known only by their handshake: they
// take a Stream index but do not count against MaxStreams, their handshake
// is fed to the assembler when their first data comes, and they are
// forgotten on a FIN or RST, after FlushIdle of silence, or (the least
// recently active first) at MaxHalfOpen.
func TestHalfOpen(t *testing.T) {
	peer := func(i int) netip.AddrPort {
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 9, 0, byte(i)}), uint16(41000+i))
	}
	syn := func(k *tconn) { // the client's SYN only
		k.c.add(seg{src: k.ends[0], dst: k.ends[1], seq: k.isn[0], syn: true, noACK: true})
	}
	exchange := func(k *tconn, seq uint32) {
		k.send(c2s, enquireLink(seq))
		k.send(s2c, enquireLinkResp(seq))
	}
	tests := []struct {
		name  string
		opts  Options
		build func(c *capture)
		check func(t *testing.T, col *collector, st Stats)
	}{
		{
			name: "SYN-only connections do not count against MaxStreams",
			opts: Options{MaxStreams: 1},
			build: func(c *capture) {
				for i := range 5 {
					syn(c.conn(peer(i), server))
				}
				k := c.conn(client, server)
				k.handshake()
				exchange(k, 1)
			},
			check: func(t *testing.T, col *collector, st Stats) {
				require.Len(t, col.pdus, 2)
				require.Empty(t, col.gaps)
				require.Empty(t, col.problems)
				require.Zero(t, st.StreamsDropped)
				require.EqualValues(t, 6, st.Connections)
				require.Equal(t, 5, col.pdus[0].Stream, "Stream indexes count connections in order of first sight")
			},
		},
		{
			name: "the handshake is replayed: first data captured out of order",
			build: func(c *capture) {
				k := c.conn(client, server)
				k.handshake()
				sub := submitSM(1, 60)
				head, tail := k.seg(c2s, sub[:20]), k.seg(c2s, sub[20:])
				c.add(tail) // frame 4
				c.add(head) // frame 5
				k.send(s2c, pdu(idSubmitSMResp, 1, []byte{0}))
			},
			check: func(t *testing.T, col *collector, st Stats) {
				pdus, gaps := summarize(col)
				require.Equal(t, []gotPDU{
					{5, []int{4, 5}, c2s, 0, idSubmitSM, 60},
					{6, []int{6}, s2c, 0, idSubmitSMResp, 17},
				}, pdus)
				require.Empty(t, gaps, "each half starts at its SYN: nothing is mid-stream")
			},
		},
		{
			name: "the first packet is the server's SYN-ACK",
			build: func(c *capture) {
				k := c.conn(client, server)
				c.add(seg{src: server, dst: client, seq: k.isn[1], ack: k.seq[0], syn: true})
				c.add(seg{src: client, dst: server, seq: k.seq[0], ack: k.seq[1]})
				exchange(k, 7)
			},
			check: func(t *testing.T, col *collector, st Stats) {
				require.Len(t, col.pdus, 2)
				require.Empty(t, col.gaps, "the SYN-ACK says where the client's stream starts")
				require.Equal(t, client, col.pdus[0].Src)
				require.Equal(t, c2s, col.pdus[0].Dir)
			},
		},
		{
			name: "a RST forgets the record",
			opts: Options{MaxHalfOpen: 1},
			build: func(c *capture) {
				for i := range 3 {
					k := c.conn(peer(i), server)
					syn(k)
					c.add(seg{src: server, dst: peer(i), ack: k.seq[0], rst: true}) // port closed
				}
				k := c.conn(client, server)
				k.handshake()
				exchange(k, 1)
			},
			check: func(t *testing.T, col *collector, st Stats) {
				require.Len(t, col.pdus, 2)
				require.Empty(t, col.gaps)
				require.Zero(t, st.HalfOpenEvicted)
				require.Equal(t, 3, col.pdus[0].Stream)
			},
		},
		{
			name: "at MaxHalfOpen the least recently active record goes",
			opts: Options{MaxHalfOpen: 2},
			build: func(c *capture) {
				a, b, d := c.conn(peer(1), server), c.conn(peer(2), server), c.conn(peer(3), server)
				synAck := func(k *tconn) {
					c.add(seg{src: k.ends[1], dst: k.ends[0], seq: k.isn[1], ack: k.seq[0], syn: true})
				}
				syn(a)
				syn(b)
				synAck(a) // a is the most recently active
				syn(d)    // b goes
				synAck(d)
				exchange(a, 1)
				exchange(b, 2)
				exchange(d, 3)
			},
			check: func(t *testing.T, col *collector, st Stats) {
				require.EqualValues(t, 1, st.HalfOpenEvicted)
				require.Len(t, col.pdus, 6)
				require.Len(t, col.gaps, 2) // b's directions
				for _, g := range col.gaps {
					require.Equal(t, ReasonMidStream, g.Reason, "b, forgotten, is seen from its data on")
					require.Equal(t, peer(2).Port(), g.Endpoint.clientPort())
					require.Equal(t, 3, g.Stream, "b takes a new Stream index")
				}
				byPort := map[uint16]int{}
				for _, p := range col.pdus {
					byPort[p.clientPort()] = p.Stream
				}
				require.Equal(t, map[uint16]int{peer(1).Port(): 0, peer(2).Port(): 3, peer(3).Port(): 2}, byPort)
			},
		},
		{
			name: "a record silent for FlushIdle is forgotten",
			opts: Options{FlushIdle: time.Minute},
			build: func(c *capture) {
				a := c.conn(peer(1), server)
				a.handshake()
				c.tick(2 * time.Minute)
				k := c.conn(client, server)
				k.handshake()
				exchange(k, 1)
				exchange(a, 2)
			},
			check: func(t *testing.T, col *collector, st Stats) {
				require.EqualValues(t, 1, st.IdleClosed)
				require.Len(t, col.pdus, 4)
				require.Len(t, col.gaps, 2) // a's directions, mid-stream
				require.Equal(t, 2, col.pdus[2].Stream)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCapture(t, layers.LinkTypeEthernet)
			tt.build(c)
			o := tt.opts
			o.Ports = []uint16{2775}
			col, st := runCapture(t, c, o)
			tt.check(t, col, st)
		})
	}
}

// TestHalfOpenMemoryBounded: a flood of SYNs costs at most MaxHalfOpen
// small records, whatever its size, and a session after it is whole.
func TestHalfOpenMemoryBounded(t *testing.T) {
	const syns = 60_000
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	w, err := capgen.NewWriter(bw, capgen.Options{})
	require.NoError(t, err)
	ts := genStart
	srv := netip.MustParseAddrPort("10.2.0.1:2775")
	for i := range syns {
		ts = ts.Add(100 * time.Microsecond)
		cli := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 100, byte(i >> 8), byte(i)}), uint16(1024+i%60_000))
		_, err := w.WriteSegment(cli, srv, capgen.Segment{Time: ts, FromClient: true, Seq: uint32(i) * 2654435761, Flags: capgen.SYN, Window: 64240})
		require.NoError(t, err)
	}
	c, err := w.NewConn(esme, srv)
	require.NoError(t, err)
	require.NoError(t, c.Handshake(ts.Add(time.Millisecond)))
	_, err = c.SendSegments(ts.Add(2*time.Millisecond), true, enq(t, 1), []int{})
	require.NoError(t, err)
	_, err = c.SendSegments(ts.Add(3*time.Millisecond), false, enqResp(t, 1), []int{})
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, bw.Flush())
	file := writeFile(t, "flood.pcap", buf.Bytes())

	var col *collector
	var st Stats
	peak := peakHeap(func() {
		var err error
		col, st, err = runFiles(t, Options{Ports: []uint16{2775}}, file)
		require.NoError(t, err)
	})
	t.Logf("%d SYNs: peak heap +%.1f MiB, %d evicted", syns, float64(peak)/(1<<20), st.HalfOpenEvicted)
	require.Len(t, col.pdus, 2)
	require.Empty(t, col.gaps)
	require.Zero(t, st.StreamsDropped)
	require.EqualValues(t, syns+1-DefaultMaxHalfOpen, st.HalfOpenEvicted, "the session's SYN is a record too")
	require.Less(t, peak, uint64(48<<20), "about 1.5 KiB per record kept, and no more than DefaultMaxHalfOpen of them")
}
