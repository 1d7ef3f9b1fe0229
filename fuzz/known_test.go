package fuzz

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/internal/capgen"
	"smppdump.dev/smppdump/internal/smppgen"
)

// Known bugs of other packages that the fuzz targets tolerate, so that
// fuzzing goes on finding new ones; each is pinned by a TestKnownBug test.
// Set a constant to false once its bug is fixed.
const (
	tableEscapeBug   = true // TestKnownBugTableEscape
	receiptEscapeBug = true // TestKnownBugVerboseReceiptEscape
	timeYearBug      = true // TestKnownBugTimeBeyondYear9999
)

var hexComment = regexp.MustCompile(`#.*`)

// readHex reads testdata/<name>: hex octets, whitespace and # comments.
func readHex(tb testing.TB, name string) []byte {
	tb.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	s := hexComment.ReplaceAllString(string(src), "")
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return b
}

// TestKnownBugTableEscape: the text view's summary tables print a bind's
// system_id (and receipt stat/err outcomes) as sent, so a capture can put
// terminal escape sequences on the reader's screen. The PDU lines escape the
// same strings. Found by FuzzPDUReport.
func TestKnownBugTableEscape(t *testing.T) {
	pdu := readHex(t, "known/table-system-id-escape.hex")
	_, out, _ := analyzePDU(t, pdu, true)
	if i := bytes.IndexByte(out, 0x1b); i >= 0 {
		t.Fatalf("ESC at %d in text output: %q", i, out[max(0, i-40):min(len(out), i+20)])
	}
}

// halfOpenCapture writes ten connections that only send a SYN, then one
// complete SMPP session on port 2775 (the reduced form of
// TestHostileSYNFlood: run it with Options.MaxStreams 10).
func halfOpenCapture(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := capgen.NewWriter(&buf, capgen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := fuzzT0
	server := netip.MustParseAddrPort("10.0.0.1:2775")
	for i := range 10 {
		ts = ts.Add(time.Millisecond)
		client := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 9, 0, byte(i)}), uint16(1024+i))
		seg := capgen.Segment{Time: ts, FromClient: true, Seq: uint32(i) * 2654435761, Flags: capgen.SYN, Window: 64240, MSS: 1460}
		if _, err := w.WriteSegment(client, server, seg); err != nil {
			t.Fatal(err)
		}
	}
	floodSession(t, w, 40003, ts.Add(time.Second))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestKnownBugHalfOpenConnectionsFillMaxStreams: connections that never get
