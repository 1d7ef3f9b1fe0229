package report

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"smppdump.dev/smppdump/decode"
)

// analyzeBatches runs stream through an analyzer with JSON output of every
// PDU and message, in batches of n decoded PDUs as the pipeline's consumer
// does, calling Warm before each batch when warm is set.
func analyzeBatches(t *testing.T, stream []benchPDU, n int, warm bool) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := New(FormatJSON, WithOutput(&out))
	if err != nil {
		t.Fatal(err)
	}
	a := NewAnalyzer(w)
	sd := a.StreamDecoder()
	pdus := make([]decode.PDU, n)
	var ptrs []*decode.PDU
	for at := 0; at < len(stream); at += n {
		batch := stream[at:min(at+n, len(stream))]
		ptrs = decodeBatch(sd, batch, pdus, ptrs)
		if warm {
			a.Warm(ptrs)
		}
		for i := range batch {
			if err := a.Decoded(&batch[i].m, &pdus[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := a.Finish(nil); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// decodeBatch decodes batch into pdus[:len(batch)], as the pipeline's
// decode stage does, and returns ptrs refilled with their addresses, for
// Warm.
func decodeBatch(sd *StreamDecoder, batch []benchPDU, pdus []decode.PDU, ptrs []*decode.PDU) []*decode.PDU {
	ptrs = ptrs[:0]
	for i := range batch {
		sd.Decode(batch[i].m.Stream, batch[i].raw, &pdus[i])
		ptrs = append(ptrs, &pdus[i])
	}
	return ptrs
}

// TestWarmChangesNothing checks that Warm only reads: the same PDUs give
// the same records, byte for byte, with and without it, on the bench
// traffic and on that traffic with octets changed at random (receipts
// with odd ids, PDUs that decode only in part).
func TestWarmChangesNothing(t *testing.T) {
	stream := bulkStream(t, 20000)
	rng := rand.New(rand.NewPCG(7, 7))
	mutated := make([]benchPDU, len(stream))
	for i, p := range stream {
		raw := bytes.Clone(p.raw)
		if len(raw) > 16 && rng.IntN(4) == 0 {
			for range 1 + rng.IntN(3) {
				raw[16+rng.IntN(len(raw)-16)] = byte(rng.Uint32())
			}
		}
		mutated[i] = benchPDU{p.m, raw}
	}
	for _, tc := range []struct {
		name   string
		stream []benchPDU
	}{{"bulk", stream}, {"bulk, mutated", mutated}} {
		for _, n := range []int{1, 128} {
			cold := analyzeBatches(t, tc.stream, n, false)
			warm := analyzeBatches(t, tc.stream, n, true)
			if len(cold) < 1<<20 {
				t.Fatalf("%s: only %d bytes of output: the stream did not go through", tc.name, len(cold))
			}
			if !bytes.Equal(cold, warm) {
				t.Errorf("%s, batches of %d: output differs with Warm", tc.name, n)
			}
		}
	}
}

// TestWarmEmpty checks Warm before anything was filed, on nothing and on
// PDUs that did not decode.
func TestWarmEmpty(t *testing.T) {
	w, err := New(FormatJSON, WithOutput(&bytes.Buffer{}))
	if err != nil {
		t.Fatal(err)
	}
	a := NewAnalyzer(w)
	a.Warm(nil)
	a.Warm([]*decode.PDU{{}, decode.New(decode.DeliverSM, 0, 1), decode.New(decode.SubmitSMResp, 0, 1)})
}

// BenchmarkAnalyzeBulkBatches is the pipeline's consumer on the bench
// capture's traffic in its batches (see BenchmarkAnalyzeBulkDecoded), with
// and without Warm before each batch. cpu-ns/op is the consumer thread's
// CPU time: Warm and Decoded, not the decoding.
func BenchmarkAnalyzeBulkBatches(b *testing.B) {
	stream := bulkStream(b, 200000)
	const batch = 128 // cmd/smppdump's batchItems
	for _, warm := range []bool{false, true} {
		name := "cold"
		if warm {
			name = "warm"
		}
		b.Run(name, func(b *testing.B) { benchConsumer(b, stream, batch, warm) })
	}
}

// FuzzWarm: whatever the PDUs, Warm must not panic nor change a record.
// The input is a sequence of PDUs, each after one octet that gives its
// stream (bits 1-3) and direction (bit 0); a PDU is as long as its
// command_length says, within what is left.
func FuzzWarm(f *testing.F) {
	stream := bulkStream(f, 400)
	for at := 0; at+40 <= len(stream); at += 40 {
		var seed []byte
		for _, p := range stream[at : at+40] {
			b := byte(p.m.Stream&7) << 1
			if p.m.Dir == "s>c" {
				b |= 1
			}
			seed = append(append(seed, b), p.raw...)
		}
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s []benchPDU
		for frame := 1; len(data) > 1; frame++ {
			m := Meta{Frame: frame, Time: t0.Add(time.Duration(frame) * time.Millisecond), Stream: int(data[0]>>1) & 7, Dir: "c>s"}
			if data[0]&1 != 0 {
				m.Dir = "s>c"
			}
			data = data[1:]
			n := len(data)
			if n >= 4 {
				n = min(n, max(16, int(binary.BigEndian.Uint32(data))))
			}
			s = append(s, benchPDU{m, data[:n]})
			data = data[n:]
		}
		for _, n := range []int{1, 7} {
			if cold, warm := analyzeBatches(t, s, n, false), analyzeBatches(t, s, n, true); !bytes.Equal(cold, warm) {
				t.Fatalf("batches of %d: output differs with Warm", n)
			}
		}
	})
}

// TestReceiptTextWithoutFields: a receipt matched by its
// receipted_message_id TLV, whose text has err: but neither id: nor stat:,
// is not a receipt text (decode.ParseReceipt's rule), so none of its
// fields reach the match, with or without Warm. (Before the receipt's
// values were kept per decode, a PDU built with decode.New and never
// validated gave its partial err: here once; a decoded one never did.)
func TestReceiptTextWithoutFields(t *testing.T) {
	sub := decode.New(decode.SubmitSM, 0, 2).SetString(decode.FieldSourceAddr, "A").SetString(decode.FieldDestinationAddr, "B").
		SetInt(decode.FieldRegisteredDelivery, 1).SetString(decode.FieldShortMessage, "hi")
	resp := decode.New(decode.SubmitSMResp, 0, 2).SetString(decode.FieldMessageID, "abc")
	for _, warm := range []bool{false, true} {
		dlr := decode.New(decode.DeliverSM, 0, 3).SetInt(decode.FieldESMClass, 4).SetString(decode.FieldDestinationAddr, "A").
			SetString(decode.FieldShortMessage, "sub:001 err:005").AddTLVString(decode.TagReceiptedMessageID, "abc")
		var out bytes.Buffer
		w, err := New(FormatJSON, WithOutput(&out))
		if err != nil {
			t.Fatal(err)
		}
		a := NewAnalyzer(w)
		for i, s := range []struct {
			p   *decode.PDU
			dir string
		}{{sub, "c>s"}, {resp, "s>c"}, {dlr, "s>c"}} {
			if warm {
				a.Warm([]*decode.PDU{s.p})
			}
			m := Meta{Frame: i + 1, Time: t0.Add(time.Duration(i) * time.Second), Dir: s.dir}
			if err := a.Decoded(&m, s.p); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Finish(nil); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), `"receipts_matched":1`) || !strings.Contains(out.String(), `"stat":"","err":""`) {
			t.Errorf("warm %v: want one receipt matched, with neither stat nor err:\n%s", warm, out.String())
		}
	}
}
