package report

import (
	"bytes"
	"encoding/binary"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/internal/smppgen"
)

// bulkStream returns the PDUs of a smppgen.Bulk capture of at least n PDUs
// (the traffic of the bench capture bulk-*.pcap), framed per connection
// and direction. Every PDU of that generator travels in one segment of
// its own or shares it with whole PDUs, so the test frames by
// command_length alone and needs no reassembly.
func bulkStream(tb testing.TB, n int) []benchPDU {
	tb.Helper()
	var capture bytes.Buffer
	if _, err := smppgen.Bulk(&capture, smppgen.BulkOptions{PDUs: n, Seed: 1}); err != nil {
		tb.Fatal(err)
	}
	r, err := pcapgo.NewReader(&capture)
	if err != nil {
		tb.Fatal(err)
	}
	type flow struct{ client, server gopacket.Endpoint }
	streams := map[flow]int{}
	var out []benchPDU
	for frame := 1; ; frame++ {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		pkt := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.NoCopy)
		tcp, _ := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if tcp == nil || len(tcp.Payload) == 0 {
			continue
		}
		net := pkt.NetworkLayer().NetworkFlow()
		m := Meta{Frame: frame, Time: ci.Timestamp, Dir: "c>s"}
		src, dst := net.Src(), net.Dst()
		if tcp.SrcPort == 2775 {
			m.Dir, src, dst = "s>c", dst, src
		}
		k := flow{src, dst}
		id, ok := streams[k]
		if !ok {
			id = len(streams)
			streams[k] = id
		}
		m.Stream = id
		for b := tcp.Payload; len(b) >= 16; {
			l := int(binary.BigEndian.Uint32(b))
			if l < 16 || l > len(b) {
				tb.Fatalf("frame %d: PDU split across segments", frame)
			}
			out = append(out, benchPDU{m, bytes.Clone(b[:l])})
			b = b[l:]
		}
	}
	return out
}

// BenchmarkAnalyzeBulkDecoded is the pipeline's consumer on the bench
// capture's traffic: Analyzer.Decoded on PDUs decoded beforehand, a chunk
// at a time, as the decode stage does, summary only (smppdump -q).
func BenchmarkAnalyzeBulkDecoded(b *testing.B) {
	benchConsumer(b, bulkStream(b, 200000), 8192, false)
}

// benchConsumer runs stream through an analyzer as the pipeline's consumer
// does, in batches of n PDUs decoded first, calling Warm before each batch
// when warm is set. cpu-ns/op and PDUs/cpu-s count the thread's CPU time in
// the analyzer (making it, Warm, Decoded, Finish), not in the decoding.
func benchConsumer(b *testing.B, stream []benchPDU, n int, warm bool) {
	pdus := make([]decode.PDU, n)
	ptrs := make([]*decode.PDU, 0, n)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var cpu time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := threadCPU()
		w, err := New(FormatText, WithOutput(io.Discard), WithPDUs(false))
		if err != nil {
			b.Fatal(err)
		}
		a := NewAnalyzer(w, WithoutMessageRecords(), WithoutIssueDetails())
		sd := a.StreamDecoder()
		for at := 0; at < len(stream); at += n {
			part := stream[at:min(at+n, len(stream))]
			cpu += threadCPU() - start
			ptrs = decodeBatch(sd, part, pdus, ptrs)
			start = threadCPU()
			if warm {
				a.Warm(ptrs)
			}
			for i := range part {
				if err := a.Decoded(&part[i].m, &pdus[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := a.Finish(nil); err != nil {
			b.Fatal(err)
		}
		cpu += threadCPU() - start
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(len(stream))*float64(b.N)/(float64(cpu.Nanoseconds())/1e9), "PDUs/cpu-s")
}

// BenchmarkAnalyzeBulkJSON is the same traffic through the whole analyzer
// (decode included) with JSON output of every PDU and message.
func BenchmarkAnalyzeBulkJSON(b *testing.B) {
	benchAnalyze(b, bulkStream(b, 100000), FormatJSON, nil)
}
