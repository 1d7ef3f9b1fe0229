package fuzz

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/internal/capgen"
	"smppdump.dev/smppdump/internal/smppgen"
)

var writeSeeds = flag.Bool("write-seeds", false, "rewrite the committed seed captures in testdata/fuzz/FuzzCapture")

// seedVariant is one small generated capture of the committed seed corpus.
type seedVariant struct {
	name       string
	opts       capgen.Options
	esme, smsc netip.AddrPort
	midStream  bool // no handshake, and one ESME segment lost
	fragment   bool // the submit travels in IPv4 fragments
	gzip       bool
}

var seedVariants = []seedVariant{
	{name: "eth-pcap", esme: netip.MustParseAddrPort("10.0.0.10:40001"), smsc: netip.MustParseAddrPort("10.0.0.1:2775")},
	{name: "sll2-pcapng-heuristic", opts: capgen.Options{Link: capgen.LinuxSLL2, Format: capgen.PCAPNG, Nanosecond: true},
		esme: netip.MustParseAddrPort("10.0.0.10:40002"), smsc: netip.MustParseAddrPort("10.0.0.1:9000")},
	{name: "vlan-ipv6", opts: capgen.Options{Link: capgen.Ethernet802_1Q},
		esme: netip.MustParseAddrPort("[2001:db8::10]:40003"), smsc: netip.MustParseAddrPort("[2001:db8::1]:2775")},
	{name: "raw-fragments", opts: capgen.Options{Link: capgen.RawIP}, fragment: true,
		esme: netip.MustParseAddrPort("10.0.0.10:40004"), smsc: netip.MustParseAddrPort("10.0.0.1:2775")},
	{name: "eth-pcap-gz", gzip: true, esme: netip.MustParseAddrPort("10.0.0.10:40005"), smsc: netip.MustParseAddrPort("10.0.0.1:2775")},
	{name: "sll-midstream-loss", opts: capgen.Options{Link: capgen.LinuxSLL}, midStream: true,
		esme: netip.MustParseAddrPort("10.0.0.10:40006"), smsc: netip.MustParseAddrPort("10.0.0.1:2775")},
}

