package fuzz

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"smppdump.dev/smppdump/internal/smppgen"
	"smppdump.dev/smppdump/reassembly"
	"smppdump.dev/smppdump/report"
)

// runTimeout bounds one pipeline run in the tests and fuzz targets: a run
// that has not finished by then is a hang.
const runTimeout = 60 * time.Second

// findUp walks up from the working directory to the first directory that
// holds rel, and returns the joined path, or "" when no ancestor has it.
func findUp(rel string) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// repoDir returns the module root (the directory of go.mod).
func repoDir(tb testing.TB) string {
	tb.Helper()
	p := findUp("go.mod")
	if p == "" {
		tb.Fatal("go.mod not found above the working directory")
	}
	return filepath.Dir(p)
}

// publicDir returns shared/pcaps/public, found by walking up, or "" when it
// is absent (the public captures are never copied into the repository).
func publicDir() string { return findUp(filepath.Join("shared", "pcaps", "public")) }

// captureFile is a capture's name and bytes.
type captureFile struct {
	Name string
	Data []byte
}

// sampleCaptures returns the committed captures of pcaps/ and, when present,
// every capture under shared/pcaps/public (including negative/).
func sampleCaptures(tb testing.TB) []captureFile {
	tb.Helper()
	var out []captureFile
	add := func(pattern string) {
		names, err := filepath.Glob(pattern)
		if err != nil {
			tb.Fatal(err)
		}
		slices.Sort(names)
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, captureFile{Name: n, Data: b})
		}
	}
	root := repoDir(tb)
	add(filepath.Join(root, "pcaps", "*.pcap*"))
	if pub := publicDir(); pub != "" {
		add(filepath.Join(pub, "*.pcap*"))
		add(filepath.Join(pub, "negative", "*.pcap*"))
	}
	return out
}

// generated returns captures written by internal/smppgen: the demo capture
// (as a fresh run of the generator) and a small bulk capture. They are made
// once per test binary.
var generated = sync.OnceValues(func() ([]captureFile, error) {
	var demo, bulk bytes.Buffer
	if err := smppgen.Demo(&demo); err != nil {
		return nil, err
	}
	if _, err := smppgen.Bulk(&bulk, smppgen.BulkOptions{PDUs: 120, Binds: 2, Seed: 7}); err != nil {
		return nil, err
	}
	return []captureFile{{"smppgen-demo", demo.Bytes()}, {"smppgen-bulk", bulk.Bytes()}}, nil
})