// past their SYN stay tracked until Options.FlushIdle (10 minutes of
// capture time), so a SYN flood fills Options.MaxStreams and every later
// connection is ignored, real SMPP sessions included. Reduced from
// TestHostileSYNFlood (100,000 SYNs against the default limit of 100,000).
func TestKnownBugHalfOpenConnectionsFillMaxStreams(t *testing.T) {
	t.Skip("known bug: reassembly keeps SYN-only connections until FlushIdle, so a SYN flood fills MaxStreams and later SMPP sessions are dropped")
	capture, err := os.ReadFile(filepath.Join("testdata", "known", "half-open-maxstreams-10.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	o := smppOptions()
	o.MaxStreams = 10
	got := runPipeline(t, []string{"-"}, capture, o, pipeOpts{keep: true})
	if len(got.PDUs) != 8 {
		t.Fatalf("%d of the session's 8 PDUs reported; problems %v", len(got.PDUs), got.Problems)
	}
}

// damagedHeaderCapture returns a short session whose fifth record header
// says more octets were captured than the packet had (caplen > origlen).
func damagedHeaderCapture(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := capgen.NewWriter(&buf, capgen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	floodSession(t, w, 40004, fuzzT0)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	recs, _, _ := pcapRecords(b)
	binary.LittleEndian.PutUint32(b[recs[4].Start+12:], 1) // original length 1
	return b
}

// TestKnownBugDamagedRecordHeader: one damaged pcap record header (here
// the fifth says its packet had 1 octet, fewer than captured) ends the
// file: the reader stops with "capture file truncated or damaged" and no
// later packet is read, though the records after it are intact. Reduced
// from TestHostileCorruption (2% damage over whole files keeps 9% of the
// undamaged PDUs).
func TestKnownBugDamagedRecordHeader(t *testing.T) {
	t.Skip("known bug: reassembly/source.go stops reading a pcap at the first damaged record header instead of resynchronising on the next plausible one")
	capture, err := os.ReadFile(filepath.Join("testdata", "known", "damaged-record-header.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	got := runPipeline(t, []string{"-"}, capture, smppOptions(), pipeOpts{keep: true})
	// Frame 5 (the bind_transceiver_resp's ACK) is lost; the PDUs from
	// frame 6 on are intact.
	if !slices.ContainsFunc(got.PDUs, func(p pduSeen) bool { return p.Frame > 5 }) {
		t.Fatalf("no PDU after the damaged record: %d PDUs, problems %v", len(got.PDUs), got.Problems)
	}
}

// junkFirstCapture writes a session on port 2775, with its handshake, whose
// ESME first sends 3000 octets of 0xEE and then an enquire_link that the
// SMSC answers (the reduced form: run it with Options.MaxPDU 1024, which
// makes reassembly's probe give up after 2*1024+32 octets).
func junkFirstCapture(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := capgen.NewWriter(&buf, capgen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := smppgen.NewSession(w, netip.MustParseAddrPort("10.0.0.10:40001"), netip.MustParseAddrPort("10.0.0.1:2775"), fuzzT0, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Raw(true, bytes.Repeat([]byte{0xEE}, 3000)); err != nil {
		t.Fatal(err)
	}
	el := decode.New(decode.EnquireLink, 0, 0)
	if _, err := s.ESME(el); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SMSC(smppgen.Resp(el, decode.StatusOK, "")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestKnownBugJunkFirstOnListedPort: a connection on a listed SMPP port
// whose first 2*MaxPDU+32 octets (135 KiB by default) hold no plausible
// header is rejected as not SMPP (reassembly/heuristic.go decideListed):
// nothing of it is framed, the valid PDUs after the junk are lost, and
// neither a gap nor a problem says so (only Stats.NonSMPPConns counts it).
func TestKnownBugJunkFirstOnListedPort(t *testing.T) {
	t.Skip("known bug: reassembly/heuristic.go decideListed rejects a listed-port connection after probeCap octets of junk, silently dropping its later PDUs")
	capture, err := os.ReadFile(filepath.Join("testdata", "known", "junk-first-listed-port.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	o := smppOptions()
	o.MaxPDU = 1024
	got := runPipeline(t, []string{"-"}, capture, o, pipeOpts{keep: true})
	if len(got.PDUs) != 2 || len(got.Gaps) == 0 {
		t.Fatalf("%d PDUs (want the enquire_link and its response), %d gaps (want one for the junk); stats %+v", len(got.PDUs), len(got.Gaps), got.Stats)
	}
}

// TestKnownBugVerboseReceiptEscape: the verbose view prints a receipt's
// sub, dlvrd, submit_date, done_date, stat and err values as sent
// (report/verbose.go, the "Receipt:" line), so receipt text can drive the
// reader's terminal. Found by FuzzPDUReport.
func TestKnownBugVerboseReceiptEscape(t *testing.T) {
	_, _, out := analyzePDU(t, readHex(t, "known/verbose-receipt-escape.hex"), false)
	if i := bytes.IndexByte(out, 0x1b); i >= 0 {
		t.Fatalf("ESC at %d in verbose output: %q", i, out[max(0, i-40):min(len(out), i+20)])
	}
}

// farFutureCapture writes a pcapng session whose packet timestamps lie in
// the year 36,000 or so: the interface's if_tsresol option is set to
// microseconds and each enhanced packet block's high timestamp word to
// 0x0F000000.
func farFutureCapture(t *testing.T) []byte {
	t.Helper()
	b := pcapngSession(t)
	for off := 0; off+12 <= len(b); {
		typ, n := binary.LittleEndian.Uint32(b[off:]), int(binary.LittleEndian.Uint32(b[off+4:]))
		if n < 12 || off+n > len(b) {
			t.Fatalf("bad block at %d", off)
		}
		switch typ {
		case 1: // interface description: options after link type, reserved, snaplen
			for o := off + 16; o+4 <= off+n-4; {
				code, l := binary.LittleEndian.Uint16(b[o:]), int(binary.LittleEndian.Uint16(b[o+2:]))
				if code == 0 {
					break
				}
				if code == 9 && l == 1 { // if_tsresol
					b[o+4] = 6
				}
				o += 4 + (l+3)/4*4
			}
		case 6: // enhanced packet: interface, timestamp high, timestamp low
			binary.LittleEndian.PutUint32(b[off+12:], 0x0F000000)
		}
		off += n
	}
	return b
}

// TestKnownBugTimeBeyondYear9999: a capture timestamp past the year 9999
// (pcapng's 64-bit timestamps allow it) is written in JSON as
// "36221-03-19T...Z", which is not RFC 3339 (four-digit years), so the record
// breaks the output contract; such a time is damage and should be written
// in a form the contract allows. Found by FuzzCapture.
func TestKnownBugTimeBeyondYear9999(t *testing.T) {
	capture, err := os.ReadFile(filepath.Join("testdata", "known", "pcapng-far-future.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	got := runPipeline(t, []string{"-"}, capture, smppOptions(), pipeOpts{keep: true, strictTime: true})
	if len(got.PDUs) == 0 {
		t.Fatal("no PDUs") // runPipeline fails first on the JSON time
	}
}
