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
	"runtime/debug"
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
	exitOK     = 0
	exitFailOn = 1 // an issue at or above --fail-on was found
	exitUsage  = 2 // usage and input errors
)

func main() {
	// The analysis keeps little live memory; collecting less often trades a
	// few MB for a noticeably shorter run. GOGC in the environment wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var c config
	fs, groups := flagGroups(&c)
	fs.SetOutput(stderr)
	fs.Usage = func() { printUsage(stderr, groups) }
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
	if c.cpuProfile != "" {
		stopProfile, err := startCPUProfile(c.cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "smppdump: --cpuprofile: %v\n", err)
			return exitUsage
		}
		defer stopProfile()
	}
	if c.floor {
		return runFloor(ctx, &c, stdin, stdout, stderr)
	}
	opts, a, failOn, err := c.setup(stdin, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "smppdump: %v\n", err)
		return exitUsage
	}
	sel, err := newSelectedWriter(&c, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "smppdump: %v\n", err)
		return exitUsage
	}
	if sel != nil {
		defer sel.close()
		if sel.streaming && os.Getenv("GOGC") == "" {
			// The write queue holds up to tens of MiB of frames: at main's
			// GOGC of 400 the heap would grow to five times that.
			debug.SetGCPercent(100)
		}
	}
	var mon *monitor
	if c.metricsListen != "" {
		if mon, err = startMonitor(c.metricsListen, stderr); err != nil {
			fmt.Fprintf(stderr, "smppdump: --metrics-listen: %v\n", err)
			return exitUsage
		}
		defer mon.close()
		a.SetObserver(mon.metrics)
	}
	if isTerminal(stderr) && c.iface == "" {
		opts.Progress = progressPrinter(stderr)
	}
	h := newPipeline(a, stderr, c.write != "", c.iface != "", c.quiet)
	var handler reassembly.Handler = h
	// A write error of -w ends the run (runCtx) and is reported itself.
	runCtx, abortRun := context.WithCancel(ctx)
	defer abortRun()
	if sel != nil {
		if handler, err = sel.attach(h, &opts, abortRun); err != nil {
			_ = h.close()
			fmt.Fprintf(stderr, "smppdump: %v\n", err)
			return exitUsage
		}
	}
	var stats reassembly.Stats
	var runErr error
	if c.iface != "" {
		opts.Listening = func(li reassembly.LiveInfo) {
			fmt.Fprintf(stderr, "smppdump: listening on %s (%s, %s, filter %q); Ctrl-C stops\n", li.Interface, li.Method, li.LinkType, li.Filter)
		}
		stats, runErr = reassembly.RunLive(runCtx, c.iface, opts, handler)
	} else {
		stats, runErr = reassembly.Run(runCtx, c.files, opts, handler)
	}
	pipeErr := h.close()
	var finErr error
	if runErr == nil || stats.Packets > 0 {
		// A run that read nothing because it could not start (a missing
		// file, no capture permission) has no summary to print.
		finErr = a.Finish(captureCounters(stats))
	}
	if stats.Drops > 0 {
		fmt.Fprintf(stderr, "smppdump: the kernel dropped %d packets: the capture is incomplete\n", stats.Drops)
	}
	var writeErr error
	if sel != nil {
		writeErr = sel.finish(context.WithoutCancel(ctx), opts, h.frames, pipeErr == nil)
		if writeErr != nil && ctx.Err() == nil && errors.Is(runErr, context.Canceled) {
			runErr = nil // the run was stopped for writeErr
		}
	}
	if mon != nil {
		mon.metrics.SetCapture(stats.Packets, stats.Drops)
		if c.iface == "" {
			mon.linger(ctx, c.metricsLinger)
		}
	}
	code := exitOK
	for _, err := range []error{runErr, pipeErr, finErr, writeErr} {
		if err != nil {
			fmt.Fprintf(stderr, "smppdump: %v\n", err)
			code = exitUsage
		}
	}
	if h.problems > 0 && code == exitOK {
		code = exitUsage
	}
	if code == exitOK && failOn != 0 && a.WorstSeverity() >= failOn {
		code = exitFailOn
	}
	return code
}

