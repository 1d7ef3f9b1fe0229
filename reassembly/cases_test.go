package reassembly

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/internal/capgen"
)

// TestCases runs one capture per case of the capture front end, written by
// capgen, and checks the exact PDUs (frames, direction, offset, command,
// length) and gaps that come out.
func TestCases(t *testing.T) {
	type result struct {
		pdus []gotPDU
		gaps []gotGap
	}
	tests := []struct {
		name  string
		cap   capgen.Options
		opts  Options
		build func(t *testing.T, g *gen) result
		check func(t *testing.T, c *collector, st Stats)
	}{
		{
			name: "a PDU split over one-byte segments",
			build: func(t *testing.T, g *gen) result {
				c := g.conn(esme, smsc, true)
				b := enq(t, 1)
				f := g.send(c, true, b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
				return result{pdus: []gotPDU{want(f[15], f, c2s, 0, b)}}
			},
		},
		{
			name: "several PDUs per segment, the last one split",
			build: func(t *testing.T, g *gen) result {
				c := g.conn(esme, smsc, true)
				a, b, d := enq(t, 1), submit(t, 2, "two"), enq(t, 3)
				f := g.send(c, true, cat(a, b, d), len(a)+len(b)+5)
				return result{pdus: []gotPDU{
					want(f[0], f[:1], c2s, 0, a),
					want(f[0], f[:1], c2s, len(a), b),
					want(f[1], f, c2s, len(a)+len(b), d),
				}}
			},
		},
		{
			name: "out of order: the PDU comes out when the hole is filled",
			build: func(t *testing.T, g *gen) result {
				c := g.conn(esme, smsc, true)
				a, b := submit(t, 2, "out of order"), enq(t, 3)
				s := g.segs(c, true, cat(a, b), 10, len(a)-5)
				f := g.write(c, s[2], s[0], s[1]) // the last first
				return result{pdus: []gotPDU{
					want(f[2], []int{f[0], f[1], f[2]}, c2s, 0, a),
					want(f[0], f[:1], c2s, len(a), b), // all its bytes came in the first frame written
				}}
			},
		},
		{
			name: "overlapping retransmission with other boundaries",
			build: func(t *testing.T, g *gen) result {
				c := g.conn(esme, smsc, true)
				a, b := submit(t, 2, "first message"), submit(t, 3, "second message")
				s := g.segs(c, true, cat(a, b), 30, len(a)+10)
				fa := g.write(c, s[0])
				re, err := c.Resegment(g.next(), s[:2], []int{15}) // [0,15) [15,len(a)+10)
				require.NoError(t, err)
				fr := g.write(c, re[1]) // overlaps [15,30) already delivered
				fc := g.write(c, s[2])
				g.write(c, s[1]) // the original, entirely old by now
				return result{pdus: []gotPDU{
					want(fr[0], []int{fa[0], fr[0]}, c2s, 0, a),
					want(fc[0], []int{fr[0], fc[0]}, c2s, len(a), b),
				}}
			},
		},
		{
			name: "retransmissions are delivered once",
			build: func(t *testing.T, g *gen) result {
				c := g.conn(esme, smsc, true)
				a, b := bindTRX(t, 1), enq(t, 2)
				s := g.segs(c, true, cat(a, b), 20)
				f := g.write(c, s...)
				_, err := c.Retransmit(g.next(), s...)
				require.NoError(t, err)
				return result{pdus: []gotPDU{want(f[1], f, c2s, 0, a), want(f[1], f[1:], c2s, len(a), b)}}
			},
		},
		{
			name: "the same packet captured twice",
			build: func(t *testing.T, g *gen) result {
				c := g.conn(esme, smsc, true)
				a := submit(t, 2, "twice")
				s := g.segs(c, true, a)
				f := g.write(c, s[0], s[0])
				return result{pdus: []gotPDU{want(f[0], f[:1], c2s, 0, a)}}
			},
		},
		{
			name: "loss in the middle of a PDU",
			build: func(t *testing.T, g *gen) result {
				c := g.conn(esme, smsc, true)
				a, b := submit(t, 2, "lost in the middle"), enq(t, 3)
				s := g.segs(c, true, cat(a, b), 20, 40)
				f := g.write(c, s[0], s[2]) // s[1] is lost
				r := g.send(c, false, enqResp(t, 3))
				return result{
					// The hole is given up at the end of the input.
					pdus: []gotPDU{want(r[0], r, s2c, 0, enqResp(t, 3)), want(f[1], f[1:], c2s, len(a), b)},
					// 20 bytes held, 20 lost, the rest of the submit_sm scanned.
					gaps: []gotGap{{ReasonLoss, f[1], c2s, 0, 20, 20 + int64(len(a)-40)}},
				}
			},
		},
		{
			name: "mid-stream start",
			build: func(t *testing.T, g *gen) result {
				c := g.conn(esme, smsc, false)
				a, b := submit(t, 7, "the capture starts here"), enq(t, 8)
				f := g.send(c, true, cat(a[9:], b))
				r := g.send(c, false, enqResp(t, 8))
				return result{
					pdus: []gotPDU{want(f[0], f, c2s, len(a)-9, b), want(r[0], r, s2c, 0, enqResp(t, 8))},
					gaps: []gotGap{{ReasonMidStream, f[0], c2s, 0, -1, int64(len(a) - 9)}, {ReasonMidStream, r[0], s2c, 0, -1, 0}},
				}
			},
		},
		{
			name: "snaplen cut",
			cap:  capgen.Options{Snaplen: 120}, // 54 bytes of headers: a payload above 66 bytes is cut
			build: func(t *testing.T, g *gen) result {
				c := g.conn(esme, smsc, true)
				a, b := submit(t, 2, "a message long enough to be cut by the snap length"), enq(t, 3)
				f1 := g.send(c, true, enq(t, 1))
				g.send(c, true, a)
				f3 := g.send(c, true, b)
				return result{
					pdus: []gotPDU{want(f1[0], f1, c2s, 0, enq(t, 1)), want(f3[0], f3, c2s, 16+len(a), b)},
					gaps: []gotGap{{ReasonLoss, f3[0], c2s, 16, int64(len(a) - 66), 66}},
				}
			},
			check: func(t *testing.T, c *collector, st Stats) {
				require.EqualValues(t, 1, st.Truncated)
				require.Len(t, c.problems, 1)
				require.ErrorIs(t, &c.problems[0], ErrSnapLen)
			},
		},
		{
			name: "IPv4 fragments, out of order",
			build: func(t *testing.T, g *gen) result {
				c := g.conn(esme, smsc, true)
				a, b := submit(t, 2, "fragmented"), enq(t, 3)
				s := g.segs(c, true, cat(a, b))
				pk, err := c.Fragment(s[0], 3)
				require.NoError(t, err)
				var f []int
				for _, p := range []capgen.Packet{pk[2], pk[0], pk[1]} {
					p.Time = g.next()
					n, err := g.w.WritePacket(p)
					require.NoError(t, err)
					f = append(f, n)
				}
				return result{pdus: []gotPDU{want(f[2], f[2:], c2s, 0, a), want(f[2], f[2:], c2s, len(a), b)}}
			},
			check: func(t *testing.T, c *collector, st Stats) {
				require.EqualValues(t, 3, st.Fragments)
				require.Zero(t, st.FragmentsIncomplete)
			},
		},
		{
			name: "IPv4 fragment missing",
			build: func(t *testing.T, g *gen) result {
				c := g.conn(esme, smsc, true)
				a, b := submit(t, 2, "fragmented"), enq(t, 3)
				s := g.segs(c, true, a)
				pk, err := c.Fragment(s[0], 2)
				require.NoError(t, err)
				pk[0].Time = g.next()
				_, err = g.w.WritePacket(pk[0]) // the second fragment is lost
				require.NoError(t, err)
				f := g.send(c, true, b)
				return result{
					pdus: []gotPDU{want(f[0], f, c2s, len(a), b)},
					gaps: []gotGap{{ReasonLoss, f[0], c2s, 0, int64(len(a)), 0}},
				}
			},
			check: func(t *testing.T, c *collector, st Stats) {
				require.EqualValues(t, 1, st.FragmentsIncomplete)
			},
		},
		{
			name: "802.1Q",
			cap:  capgen.Options{Link: capgen.Ethernet802_1Q},
			build: func(t *testing.T, g *gen) result {
				return result{pdus: g.session(g.conn(esme, smsc, true), [2]int{})}
			},
		},
		{
			name: "QinQ",
			cap:  capgen.Options{Link: capgen.QinQ},
			build: func(t *testing.T, g *gen) result {
				return result{pdus: g.session(g.conn(esme, smsc, true), [2]int{})}
			},
		},
		{
			name: "QinQ IPv6",
			cap:  capgen.Options{Link: capgen.QinQ},
			build: func(t *testing.T, g *gen) result {
				return result{pdus: g.session(g.conn(esme6, smsc6, true), [2]int{})}
			},
		},
		{
			name: "Linux SLL2",
			cap:  capgen.Options{Link: capgen.LinuxSLL2, Format: capgen.PCAPNG},
			build: func(t *testing.T, g *gen) result {
				return result{pdus: g.session(g.conn(esme, smsc, true), [2]int{})}
			},
		},
		{
			name: "IPv6",
			build: func(t *testing.T, g *gen) result {
				c := g.conn(esme6, smsc6, true)
				a := submit(t, 2, "over IPv6")
				f := g.send(c, true, a, 3)
				return result{pdus: append([]gotPDU{want(f[1], f, c2s, 0, a)}, g.session(c, [2]int{len(a), 0})...)}
			},
			check: func(t *testing.T, c *collector, st Stats) {
				require.Equal(t, esme6, c.pdus[0].Src)
			},
		},
		{
			name: "sequence numbers wrap around 2^32",
			build: func(t *testing.T, g *gen) result {
				c := g.conn(esme, smsc, true, capgen.WithISN(0xffffffd0, 0xfffffffe))
				var out []gotPDU
				off := 0
				for i := range uint32(5) {
					a := submit(t, i+2, "wrap")
					f := g.send(c, true, a, 20)
					out = append(out, want(f[1], f, c2s, off, a))
					off += len(a)
				}
				r := g.send(c, false, submitResp(t, 2, "id"))
				return result{pdus: append(out, want(r[0], r, s2c, 0, submitResp(t, 2, "id")))}
			},
		},
		{
			name: "keep-alives and zero-window probes",
			build: func(t *testing.T, g *gen) result {
				c := g.conn(esme, smsc, true)
				a, b := enq(t, 1), submit(t, 2, "after the probe")
				f1 := g.send(c, true, a)
				_, err := c.KeepAlive(g.next(), true, true) // one garbage byte, already acked
				require.NoError(t, err)
				p, err := c.ZeroWindowProbe(g.next(), true, b[0])
				require.NoError(t, err)
				f2 := g.send(c, true, b)
				return result{pdus: []gotPDU{want(f1[0], f1, c2s, 0, a), want(f2[0], []int{p, f2[0]}, c2s, len(a), b)}}
			},
		},
		{
			name: "FIN and RST end the streams",
			build: func(t *testing.T, g *gen) result {
				c := g.conn(esme, smsc, true)
				a := submit(t, 2, "bye")
				f := g.send(c, true, a)
				require.NoError(t, c.Close(g.next(), true))
				d := g.conn(netip.MustParseAddrPort("10.1.0.2:40001"), smsc, true)
				b := enq(t, 1)
				h := g.send(d, true, cat(b, b[:10])) // a partial PDU, then RST
				require.NoError(t, d.Reset(g.next(), false))
				return result{
					pdus: []gotPDU{want(f[0], f, c2s, 0, a), want(h[0], h, c2s, 0, b)},
					gaps: []gotGap{{ReasonIncomplete, h[0], c2s, 16, 0, 10}},
				}
			},
			check: func(t *testing.T, c *collector, st Stats) {
				require.Equal(t, 1, c.pdus[1].Stream)
			},
		},
		{
			name: "a non-SMPP stream on port 2775",
			build: func(t *testing.T, g *gen) result {
				c := g.conn(esme, smsc, true)
				g.send(c, true, []byte("GET /status HTTP/1.1\r\nHost: smsc\r\n\r\n"))
				g.send(c, false, []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
				d := g.conn(netip.MustParseAddrPort("10.1.0.3:40002"), smsc, false) // mid-stream, binary
				junk := make([]byte, 3000)
				for i := range junk {
					junk[i] = byte(i*7 + i>>8)
				}
				g.send(d, true, junk)
				g.send(d, false, junk[:500])
				g.conn(netip.MustParseAddrPort("10.1.0.4:40003"), smsc, true) // a port check: no data
				return result{}
			},
			check: func(t *testing.T, c *collector, st Stats) {
				require.EqualValues(t, 2, st.NonSMPPConns)
				require.Zero(t, st.Streams)
				require.Zero(t, st.Gaps)
				require.Positive(t, st.NonSMPP)
			},
		},
	}
	for k := 1; k < 16; k++ {
		tests = append(tests, struct {
			name  string
			cap   capgen.Options
			opts  Options
			build func(t *testing.T, g *gen) result
			check func(t *testing.T, c *collector, st Stats)
		}{
			name: fmt.Sprintf("header split at offset %d", k),
			build: func(t *testing.T, g *gen) result {
				c := g.conn(esme, smsc, true)
				a, b := bindTRX(t, 1), enq(t, 2)
				f := g.send(c, true, cat(a, b), k)
				r := g.send(c, false, bindTRXResp(t, 1), k)
				return result{pdus: []gotPDU{
					want(f[1], f, c2s, 0, a),
					want(f[1], f[1:], c2s, len(a), b),
					want(r[1], r, s2c, 0, bindTRXResp(t, 1)),
				}}
			},
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGen(t, tt.cap)
			exp := tt.build(t, g)
			col, st := g.run(tt.opts)
			pdus, gaps := summarize(col)
			require.Equal(t, exp.pdus, pdus)
			require.Equal(t, exp.gaps, gaps)
			require.EqualValues(t, len(exp.pdus), st.PDUs)
			require.EqualValues(t, len(exp.gaps), st.Gaps)
			if tt.check != nil {
				tt.check(t, col, st)
			} else {
				require.Empty(t, col.problems)
			}
		})
	}
}

// TestThousandConnections interleaves a thousand connections, each with a
// bind, a submit and their responses.
func TestThousandConnections(t *testing.T) {
	const n = 1000
	g := newGen(t, capgen.Options{})
	conns := make([]*capgen.Conn, n)
	for i := range conns {
		cli := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 3, byte(i >> 8), byte(i)}), uint16(30000+i))
		conns[i] = g.conn(cli, smsc, true)
	}
	steps := []struct {
		dir Dir
		b   []byte
	}{
		{c2s, bindTRX(t, 1)}, {s2c, bindTRXResp(t, 1)}, {c2s, submit(t, 2, "one of many")}, {s2c, submitResp(t, 2, "x")},
	}
	wantFrames := make([][]int, n)
	for _, s := range steps {
		for i, c := range conns {
			f := g.send(c, s.dir == c2s, s.b, 9) // the header split too
			wantFrames[i] = append(wantFrames[i], f[1])
		}
	}
	col, st := g.run(Options{})
	require.Empty(t, col.gaps)
	require.Empty(t, col.problems)
	require.Len(t, col.pdus, 4*n)
	require.EqualValues(t, n, st.Streams)
	require.EqualValues(t, n, st.Connections)
	got := make([][]int, n)
	for _, p := range col.pdus {
		got[p.Stream] = append(got[p.Stream], p.Frame)
		require.Equal(t, conns[p.Stream].Client().Port(), p.Endpoint.clientPort())
	}
	require.Equal(t, wantFrames, got)
}

// clientPort returns the client's port of the endpoint's connection.
func (e Endpoint) clientPort() uint16 {
	if e.Dir == DirClientToServer {
		return e.Src.Port()
	}
	return e.Dst.Port()
}

// TestLossTimeoutCapgen checks that a hole is given up LossTimeout after
// the data behind it, in capture time, while the capture goes on.
func TestLossTimeoutCapgen(t *testing.T) {
	g := newGen(t, capgen.Options{})
	c := g.conn(esme, smsc, true)
	a, b := enq(t, 1), enq(t, 2)
	s := g.segs(c, true, cat(a, b), 16)
	f := g.write(c, s[1]) // s[0] is lost
	d := g.conn(netip.MustParseAddrPort("10.1.0.9:40009"), smsc, true)
	_, err := d.Send(g.next().Add(6*time.Second), true, enq(t, 9))
	require.NoError(t, err)
	col, _ := g.run(Options{LossTimeout: 5 * time.Second})
	require.Equal(t, []string{"gap", "pdu", "pdu"}, col.events)
	require.Equal(t, f[0], col.gaps[0].Frame)
	require.Equal(t, 1, col.pdus[1].Stream, "the other connection's PDU after the gap")
}
