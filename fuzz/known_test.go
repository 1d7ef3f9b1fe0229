package fuzz

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
	got := runPipeline(t, []string{"-"}, capture, smppOptions(), pipeOpts{keep: true})
	if len(got.PDUs) == 0 {
		t.Fatal("no PDUs") // runPipeline fails first on the JSON time
	}
}
