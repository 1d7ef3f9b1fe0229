package fuzz

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/internal/capgen"
	"smppdump.dev/smppdump/internal/smppgen"
	"smppdump.dev/smppdump/reassembly"
)

// cutStreams are the two byte streams FuzzStreamCuts cuts up: a v3.4
// transceiver session with short and long (message_payload, several MSS)
// submits, a concatenated message, a receipt with TLVs, enquire_link both
// ways and unbind.
var cutStreams = sync.OnceValues(func() ([2][]byte, error) {
	var out [2][]byte
	esme, smsc := &out[0], &out[1]
	add := func(dst *[]byte, p *decode.PDU) error {
		b, err := p.Append(*dst, decode.EncodeOptions{FixLengths: true})
		*dst = b
		return err
	}
	seq := uint32(0)
	req := func(p *decode.PDU) *decode.PDU { seq++; p.Seq = seq; return p }
	src, dst := smppgen.Alpha("ACME"), smppgen.Intl("491701234567")
	long := smppgen.UCS2(strings.Repeat("Ünïcödé payload, ", 120)) // ~4 KB
	bind := req(smppgen.Bind(decode.BindTransceiver, "acme", "secret", "", decode.V34))
	reqs := []*decode.PDU{
		bind,
		req(smppgen.SubmitSM(smppgen.Message{Src: src, Dst: dst, Registered: 1, UserData: smppgen.MustGSM7("Hello there")})),
		req(smppgen.SubmitSM(smppgen.Message{Src: src, Dst: dst, DataCoding: 8, UserData: long, PayloadInTLV: true})),
	}
	for _, part := range smppgen.Concat(smppgen.MustGSM7(strings.Repeat("part of a long message ", 12)), 7, 153) {
		reqs = append(reqs, req(smppgen.SubmitSM(smppgen.Message{Src: src, Dst: dst, ESMClass: 0x40, UserData: part})))
	}
	reqs = append(reqs, req(decode.New(decode.EnquireLink, 0, 0)))
	for _, p := range reqs {
		if err := add(esme, p); err != nil {
			return out, err
		}
	}
	if err := add(smsc, smppgen.BindResp(bind, decode.StatusOK, "SMSC", decode.V34)); err != nil {
		return out, err
	}
	for i, p := range reqs[1:] {
		var r *decode.PDU
		if p.ID == decode.EnquireLink {
			r = smppgen.Resp(p, decode.StatusOK, "")
		} else {
			r = smppgen.Resp(p, decode.StatusOK, fmt.Sprintf("4f2a%04x", i))
		}
		if err := add(smsc, r); err != nil {
			return out, err
		}
	}
	rcpt := smppgen.Receipt(src, dst, "4f2a0000", "DELIVRD", "000", fuzzT0, fuzzT0.Add(time.Minute), "Hello there")
	rcpt.Seq = 1
	if err := add(smsc, rcpt); err != nil {
		return out, err
	}
	el := decode.New(decode.EnquireLink, 0, 2)
	if err := add(smsc, el); err != nil {
		return out, err
	}
	for _, p := range []*decode.PDU{smppgen.Resp(rcpt, decode.StatusOK, ""), smppgen.Resp(el, decode.StatusOK, ""), req(decode.New(decode.Unbind, 0, 0))} {
		if err := add(esme, p); err != nil {
			return out, err
		}
	}
	return out, nil
})

// cutPlan says how one direction's stream is cut and written.
type cutPlan struct {
	cuts  []int  // byte offsets where a new segment starts
	swaps []bool // swaps[i]: segment i is written after segment i+1
}

// planCuts reads a cut plan for a stream of total octets from in, and
// returns the bytes of in it did not use. Each input byte is one piece:
// bits 0-5 give its length (1-64), bit 7 multiplies it by 41 (up to 2624),
// and bit 6 swaps the piece with the next one in write order. When in runs
// out, the rest of the stream is one piece.
func planCuts(in []byte, total int) (cutPlan, []byte) {
	var p cutPlan
	pos := 0
	for len(in) > 0 && pos < total {
		b := in[0]
		in = in[1:]
		n := int(b&0x3F) + 1
		if b&0x80 != 0 {
			n *= 41
		}
		pos += n
		if pos < total {
			p.cuts = append(p.cuts, pos)
			p.swaps = append(p.swaps, b&0x40 != 0)
		}
	}
	return p, in
}

var (
	cutClient = netip.MustParseAddrPort("10.1.0.1:40000")
	cutServer = netip.MustParseAddrPort("10.2.0.1:2775")
	cutOther  = netip.MustParseAddrPort("10.2.0.1:9000") // found by the heuristic
)

