package reassembly

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/internal/capgen"
)

// counter is a Handler that only counts.
type counter struct{ pdus, gaps, problems int }

func (c *counter) PDU(*PDU)         { c.pdus++ }
func (c *counter) Gap(*Gap)         { c.gaps++ }
func (c *counter) Problem(*Problem) { c.problems++ }

// benchCapture writes conns connections of rounds request/response
// exchanges each, interleaved: submit_sm of 60 to 300 octets, every third
// one split over two segments, every fifth segment carrying two PDUs.
func benchCapture(tb testing.TB, conns, rounds int) []byte {
	c := newCapture(tb, layers.LinkTypeEthernet)
	ks := make([]*tconn, conns)
	for i := range ks {
		cli := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), uint16(30000+i))
		ks[i] = c.conn(cli, server)
		ks[i].handshake()
	}
	seq := uint32(1)
	for r := 0; r < rounds; r++ {
		for i, k := range ks {
			req := submitSM(seq, 60+(r*37+i*11)%240)
			resp := pdu(idSubmitSMResp, seq, []byte("0123456789\x00"))
			switch {
			case r%5 == 4:
				k.send(c2s, cat(req, enquireLink(seq+1)))
				k.send(s2c, cat(resp, enquireLinkResp(seq+1)))
			case r%3 == 2:
				k.split(c2s, req, len(req)/2)
				k.send(s2c, resp)
			default:
				k.send(c2s, req)
				k.send(s2c, resp)
			}
			seq += 2
		}
	}
	return c.pcap()
}

func BenchmarkRun(b *testing.B) {
	for _, conns := range []int{1, 100} {
		data := benchCapture(b, conns, 2000/conns*10)
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var h counter
			for b.Loop() {
				h = counter{}
				_, err := Run(context.Background(), []string{"-"}, Options{Ports: []uint16{2775}, Stdin: bytes.NewReader(data)}, &h)
				if err != nil || h.gaps != 0 || h.problems != 0 {
					b.Fatalf("err %v, %d gaps, %d problems", err, h.gaps, h.problems)
				}
			}
			b.ReportMetric(float64(h.pdus), "pdus/op")
		})
	}
}

// millionCapture writes, with capgen, a capture of at least minPDUs PDUs
// to dir and returns its path and PDU count: 100 binds, each sending
// windows of four submit_sm (one segment) answered by four
// submit_sm_resp, then four deliver_sm receipts answered by four
// deliver_sm_resp; every seventh window is cut inside a header, and every
// fiftieth round adds an enquire_link exchange.
func millionCapture(tb testing.TB, dir string, minPDUs int) (string, int) {
	const conns = 100
	f, err := os.Create(filepath.Join(dir, "million.pcap"))
	require.NoError(tb, err)
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w, err := capgen.NewWriter(bw, capgen.Options{})
	require.NoError(tb, err)
	cs := make([]*capgen.Conn, conns)
	now := genStart
	for i := range cs {
		cli := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 4, byte(i >> 8), byte(i)}), uint16(20000+i))
		cs[i], err = w.NewConn(cli, smsc)
		require.NoError(tb, err)
		require.NoError(tb, cs[i].Handshake(now))
		now = now.Add(time.Millisecond)
	}
	var texts [][]byte
	for i := range 8 {
		texts = append(texts, submit(tb, 1, strings.Repeat("message text ", 1+i*2)))
	}
	resp := submitResp(tb, 1, "0123456789abcdef")
	receipt := marshal(tb, decode.New(decode.DeliverSM, decode.StatusOK, 1).
		SetInt(decode.FieldESMClass, 4).SetString(decode.FieldSourceAddr, "447700900123").SetString(decode.FieldDestinationAddr, "Shop").
		SetBytes(decode.FieldShortMessage, []byte("id:0123456789abcdef sub:001 dlvrd:001 submit date:2603020900 done date:2603020900 stat:DELIVRD err:000 text:")))
	deliverResp := marshal(tb, decode.New(decode.DeliverSMResp, decode.StatusOK, 1))
	batch := func(tmpl func(k int) []byte, seq uint32) []byte {
		var b []byte
		for k := range 4 {
			p := tmpl(k)
			off := len(b)
			b = append(b, p...)
			binary.BigEndian.PutUint32(b[off+12:], seq+uint32(k))
		}
		return b
	}
	pdus := 0
	send := func(c *capgen.Conn, fromClient bool, payload []byte, cuts []int) {
		_, err := c.SendSegments(now, fromClient, payload, cuts)
		require.NoError(tb, err)
		now = now.Add(50 * time.Microsecond)
	}
	for round := 0; pdus < minPDUs; round++ {
		for i, c := range cs {
			seq := uint32(round*8 + 1)
			cuts := []int{}
			if (round+i)%7 == 0 {
				cuts = []int{len(texts[0]) + 9} // inside the second header
			}
			send(c, true, batch(func(k int) []byte { return texts[(round+i+k)%len(texts)] }, seq), cuts)
			send(c, false, batch(func(int) []byte { return resp }, seq), []int{})
			send(c, false, batch(func(int) []byte { return receipt }, seq+4), []int{})
			send(c, true, batch(func(int) []byte { return deliverResp }, seq+4), []int{})
			pdus += 16
			if round%50 == 49 {
				send(c, true, enq(tb, seq), []int{})
				send(c, false, enqResp(tb, seq), []int{})
				pdus += 2
			}
		}
	}
	require.NoError(tb, w.Close())
	require.NoError(tb, bw.Flush())
	return f.Name(), pdus
}

// BenchmarkMillionPDUs measures reassembly and framing (Run with a Handler
// that only counts) on a capgen capture of over a million PDUs, with mirror
// detection on (the default) and off.
func BenchmarkMillionPDUs(b *testing.B) {
	path, pdus := millionCapture(b, b.TempDir(), 1_000_000)
	fi, err := os.Stat(path)
	require.NoError(b, err)
	for _, keep := range []bool{false, true} {
		b.Run(fmt.Sprintf("KeepDuplicates=%v", keep), func(b *testing.B) {
			b.SetBytes(fi.Size())
			b.ReportAllocs()
			var st Stats
			n := 0
			for b.Loop() {
				var h counter
				st, err = Run(context.Background(), []string{path}, Options{Ports: []uint16{2775}, KeepDuplicates: keep}, &h)
				if err != nil || h.pdus != pdus || h.gaps != 0 || h.problems != 0 {
					b.Fatalf("err %v, %d PDUs of %d, %d gaps, %d problems", err, h.pdus, pdus, h.gaps, h.problems)
				}
				n++
			}
			secs := b.Elapsed().Seconds()
			b.ReportMetric(float64(st.Packets)*float64(n)/secs, "packets/s")
			b.ReportMetric(float64(st.PDUs)*float64(n)/secs, "PDUs/s")
			b.ReportMetric(float64(st.PDUs), "PDUs/op")
			b.ReportMetric(float64(st.Packets), "packets/op")
		})
	}
}
