package report

import (
	"fmt"
	"io"
	"net/netip"
	"testing"
	"time"

	"smppdump.dev/smppdump/decode"
)

// benchStream is a pre-encoded busy link: 8 transceiver sessions, each
// submit answered and receipted, receipts acknowledged, as framed PDUs.
type benchPDU struct {
	m   Meta
	raw []byte
}

func benchStream(b *testing.B, messages int) []benchPDU {
	b.Helper()
	var out []benchPDU
	smsc := netip.MustParseAddrPort("10.0.0.1:2775")
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	frame := 0
	add := func(stream int, fromESME bool, p *decode.PDU) {
		raw, err := p.Marshal()
		if err != nil {
			b.Fatal(err)
		}
		frame++
		t = t.Add(100 * time.Microsecond)
		esme := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 1, byte(stream)}), 40000)
		m := Meta{Frame: frame, Time: t, Stream: stream, Src: esme, Dst: smsc, Dir: "c>s"}
		if !fromESME {
			m.Src, m.Dst, m.Dir = smsc, esme, "s>c"
		}
		out = append(out, benchPDU{m, raw})
	}
	for s := range 8 {
		add(s, true, decode.New(decode.BindTransceiver, 0, 1).SetString(decode.FieldSystemID, fmt.Sprintf("c%d", s)).SetInt(decode.FieldInterfaceVersion, 0x34))
		add(s, false, decode.New(decode.BindTransceiverResp, 0, 1).SetString(decode.FieldSystemID, "SMSC"))
	}
	for i := range messages {
		s := i % 8
		seq := uint32(2 + i/8)
		id := fmt.Sprintf("%010x", i+1)
		add(s, true, decode.New(decode.SubmitSM, 0, seq).SetInt(decode.FieldSourceAddrTON, 5).SetString(decode.FieldSourceAddr, "BULK").
			SetInt(decode.FieldDestAddrTON, 1).SetInt(decode.FieldDestAddrNPI, 1).SetString(decode.FieldDestinationAddr, fmt.Sprintf("4477009%05d", i%100000)).
			SetInt(decode.FieldRegisteredDelivery, 1).SetString(decode.FieldShortMessage, "Your verification code is 123456. It expires in 5 minutes."))
		add(s, false, decode.New(decode.SubmitSMResp, 0, seq).SetString(decode.FieldMessageID, id))
		text := "id:" + id + " sub:001 dlvrd:001 submit date:2601010000 done date:2601010000 stat:DELIVRD err:000 text:"
		add(s, false, decode.New(decode.DeliverSM, 0, seq).SetInt(decode.FieldESMClass, 4).SetString(decode.FieldSourceAddr, "447700900001").
			SetString(decode.FieldDestinationAddr, "BULK").SetString(decode.FieldShortMessage, text).
			AddTLVString(decode.TagReceiptedMessageID, id).AddTLVInt(decode.TagMessageState, 2))
		add(s, true, decode.New(decode.DeliverSMResp, 0, seq))
	}
	return out
}

func runBench(b *testing.B, f Format, opts []Option, aopts ...AnalyzerOption) {
	benchAnalyze(b, benchStream(b, 25000), f, opts, aopts...)
}

// benchAnalyze runs stream through a fresh Analyzer with a writer of
// format f per iteration, and reports PDUs/s.
func benchAnalyze(b *testing.B, stream []benchPDU, f Format, opts []Option, aopts ...AnalyzerOption) {
	var size int64
	for _, p := range stream {
		size += int64(len(p.raw))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w, err := New(f, append([]Option{WithOutput(io.Discard)}, opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		a := NewAnalyzer(w, aopts...)
		for _, p := range stream {
			if err := a.PDU(p.m, p.raw); err != nil {
				b.Fatal(err)
			}
		}
		if err := a.Finish(nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(stream))*float64(b.N)/b.Elapsed().Seconds(), "PDUs/s")
}

// BenchmarkAnalyzeSummary is decode + sessions + correlation + summary, no
// per-PDU output: smppdump -q.
func BenchmarkAnalyzeSummary(b *testing.B) {
	runBench(b, FormatText, []Option{WithPDUs(false)}, WithoutMessageRecords())
}

// BenchmarkAnalyzeJSON adds the JSON lines of every PDU and message.
func BenchmarkAnalyzeJSON(b *testing.B) { runBench(b, FormatJSON, nil) }

// BenchmarkAnalyzeText adds the one-line text view.
func BenchmarkAnalyzeText(b *testing.B) {
	runBench(b, FormatText, nil, WithoutMessageRecords())
}