// writeCut writes one connection carrying both streams, each cut by its
// plan, and returns the capture. Out-of-order pieces get increasing
// timestamps in write order, as a capture would show them.
func writeCut(server netip.AddrPort, streams [2][]byte, plans [2]cutPlan) ([]byte, error) {
	var buf bytes.Buffer
	w, err := capgen.NewWriter(&buf, capgen.Options{})
	if err != nil {
		return nil, err
	}
	c, err := w.NewConn(cutClient, server)
	if err != nil {
		return nil, err
	}
	t := fuzzT0
	if err := c.Handshake(t); err != nil {
		return nil, err
	}
	for i, fromClient := range []bool{true, false} {
		t = w.Last().Add(time.Millisecond)
		cuts := plans[i].cuts
		if cuts == nil {
			cuts = []int{} // one segment
		}
		segs, err := c.Segments(t, fromClient, streams[i], cuts)
		if err != nil {
			return nil, err
		}
		for k := 0; k+1 < len(segs); k++ {
			if plans[i].swaps[k] {
				segs[k], segs[k+1] = segs[k+1], segs[k]
				k++
			}
		}
		for k := range segs {
			segs[k] = segs[k].At(t.Add(time.Duration(k) * capgen.SegmentGap))
		}
		if _, err := c.Write(segs...); err != nil {
			return nil, err
		}
		if _, err := c.Ack(w.Last().Add(capgen.AckDelay), !fromClient); err != nil {
			return nil, err
		}
	}
	if err := c.Close(w.Last().Add(time.Millisecond), true); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// framed is what reassembly made of one capture: each PDU's direction,
// stream offset and bytes, in delivery order, and everything else it said.
type framed struct {
	pdus  []string
	other []string // gaps and problems
}

type framedHandler struct{ f *framed }

func (h framedHandler) PDU(p *reassembly.PDU) {
	h.f.pdus = append(h.f.pdus, fmt.Sprintf("%s@%d %x", p.Dir, p.Offset, p.Data))
}
func (h framedHandler) Gap(g *reassembly.Gap) {
	h.f.other = append(h.f.other, fmt.Sprintf("gap %s frame %d: %d bytes (%s)", g.Dir, g.Frame, g.Bytes, g.Reason))
}
func (h framedHandler) Problem(p *reassembly.Problem) { h.f.other = append(h.f.other, p.Error()) }

func frameCapture(tb testing.TB, capture []byte, o reassembly.Options) *framed {
	tb.Helper()
	f := &framed{}
	o.Stdin = bytes.NewReader(capture)
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	if _, err := reassembly.Run(ctx, []string{"-"}, o, framedHandler{f}); err != nil {
		tb.Fatalf("reassembly.Run: %v", err)
	}
	return f
}

// uncut is the reference: each stream in one segment, on each port.
var uncut sync.Map // netip.AddrPort -> *framed

func reference(tb testing.TB, server netip.AddrPort, streams [2][]byte, o reassembly.Options) *framed {
	tb.Helper()
	if f, ok := uncut.Load(server); ok {
		return f.(*framed)
	}
	capture, err := writeCut(server, streams, [2]cutPlan{})
	if err != nil {
		tb.Fatal(err)
	}
	f := frameCapture(tb, capture, o)
	if len(f.other) > 0 || len(f.pdus) == 0 {
		tb.Fatalf("uncut run on %v: %d PDUs, %v", server, len(f.pdus), f.other)
	}
	uncut.Store(server, f)
	return f
}

// FuzzStreamCuts cuts a fixed pair of SMPP byte streams into segments
// chosen by the input (any sizes down to one byte, some written out of
// order), writes them as a capture with internal/capgen and frames it with
// reassembly.Run: the PDUs, their directions and stream offsets must equal
// those of the uncut streams, with no gap and no problem. The first input
// byte picks the port: 2775 (configured) or 9000 (found by the heuristic).
func FuzzStreamCuts(f *testing.F) {
	streams, err := cutStreams()
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{0})
	f.Add([]byte{1, 15, 0x80 | 3})
	f.Add(bytes.Repeat([]byte{0}, 64))                           // one-byte pieces
	f.Add(append([]byte{1}, bytes.Repeat([]byte{0x4F}, 200)...)) // 16-byte pieces, pairs swapped
	f.Add([]byte{0, 2, 12, 0x40 | 1, 0xBF, 0x7F, 0xC0, 3, 5, 0x55})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		server, o := cutServer, reassembly.Options{Ports: []uint16{2775}}
		if in[0]&1 != 0 {
			server, o = cutOther, reassembly.Options{Heuristic: true}
		}
		want := reference(t, server, streams, o)
		var plans [2]cutPlan
		rest := in[1:]
		plans[0], rest = planCuts(rest, len(streams[0]))
		plans[1], _ = planCuts(rest, len(streams[1]))
		capture, err := writeCut(server, streams, plans)
		if err != nil {
			t.Fatal(err)
		}
		got := frameCapture(t, capture, o)
		if len(got.other) > 0 {
			t.Fatalf("cuts %v / %v: unexpected gaps or problems: %v", plans[0].cuts, plans[1].cuts, got.other)
		}
		if len(got.pdus) != len(want.pdus) {
			t.Fatalf("cuts %v / %v: %d PDUs, want %d", plans[0].cuts, plans[1].cuts, len(got.pdus), len(want.pdus))
		}
		// Within a direction the order is the stream's; across directions
		// it follows capture order, which is the same here (one direction is
		// written after the other).
		for i := range want.pdus {
			if got.pdus[i] != want.pdus[i] {
				t.Fatalf("cuts %v / %v: PDU %d differs:\n got %.120s\nwant %.120s", plans[0].cuts, plans[1].cuts, i, got.pdus[i], want.pdus[i])
			}
		}
	})
}