// setup checks the flags and builds the writer, the reassembly options and
// the analyzer.
func (c *config) setup(stdin io.Reader, stdout io.Writer) (reassembly.Options, *report.Analyzer, decode.Severity, error) {
	var none reassembly.Options
	switch {
	case len(c.files) == 0 && c.iface == "":
		return none, nil, 0, errors.New("no capture given: use -r FILE (or - for standard input) or -i IFACE; see smppdump -h")
	case len(c.files) > 0 && c.iface != "":
		return none, nil, 0, errors.New("-r and -i exclude each other: read files or capture live")
	case c.bpf != "" && c.iface == "":
		return none, nil, 0, errors.New("-f filters live captures (-i); for files, use the filter flags")
	}
	ports, err := parsePorts(c.ports)
	if err != nil {
		return none, nil, 0, fmt.Errorf("--port: %w", err)
	}
	if c.count < 0 {
		return none, nil, 0, errors.New("--count must not be negative")
	}
	var failOn decode.Severity
	if c.failOn != "" {
		if failOn, err = decode.ParseSeverity(c.failOn); err != nil {
			return none, nil, 0, fmt.Errorf("--fail-on: %w", err)
		}
	}
	color := false
	switch c.color {
	case "always":
		color = true
	case "never":
	case "auto":
		color = isTerminal(stdout)
	default:
		return none, nil, 0, fmt.Errorf("--color: %q is not auto, always or never", c.color)
	}
	if c.json && c.verbose {
		return none, nil, 0, errors.New("--json and -V are two different views: pick one")
	}
	filter, err := c.filter()
	if err != nil {
		return none, nil, 0, err
	}
	format := report.FormatText
	switch {
	case c.json:
		format = report.FormatJSON
		color = false
	case c.verbose:
		format = report.FormatVerbose
	}
	w, err := report.New(format, report.WithOutput(stdout), report.WithPDUs(!c.quiet),
		report.WithSummary(c.summary || !c.noSummary), report.WithColor(color),
		report.WithRedaction(c.redactText, c.redactAddr), report.WithFollow(len(c.follow) > 0 && !c.json))
	if err != nil {
		return none, nil, 0, err
	}
	aopts := []report.AnalyzerOption{report.ShowSecrets(c.showSecrets), report.MaxPDU(c.maxPDU), report.WithFilter(filter)}
	if c.interval < 0 || c.respTimeout <= 0 || c.receiptTimeout <= 0 || c.maxMessages <= 0 || c.maxPending <= 0 || c.window <= 0 {
		return none, nil, 0, errors.New("--interval must not be negative, and the analysis limits must be positive")
	}
	aopts = append(aopts, report.ResponseTimeout(c.respTimeout), report.ReceiptTimeout(c.receiptTimeout),
		report.MaxMessages(c.maxMessages), report.MaxPending(c.maxPending), report.Window(c.window))
	aopts = append(aopts, report.WithInterval(c.interval))
	if (!c.json || c.quiet) && len(c.follow) == 0 {
		aopts = append(aopts, report.WithoutMessageRecords())
	}
	if c.quiet && len(c.follow) == 0 {
		aopts = append(aopts, report.WithoutIssueDetails())
	}
	if len(c.follow) > 0 {
		aopts = append(aopts, report.Follow(c.follow))
		if c.json {
			// Only the followed messages' records: no PDU lines.
			f := filter
			f.Streams = map[int]bool{-1: true}
			aopts = append(aopts, report.WithFilter(f))
		}
	}
	a := report.NewAnalyzer(w, aopts...)
	opts := reassembly.Options{
		Ports:     ports,
		Heuristic: !c.noHeuristic,
		MaxPDU:    c.maxPDU,
		Limit:     c.count,
		Stdin:     stdin,
		Filter:    c.bpf,

		KeepDuplicates: c.keepDups,
	}
	return opts, a, failOn, nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func captureCounters(s reassembly.Stats) []report.Counter {
	return []report.Counter{
		{Name: "files", Value: s.Files},
		{Name: "packets", Value: s.Packets},
		{Name: "capture_bytes", Value: s.CaptureBytes},
		{Name: "capture_bytes_skipped", Value: s.CaptureBytesSkipped},
		{Name: "bytes", Value: s.Bytes},
		{Name: "non_tcp", Value: s.NonTCP},
		{Name: "non_smpp", Value: s.NonSMPP},
		{Name: "connections", Value: s.Connections},
		{Name: "streams", Value: s.Streams},
		{Name: "non_smpp_connections", Value: s.NonSMPPConns},
		{Name: "streams_dropped", Value: s.StreamsDropped},
		{Name: "idle_closed", Value: s.IdleClosed},
		{Name: "half_open_evicted", Value: s.HalfOpenEvicted},
		{Name: "pdus", Value: s.PDUs},
		{Name: "gaps", Value: s.Gaps},
		{Name: "bytes_skipped", Value: s.BytesSkipped},
		{Name: "bytes_lost", Value: s.BytesLost},
		{Name: "bytes_discarded", Value: s.BytesDiscarded},
		{Name: "truncated", Value: s.Truncated},
		{Name: "fragments", Value: s.Fragments},
		{Name: "fragments_incomplete", Value: s.FragmentsIncomplete},
		{Name: "mirror_streams", Value: s.MirrorStreams},
		{Name: "duplicate_pdus", Value: s.DuplicatePDUs},
		{Name: "duplicate_gaps", Value: s.DuplicateGaps},
		{Name: "mirror_delivered", Value: s.MirrorDelivered},
		{Name: "kernel_drops", Value: s.Drops},
		{Name: "interface_drops", Value: s.IfDrops},
		{Name: "problems", Value: s.Problems},
	}
}

// floorHandler counts framed PDUs and does nothing else.
type floorHandler struct{ pdus, bytes, gaps, problems int }

func (f *floorHandler) PDU(p *reassembly.PDU)       { f.pdus++; f.bytes += len(p.Data) }
func (f *floorHandler) Gap(*reassembly.Gap)         { f.gaps++ }
func (f *floorHandler) Problem(*reassembly.Problem) { f.problems++ }

// runFloor is the benchmark baseline: the capture front end alone.
func runFloor(ctx context.Context, c *config, stdin io.Reader, stdout, stderr io.Writer) int {
	ports, err := parsePorts(c.ports)
	if err != nil {
		fmt.Fprintf(stderr, "smppdump: --port: %v\n", err)
		return exitUsage
	}
	var h floorHandler
	_, err = reassembly.Run(ctx, c.files, reassembly.Options{Ports: ports, Heuristic: !c.noHeuristic, MaxPDU: c.maxPDU, Stdin: stdin}, &h)
	if err != nil {
		fmt.Fprintf(stderr, "smppdump: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "%d PDUs, %d bytes, %d gaps, %d problems\n", h.pdus, h.bytes, h.gaps, h.problems)
	return exitOK
}
