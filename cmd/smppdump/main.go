// Smppdump reads pcap and pcapng captures of SMPP traffic, reassembles the
// TCP streams into PDUs, decodes and checks every field, and prints one line
// per PDU, JSON lines, and summary tables.
//
// Usage:
//
//	smppdump -r capture.pcap [flags]
//
// Run "smppdump -h" for the flags.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/reassembly"
	"smppdump.dev/smppdump/report"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes.
const (
	exitOK    = 0
	exitUsage = 2 // usage and input errors
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type config struct {
	files       []string
	json        bool
	ports       string
	count       int
	noHeuristic bool
	showSecrets bool
	quiet       bool
	noSummary   bool
	maxPDU      uint32
	version     bool
}

const usageHead = `smppdump: SMPP analyser for pcap/pcapng captures

Usage:
  smppdump -r FILE [-r FILE ...] [flags]
  smppdump [flags] FILE ...

Examples:
  smppdump -r link.pcap                    one line per PDU, then summary tables
  smppdump -r link.pcap --json | jq 'select(.command=="submit_sm_resp" and .status!=0)'
  smppdump -r link.pcap -q                 summary tables only
  smppdump -r link.pcap.gz -p 2775,9000    SMPP ports (others are found by heuristic)
  tcpdump -w - port 2775 | smppdump -r -   read a capture from standard input

Flags:
`

func newFlagSet(c *config, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet("smppdump", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.StringArrayVarP(&c.files, "read", "r", nil, "read packets from `FILE` (pcap, pcapng, optionally gzip-compressed; - for stdin); repeatable")
	fs.StringVarP(&c.ports, "port", "p", "2775", "comma-separated TCP `PORTS` carrying SMPP")
	fs.BoolVar(&c.noHeuristic, "no-heuristic", false, "do not detect SMPP on other ports")
	fs.IntVarP(&c.count, "count", "c", 0, "stop after `N` PDUs (0 = all)")
	fs.BoolVar(&c.json, "json", false, "write JSON lines (one object per PDU, gap and summary)")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "print only the summary")
	fs.BoolVar(&c.noSummary, "no-summary", false, "do not print the summary")
	fs.BoolVar(&c.showSecrets, "show-secrets", false, "show bind passwords instead of ********")
	fs.Uint32Var(&c.maxPDU, "max-pdu", decode.DefaultMaxPDU, "largest plausible command_length in `BYTES`")
	fs.BoolVar(&c.version, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageHead)
		fs.PrintDefaults()
	}
	return fs
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var c config
	fs := newFlagSet(&c, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintf(stderr, "smppdump: %v (see smppdump -h)\n", err)
		return exitUsage
	}
	if c.version {
		fmt.Fprintf(stdout, "smppdump %s\n", version)
		return exitOK
	}
	c.files = append(c.files, fs.Args()...)
	if len(c.files) == 0 {
		fmt.Fprintln(stderr, "smppdump: no capture given: use -r FILE (or - for standard input); see smppdump -h")
		return exitUsage
	}
	ports, err := parsePorts(c.ports)
	if err != nil {
		fmt.Fprintf(stderr, "smppdump: --port: %v\n", err)
		return exitUsage
	}
	if c.count < 0 {
		fmt.Fprintln(stderr, "smppdump: --count must not be negative")
		return exitUsage
	}

	format := report.FormatText
	if c.json {
		format = report.FormatJSON
	}
	w, err := report.New(format, report.WithOutput(stdout), report.WithPDUs(!c.quiet), report.WithSummary(!c.noSummary))
	if err != nil {
		fmt.Fprintf(stderr, "smppdump: %v\n", err)
		return exitUsage
	}
	a := report.NewAnalyzer(w, report.ShowSecrets(c.showSecrets), report.MaxPDU(c.maxPDU))
	h := &handler{a: a, stderr: stderr}
	opts := reassembly.Options{
		Ports:     ports,
		Heuristic: !c.noHeuristic,
		MaxPDU:    c.maxPDU,
		Limit:     c.count,
		Stdin:     stdin,
	}
	stats, runErr := reassembly.Run(ctx, c.files, opts, h)
	finErr := a.Finish(captureCounters(stats))
	code := exitOK
	if runErr != nil {
		fmt.Fprintf(stderr, "smppdump: %v\n", runErr)
		code = exitUsage
	}
	if h.err != nil {
		fmt.Fprintf(stderr, "smppdump: %v\n", h.err)
		code = exitUsage
	}
	if finErr != nil {
		fmt.Fprintf(stderr, "smppdump: %v\n", finErr)
		code = exitUsage
	}
	if h.problems > 0 && code == exitOK {
		code = exitUsage
	}
	return code
}

// handler passes reassembly's output to the analyzer and reports problems.
type handler struct {
	a        *report.Analyzer
	stderr   io.Writer
	err      error // first write error; stops output
	problems int
}

func meta(file string, frame int, p reassembly.Endpoint) report.Meta {
	return report.Meta{File: file, Frame: frame, Time: p.Time, Stream: p.Stream, Src: p.Src, Dst: p.Dst, Dir: p.Dir.String()}
}

func (h *handler) PDU(p *reassembly.PDU) {
	if h.err != nil {
		return
	}
	m := meta(p.File, p.Frame, p.Endpoint)
	m.Offset = p.Offset
	h.err = h.a.PDU(m, p.Data)
}

func (h *handler) Gap(g *reassembly.Gap) {
	if h.err != nil {
		return
	}
	h.err = h.a.Gap(report.GapRecord{Meta: meta(g.File, g.Frame, g.Endpoint), Bytes: g.Bytes, Reason: g.Reason})
}

func (h *handler) Problem(p *reassembly.Problem) {
	h.problems++
	fmt.Fprintf(h.stderr, "smppdump: %v\n", p)
}

func captureCounters(s reassembly.Stats) []report.Counter {
	return []report.Counter{
		{Name: "packets", Value: s.Packets},
		{Name: "bytes", Value: s.Bytes},
		{Name: "non_tcp", Value: s.NonTCP},
		{Name: "non_smpp", Value: s.NonSMPP},
		{Name: "streams", Value: s.Streams},
		{Name: "pdus", Value: s.PDUs},
		{Name: "gaps", Value: s.Gaps},
		{Name: "bytes_skipped", Value: s.BytesSkipped},
		{Name: "truncated", Value: s.Truncated},
	}
}

func parsePorts(s string) ([]uint16, error) {
	var out []uint16
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.ParseUint(f, 10, 16)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("%q is not a TCP port (1-65535)", f)
		}
		out = append(out, uint16(n))
	}
	return out, nil
}
