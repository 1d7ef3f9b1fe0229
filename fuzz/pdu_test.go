package fuzz

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"sync"
	"testing"
	"time"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/internal/smppgen"
	"smppdump.dev/smppdump/report"
)

// versions are the session versions a PDU is decoded under: unknown (v3.4
// rules), v3.3, v3.4 and v5.0.
var versions = []decode.Version{0, decode.V33, decode.V34, decode.V50}

// capturePDUs returns the distinct PDUs (at most maxLen octets) that
// reassembly finds in the sample and generated captures, for seeding.
func capturePDUs(tb testing.TB, maxLen int) [][]byte {
	tb.Helper()
	seen := map[string]bool{}
	var out [][]byte
	for _, c := range seedCaptures(tb) {
		res := runPipeline(tb, []string{"-"}, c.Data, smppOptions(), pipeOpts{keep: true})
		for _, p := range res.PDUs {
			if len(p.Data) <= maxLen && !seen[string(p.Data)] {
				seen[string(p.Data)] = true
				out = append(out, p.Data)
			}
		}
	}
	return out
}

// checkRoundTrip decodes b under version v and checks what decode promises
// to callers in other packages: every slice aliases b, and a complete PDU
// without error-severity issues re-encodes to its own bytes, decodes again
// to the same issues, and clones to an equal PDU.
func checkRoundTrip(t *testing.T, b []byte, v decode.Version) {
	p := decode.Decode(b, decode.Options{Version: v})
	for _, is := range p.Issues {
		if is.Offset < 0 || is.Offset > len(b) || is.Code == "" {
			t.Fatalf("v%s: bad issue %+v", v, is)
		}
	}
	_ = p.Text()
	_, _ = p.Receipt()
	_, _ = p.Segment()
	_, _ = p.MessageID()
	if p.MaxSeverity() >= decode.SevError || len(b) < decode.HeaderLen || int(p.Length) > len(b) {
		return
	}
	raw := b[:p.Length]
	enc, err := p.Append(nil, decode.EncodeOptions{})
	if err != nil {
		t.Fatalf("v%s: re-encode: %v", v, err)
	}
	if !bytes.Equal(enc, raw) {
		t.Fatalf("v%s: re-encode differs\n in %s\nout %s", v, hexDump(raw), hexDump(enc))
	}
	q := decode.Decode(enc, decode.Options{Version: v})
	if !issuesEqual(p.Issues, q.Issues) {
		t.Fatalf("v%s: issues differ after re-encode:\n%v\n%v", v, p.Issues, q.Issues)
	}
	c := p.Clone()
	if !issuesEqual(p.Issues, c.Issues) || len(c.TLVs) != len(p.TLVs) || len(c.Values) != len(p.Values) {
		t.Fatalf("v%s: clone differs", v)
	}
}

func issuesEqual(a, b []decode.Issue) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// bindPDUs are a bind_transceiver and its response for each version, which
// put an analyzer's session into that version before the fuzzed PDU.
var bindPDUs = sync.OnceValue(func() map[decode.Version][2][]byte {
	m := map[decode.Version][2][]byte{}
	for _, v := range versions[1:] {
		req := smppgen.Bind(decode.BindTransceiver, "fuzz", "secret", "", v)
		req.Seq = 1
		resp := smppgen.BindResp(req, decode.StatusOK, "smsc", v)
		a, err1 := req.Marshal()
		b, err2 := resp.Marshal()
		if err1 != nil || err2 != nil {
			panic("fuzz: cannot encode the bind PDUs")
		}
		m[v] = [2][]byte{a, b}
	}
	return m
})

var (
	esmeAddr = netip.MustParseAddrPort("10.1.0.1:40000")
	smscAddr = netip.MustParseAddrPort("10.2.0.1:2775")
	fuzzT0   = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
)

// analyzePDU feeds b to an Analyzer on four connections: one without a bind
// and one bound at each version, in both directions and twice (a duplicate
// sequence number), adds a gap, and finishes the run. It returns what the
// JSON, text and verbose writers wrote. b must be a whole PDU
// (command_length octets), as reassembly delivers them. tables turns on the
// text summary tables, a fixed cost (tablewriter) larger than the rest.
func analyzePDU(t *testing.T, b []byte, tables bool) (jsonOut, textOut, verboseOut []byte) {
	var bufs [3]bytes.Buffer
	var ws tee
	for i, f := range []report.Format{report.FormatJSON, report.FormatText, report.FormatVerbose} {
		w, err := report.New(f, report.WithOutput(&bufs[i]), report.WithSummary(f == report.FormatJSON || tables))
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, w)
	}
	a := report.NewAnalyzer(ws)
	frame := 0
	feed := func(stream int, fromESME bool, raw []byte) {
		frame++
		m := report.Meta{File: "fuzz", Frame: frame, Time: fuzzT0.Add(time.Duration(frame) * time.Millisecond),
			Stream: stream, Src: esmeAddr, Dst: smscAddr, Dir: "c>s", Offset: int64(frame) * 100}
		if !fromESME {
			m.Src, m.Dst, m.Dir = smscAddr, esmeAddr, "s>c"
		}
		if err := a.PDU(m, raw); err != nil {
			t.Fatalf("report: PDU: %v", err)
		}
	}
	for s, v := range versions {
		if v != 0 {
			bind := bindPDUs()[v]
			feed(s, true, bind[0])
			feed(s, false, bind[1])
		}
		feed(s, true, b)
		feed(s, false, b)
		feed(s, true, b)
	}
	if err := a.Gap(report.GapRecord{Meta: report.Meta{File: "fuzz", Frame: frame, Time: fuzzT0, Src: esmeAddr, Dst: smscAddr, Dir: "c>s"}, Bytes: -1, Reason: "mid-stream"}); err != nil {
		t.Fatalf("report: Gap: %v", err)
	}
	if err := a.Finish([]report.Counter{{Name: "packets", Value: int64(frame)}}); err != nil {
		t.Fatalf("report: Finish: %v", err)
	}
	return bufs[0].Bytes(), bufs[1].Bytes(), bufs[2].Bytes()
}

// FuzzPDUReport decodes arbitrary PDU bytes under every version, checks the
// encoder's round trip where the PDU is valid, and then runs it through the
// report Analyzer with the JSON, text and verbose writers: no panic, every
// JSON line parses with the contract's keys, and text output carries no
// control bytes.
func FuzzPDUReport(f *testing.F) {
	for _, b := range capturePDUs(f, 1024) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, v := range versions {
			checkRoundTrip(t, b, v)
		}
		if len(b) < decode.HeaderLen || len(b) > decode.DefaultMaxPDU {
			return // reassembly never delivers these
		}
		raw := bytes.Clone(b)
		binary.BigEndian.PutUint32(raw, uint32(len(raw)))
		// The text summary tables cost more than everything else; render
		// them for one input in four (by length) to keep the fuzzer fast.
		jsonOut, textOut, verboseOut := analyzePDU(t, raw, len(raw)%4 == 0)
		counts := checkJSONLines(t, jsonOut)
		if counts["pdu"] != 3*len(versions)+2*(len(versions)-1) || counts["summary"] != 1 {
			t.Fatalf("JSON records: %v", counts)
		}
		checkText(t, textOut)
		checkText(t, verboseOut)
	})
}