func generatedCaptures(tb testing.TB) []captureFile {
	tb.Helper()
	c, err := generated()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// seedCaptures returns the sample and generated captures without
// duplicates (the generated demo is pcaps/demo.pcap).
func seedCaptures(tb testing.TB) []captureFile {
	tb.Helper()
	seen := map[string]bool{}
	var out []captureFile
	for _, c := range append(sampleCaptures(tb), generatedCaptures(tb)...) {
		if !seen[string(c.Data)] {
			seen[string(c.Data)] = true
			out = append(out, c)
		}
	}
	return out
}

// pduSeen is one PDU delivered by reassembly, copied.
type pduSeen struct {
	Frame  int
	Stream int
	Dir    reassembly.Dir
	Offset int64
	Data   []byte
	Frames []int // every frame that carried a byte of the PDU
}

// key identifies a PDU independently of stream numbering, which damage may
// shift (a corrupted packet can open a connection of its own).
func (p pduSeen) key() string { return fmt.Sprintf("%d/%s/%x", p.Frame, p.Dir, p.Data) }

// outcome is what one run of the pipeline produced.
type outcome struct {
	Stats    reassembly.Stats
	Err      error
	PDUs     []pduSeen
	Gaps     []reassembly.Gap
	Problems []reassembly.Problem
	JSON     map[string]int // JSON records written, by type (all checked)
	Codes    map[string]int // issue codes in the JSON pdu records
	Text     []byte         // the text writer's output (when asked for)
	Verbose  []byte         // the verbose writer's output (when asked for)
}

// pipeOpts selects what runPipeline does besides the JSON writer.
type pipeOpts struct {
	keep   bool // record every PDU, gap and problem in the outcome
	text   bool // also run the text and verbose writers (into Text, Verbose)
	tables bool // with text: render the text summary tables (a fixed cost)
	// limitMB caps the text output kept (0: 64 MiB): runaway output becomes
	// a write error, which fails the test, instead of filling memory. JSON
	// is checked line by line and not kept.
	limitMB int
}

// feeder is the reassembly.Handler of runPipeline: it hands each PDU and gap
// to the analyzer, as cmd/smppdump does, and remembers what it saw.
type feeder struct {
	po  pipeOpts
	out *outcome
	a   *report.Analyzer
	err error
}

func metaOf(file string, frame int, e reassembly.Endpoint, off int64) report.Meta {
	return report.Meta{File: file, Frame: frame, Time: e.Time, Stream: e.Stream, Src: e.Src, Dst: e.Dst, Dir: e.Dir.String(), Offset: off}
}

func (f *feeder) PDU(p *reassembly.PDU) {
	if f.po.keep {
		f.out.PDUs = append(f.out.PDUs, pduSeen{Frame: p.Frame, Stream: p.Stream, Dir: p.Dir, Offset: p.Offset, Data: bytes.Clone(p.Data), Frames: slices.Clone(p.Frames)})
	}
	if err := f.a.PDU(metaOf(p.File, p.Frame, p.Endpoint, p.Offset), p.Data); err != nil && f.err == nil {
		f.err = err
	}
}

func (f *feeder) Gap(g *reassembly.Gap) {
	if f.po.keep {
		f.out.Gaps = append(f.out.Gaps, *g)
	}
	r := report.GapRecord{Meta: metaOf(g.File, g.Frame, g.Endpoint, g.Offset), Bytes: g.Bytes, Reason: g.Reason}
	if err := f.a.Gap(r); err != nil && f.err == nil {
		f.err = err
	}
}

func (f *feeder) Problem(p *reassembly.Problem) {
	if f.po.keep && len(f.out.Problems) < 10_000 {
		f.out.Problems = append(f.out.Problems, *p)
	}
}

// captureCounters turns reassembly's counters into the summary's capture
// counters, as cmd/smppdump does.
func captureCounters(s reassembly.Stats) []report.Counter {
	return []report.Counter{
		{Name: "packets", Value: s.Packets}, {Name: "bytes", Value: s.CaptureBytes},
		{Name: "connections", Value: s.Connections}, {Name: "smpp_streams", Value: s.Streams},
		{Name: "gaps", Value: s.Gaps}, {Name: "problems", Value: s.Problems},
	}
}

// limitWriter fails writes beyond n bytes.
type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(b []byte) (int, error) {
	if len(b) > l.n {
		return 0, fmt.Errorf("output beyond the test's limit")
	}
	l.n -= len(b)
	return l.w.Write(b)
}

// runPipeline reads files (stdin is the content of "-") through
// reassembly.Run and one Analyzer feeding the JSON writer (and, with
// po.text, the text and verbose writers), as cmd/smppdump wires them, and
// returns what came out. A writer error or a run that does not finish fails
// the test; Run's error is returned in the outcome (a damaged capture is an
// error, not a failure).
func runPipeline(tb testing.TB, files []string, stdin []byte, o reassembly.Options, po pipeOpts) *outcome {
	tb.Helper()
	out := &outcome{}
	limit := po.limitMB
	if limit == 0 {
		limit = 64
	}
	var lines jsonLines
	var textBuf, verboseBuf bytes.Buffer
	ws := tee{newWriter(tb, report.FormatJSON, &lines, true)}
	if po.text {
		ws = append(ws, newWriter(tb, report.FormatText, &limitWriter{&textBuf, limit << 20}, po.tables),
			newWriter(tb, report.FormatVerbose, &limitWriter{&verboseBuf, 4 * limit << 20}, false))
	}
	f := &feeder{po: po, out: out, a: report.NewAnalyzer(ws)}
	if slices.Contains(files, "-") {
		o.Stdin = bytes.NewReader(stdin) // never the test's own standard input
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	out.Stats, out.Err = reassembly.Run(ctx, files, o, f)
	if ctx.Err() != nil {
		tb.Fatalf("reassembly.Run did not finish within %v", runTimeout)
	}
	if err := f.a.Finish(captureCounters(out.Stats)); err != nil && f.err == nil {
		f.err = err
	}
	if f.err != nil {
		tb.Fatalf("report: %v", f.err)
	}
	if err := lines.done(); err != nil {
		tb.Fatal(err)
	}
	out.JSON, out.Codes, out.Text, out.Verbose = lines.counts, lines.codes, textBuf.Bytes(), verboseBuf.Bytes()
	return out
}

func newWriter(tb testing.TB, f report.Format, w io.Writer, summary bool) report.Writer {
	tb.Helper()
	rw, err := report.New(f, report.WithOutput(w), report.WithSummary(summary))
	if err != nil {
		tb.Fatal(err)
	}
	return rw
}

// tee is a report.Writer that hands every record to several writers, so
// that one Analyzer (whose construction dominates a fuzz execution) feeds
// the JSON, text and verbose writers at once.
type tee []report.Writer

func (ws tee) each(f func(report.Writer) error) error {
	var first error
	for _, w := range ws {
		if err := f(w); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (ws tee) PDU(r *report.PDURecord) error {
	return ws.each(func(w report.Writer) error { return w.PDU(r) })
}
func (ws tee) Gap(r *report.GapRecord) error {
	return ws.each(func(w report.Writer) error { return w.Gap(r) })
}
func (ws tee) Message(r *report.MessageRecord) error {
	return ws.each(func(w report.Writer) error { return w.Message(r) })
}
func (ws tee) Summary(s *report.Summary) error {
	return ws.each(func(w report.Writer) error { return w.Summary(s) })
}
func (ws tee) Close() error { return ws.each(func(w report.Writer) error { return w.Close() }) }

// smppOptions are the reassembly options of the tests: the default port and
// the heuristic, as smppdump runs by default.
func smppOptions() reassembly.Options {
	return reassembly.Options{Ports: []uint16{2775}, Heuristic: true}
}

// Keys the design's output contract requires of each record type
// (docs design.md, "Output contract"). The summary's responses_unmatched is
// left out: the summary does not write it yet (reported to the lead).
var requiredKeys = map[string][]string{
	"pdu": {"frame", "time", "stream", "src", "dst", "command", "command_id", "status",
		"status_name", "seq", "length", "body", "tlvs", "issues"},
	"gap": {"stream", "frame", "dir", "bytes"},
	"message": {"message_id", "message_ids", "stream", "seq", "submit_frame", "submit_time",
		"system_id", "source_addr", "destination_addr", "resp_status", "resp_latency_ms",
		"receipt_stat", "receipt_err", "receipt_latency_ms", "receipts", "match", "parts", "parts_seen"},
	"summary": {"receipts_matched", "receipts_orphan", "receipts_missing", "requests_unanswered"},
}

// jsonLines is an io.Writer that checks JSON lines as they are written,
// without keeping them: every line must be a JSON object that encoding/json
// accepts, with a "type" and the keys the contract requires, and the time of
// a pdu or gap record must be RFC 3339. The first failure is kept in err;
// counts holds the number of records of each type.
type jsonLines struct {
	partial []byte
	line    int
	counts  map[string]int
	codes   map[string]int // issue codes of the pdu records
	err     error
}

func (j *jsonLines) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			j.partial = append(j.partial, b...)
			break
		}
		line := b[:i]
		if len(j.partial) > 0 {
			line = append(j.partial, line...)
		}
		j.check(line)
		j.partial = j.partial[:0]
		b = b[i+1:]
	}
	return n, nil
}

func (j *jsonLines) check(line []byte) {
	j.line++
	if j.err != nil {
		return
	}
	if j.counts == nil {
		j.counts = map[string]int{}
	}
	fail := func(format string, args ...any) {
		j.err = fmt.Errorf("JSON line %d: %s\n%s", j.line, fmt.Sprintf(format, args...), clip(line))
	}
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(line, &rec); err != nil {
		fail("does not parse: %v", err)
		return
	}
	var typ string
	if err := json.Unmarshal(rec["type"], &typ); err != nil || typ == "" {
		fail("no type")
		return
	}
	j.counts[typ]++
	for _, k := range requiredKeys[typ] {
		if _, ok := rec[k]; !ok {
			fail("%s record lacks %q", typ, k)
			return
		}
	}
	if typ == "pdu" {
		var issues []struct{ Code string }
		if err := json.Unmarshal(rec["issues"], &issues); err != nil {
			fail("issues: %v", err)
			return
		}
		if j.codes == nil {
			j.codes = map[string]int{}
		}
		for _, is := range issues {
			j.codes[is.Code]++
		}
	}
	if typ == "pdu" || typ == "gap" {
		var ts string
		if err := json.Unmarshal(rec["time"], &ts); err != nil {
			fail("time is not a string")
			return
		}
		if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
			fail("time %q is not RFC 3339: %v", ts, err)
		}
	}
}