// writeSeed writes v's capture: a short transceiver session with a submit,
// its response, a receipt and unbind.
func writeSeed(v seedVariant) ([]byte, error) {
	var buf bytes.Buffer
	w, err := capgen.NewWriter(&buf, v.opts)
	if err != nil {
		return nil, err
	}
	s, err := smppgen.NewSession(w, v.esme, v.smsc, fuzzT0, v.midStream)
	if err != nil {
		return nil, err
	}
	src, dst := smppgen.Alpha("ACME"), smppgen.Intl("447700900123")
	bind := smppgen.Bind(decode.BindTransceiver, "acme", "secret", "", decode.V34)
	submit := smppgen.SubmitSM(smppgen.Message{Src: src, Dst: dst, Registered: 1, UserData: smppgen.MustGSM7("Your code is 4711")})
	steps := []func() error{
		func() error { _, err := s.ESME(bind); return err },
		func() error {
			_, err := s.SMSC(smppgen.BindResp(bind, decode.StatusOK, "SMSC", decode.V34))
			return err
		},
		func() error {
			if !v.fragment && !v.midStream {
				_, err := s.ESME(submit)
				return err
			}
			submit.Seq = 2
			b, err := submit.Marshal()
			if err != nil {
				return err
			}
			segs, err := s.Conn().Segments(s.Now(), true, b, []int{len(b) / 2})
			if err != nil {
				return err
			}
			if v.midStream { // the first half is lost
				_, err = s.Conn().Write(segs[1])
				return err
			}
			for _, seg := range segs {
				if _, err := s.Conn().WriteFragmented(seg, 2); err != nil {
					return err
				}
			}
			return nil
		},
		func() error { _, err := s.SMSC(smppgen.Resp(submit, decode.StatusOK, "4f2a1c00")); return err },
		func() error {
			s.Wait(2 * time.Second)
			r := smppgen.Receipt(src, dst, "4f2a1c00", "DELIVRD", "000", fuzzT0, fuzzT0.Add(time.Minute), "Your code")
			_, err := s.SMSC(r)
			if err == nil {
				_, err = s.ESME(smppgen.Resp(r, decode.StatusOK, ""))
			}
			return err
		},
		func() error {
			u := decode.New(decode.Unbind, 0, 0)
			_, err := s.ESME(u)
			if err == nil {
				_, err = s.SMSC(smppgen.Resp(u, decode.StatusOK, ""))
			}
			return err
		},
		func() error { return s.Close(true) },
		w.Close,
	}
	for i, step := range steps {
		s.Wait(10 * time.Millisecond)
		if err := step(); err != nil {
			return nil, fmt.Errorf("%s: step %d: %w", v.name, i, err)
		}
	}
	if !v.gzip {
		return buf.Bytes(), nil
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(buf.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return gz.Bytes(), nil
}

// writeCorpusFile writes b as a committed seed of target.
func writeCorpusFile(t *testing.T, target, name string, b []byte) {
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", b), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestWriteSeedCorpus rewrites the committed seeds of FuzzCapture and
// FuzzPDUReport with -write-seeds, and otherwise checks that each capture
// still frames to PDUs.
func TestWriteSeedCorpus(t *testing.T) {
	if *writeSeeds {
		streams, err := cutStreams()
		if err != nil {
			t.Fatal(err)
		}
		for d, s := range streams {
			for i := 0; len(s) >= decode.HeaderLen; i++ {
				h, _ := decode.ReadHeader(s)
				if int(h.Length) <= 1024 {
					writeCorpusFile(t, "FuzzPDUReport", fmt.Sprintf("stream%d-pdu%02d-%s", d, i, decode.CommandName(h.ID)), s[:h.Length])
				}
				s = s[h.Length:]
			}
		}
	}
	if *writeSeeds {
		for name, b := range map[string][]byte{
			"half-open-maxstreams-10.pcap": halfOpenCapture(t),
			"damaged-record-header.pcap":   damagedHeaderCapture(t),
			"junk-first-listed-port.pcap":  junkFirstCapture(t),
			"pcapng-far-future.pcapng":     farFutureCapture(t),
		} {
			if err := os.WriteFile(filepath.Join("testdata", "known", name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, v := range seedVariants {
		b, err := writeSeed(v)
		if err != nil {
			t.Fatal(err)
		}
		res := runPipeline(t, []string{"-"}, b, smppOptions(), pipeOpts{})
		if res.Stats.PDUs < 6 {
			t.Errorf("%s: %d PDUs (%v)", v.name, res.Stats.PDUs, res.Err)
		}
		if *writeSeeds {
			writeCorpusFile(t, "FuzzCapture", v.name, b)
		}
	}
}

// FuzzCapture runs raw capture-file bytes through the whole pipeline:
// reassembly (port 2775 and the heuristic), decode and the report Analyzer
// with the JSON, text and verbose writers. It must not panic, must finish,
// must write JSON lines that encoding/json accepts with the contract's keys,
// one pdu record per PDU delivered and one gap record per gap, and text
// without control bytes.
func FuzzCapture(f *testing.F) {
	for _, c := range seedCaptures(f) {
		if len(c.Data) <= 128<<10 {
			f.Add(c.Data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res := runPipeline(t, []string{"-"}, data, smppOptions(), pipeOpts{text: true, tables: len(data)%8 == 0, limitMB: 16})
		counts := res.JSON
		if int64(counts["pdu"]) != res.Stats.PDUs || int64(counts["gap"]) != res.Stats.Gaps || counts["summary"] != 1 {
			t.Fatalf("records %v for %d PDUs and %d gaps delivered", counts, res.Stats.PDUs, res.Stats.Gaps)
		}
		checkText(t, res.Text)
		checkText(t, res.Verbose)
	})
}
