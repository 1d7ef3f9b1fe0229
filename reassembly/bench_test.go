package reassembly

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket/layers"
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