// done returns the first failure, including output that does not end with
// a newline.
func (j *jsonLines) done() error {
	if j.err == nil && len(j.partial) > 0 {
		j.err = fmt.Errorf("JSON output ends without a newline: %s", clip(j.partial))
	}
	return j.err
}

// checkJSONLines checks out with jsonLines and returns the count of each
// record type.
func checkJSONLines(tb testing.TB, out []byte) map[string]int {
	tb.Helper()
	var j jsonLines
	_, _ = j.Write(out)
	if err := j.done(); err != nil {
		tb.Fatal(err)
	}
	return j.counts
}

// checkText asserts that text output carries no terminal control bytes:
// sender-made strings must be escaped (style guide §4), in the PDU lines,
// the summary tables and the verbose view's receipt line alike.
func checkText(tb testing.TB, out []byte) {
	tb.Helper()
	for i, c := range out {
		if (c < 0x20 && c != '\t' && c != '\n') || c == 0x7F {
			lo := max(0, i-60)
			tb.Fatalf("text output holds control byte 0x%02x at %d: %q", c, i, out[lo:min(len(out), i+20)])
		}
	}
}

func clip(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "…"
	}
	return string(b)
}

// hexDump renders b for failure messages.
func hexDump(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%02x", c)
	}
	return sb.String()
}
