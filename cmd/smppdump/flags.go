package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/report"
)

// config holds every flag's value.
type config struct {
	// Input
	files       []string
	iface       string
	bpf         string
	keepDups    bool
	ports       string
	noHeuristic bool
	count       int
	maxPDU      uint32
	// Output
	write       string
	rotate      string
	rotateKeep  int
	json        bool
	verbose     bool
	quiet       bool
	summary     bool
	noSummary   bool
	color       string
	showSecrets bool
	redactText  bool
	redactAddr  bool
	// Filters
	commands   string
	statuses   string
	systemIDs  []string
	addrs      []string
	messageIDs []string
	issues     string
	streams    []int
	follow     []string
	// Analysis
	failOn  string
	version bool
	// Analysis limits
	respTimeout    time.Duration
	receiptTimeout time.Duration
	maxMessages    int
	maxPending     int
	window         int
	// Monitoring
	metricsListen string
	metricsLinger time.Duration
	interval      time.Duration
	// floor runs capture reading, reassembly and framing only (hidden; the
	// benchmark script's baseline).
	floor bool
	// cpuProfile is where the CPU profile of the run goes (hidden).
	cpuProfile string
}

const usageHead = `smppdump: SMPP analyser for pcap/pcapng captures

Usage:
  smppdump -r FILE [-r FILE ...] [flags]
  smppdump [flags] FILE ...

Examples:
  smppdump -r link.pcap                    one line per PDU, then summary tables
  smppdump -r link.pcap -V -c 5            every field of the first five PDUs
  smppdump -r link.pcap --status error     failed responses only
  smppdump -r link.pcap --json | jq 'select(.command=="submit_sm_resp" and .status!=0)'
  smppdump -r link.pcap -q                 summary tables only
  smppdump -r link.pcap.gz -p 2775,9000    SMPP ports (others are found by heuristic)
  tcpdump -w - port 2775 | smppdump -r -   read a capture from standard input
  smppdump -i eth0 -q -w smpp.pcap --rotate 1h   SMPP packets only, in hourly files, as they come

`

// flagGroups builds the flag sets, grouped by purpose for -h.
func flagGroups(c *config) (all *pflag.FlagSet, groups []*pflag.FlagSet) {
	in := pflag.NewFlagSet("Input", pflag.ContinueOnError)
	in.StringArrayVarP(&c.files, "read", "r", nil, "read packets from `FILE` (pcap, pcapng, optionally gzip-compressed; - for stdin); repeatable")
	in.StringVarP(&c.iface, "interface", "i", "", "capture live on `IFACE` (Linux AF_PACKET; needs CAP_NET_RAW, e.g. run as root); stop with Ctrl-C")
	in.StringVarP(&c.bpf, "filter", "f", "", "live capture filter `EXPR` in tcpdump syntax (builds with -tags pcap); default: the SMPP ports, or all TCP with the heuristic")
	in.StringVarP(&c.ports, "port", "p", "2775", "comma-separated TCP `PORTS` carrying SMPP")
	in.BoolVar(&c.noHeuristic, "no-heuristic", false, "do not detect SMPP on other ports")
	in.IntVarP(&c.count, "count", "c", 0, "stop after `N` PDUs (0 = all)")
	in.Uint32Var(&c.maxPDU, "max-pdu", decode.DefaultMaxPDU, "largest plausible command_length in `BYTES`")
	in.BoolVar(&c.keepDups, "keep-duplicates", false, "keep both copies of a conversation captured twice (two interfaces, before and after NAT)")

	out := pflag.NewFlagSet("Output", pflag.ContinueOnError)
	out.StringVarP(&c.write, "write", "w", "", "write the packets that carried the selected PDUs (after filters) to `FILE` (.pcapng for pcapng, else pcap); a live capture or stdin is written as it goes")
	out.StringVar(&c.rotate, "rotate", "", "with -w, start a new file at each `SIZE|DURATION`: before a packet that would take the file past the size (k, M, G = 1000^n bytes; KiB, MiB, GiB = 1024^n; e.g. 100MB, 1GiB), or at each multiple of the duration in capture time (e.g. 15m; 1h starts files on the hour); files are named FILE-000001-20260504T100000Z.pcap (counter, UTC time of the first packet)")
	out.IntVar(&c.rotateKeep, "rotate-keep", 0, "with --rotate, keep only the `N` newest files, deleting older ones (0 = keep all)")
	out.BoolVar(&c.json, "json", false, "write JSON lines: pdu, gap, message and summary records")
	out.BoolVarP(&c.verbose, "verbose", "V", false, "print every field, TLV, text, UDH and issue of each PDU")
	out.BoolVarP(&c.quiet, "quiet", "q", false, "print only the summary")
	out.BoolVar(&c.summary, "summary", false, "print the summary (the default; overrides --no-summary)")
	out.BoolVar(&c.noSummary, "no-summary", false, "do not print the summary")
	out.StringVar(&c.color, "color", "auto", "colour the text view: `WHEN` is auto (when stdout is a terminal), always or never")
	out.BoolVar(&c.showSecrets, "show-secrets", false, "show bind passwords instead of ********")
	out.BoolVar(&c.redactText, "redact-text", false, "hide message text (keeps its length and encoding), for sharing output")
	out.BoolVar(&c.redactAddr, "redact-addr", false, "mask all but the last 3 digits of addresses, for sharing output")

	fl := pflag.NewFlagSet("Filters (select what is printed; the summary always covers everything)", pflag.ContinueOnError)
	fl.StringVar(&c.commands, "command", "", "only these `COMMANDS` (comma list, e.g. submit_sm,submit_sm_resp)")
	fl.StringVar(&c.statuses, "status", "", "only responses with `STATUS`: ok, error, names (ESME_RTHROTTLED) or numbers; comma list")
	fl.StringArrayVar(&c.systemIDs, "system-id", nil, "only PDUs of binds with this `SYSTEM_ID`; repeatable")
	fl.StringArrayVar(&c.addrs, "addr", nil, "only PDUs whose source or destination is `ADDR`; repeatable")
	fl.StringArrayVar(&c.messageIDs, "message-id", nil, "only PDUs carrying message `ID` (hex/decimal/case/zero-padding agnostic); repeatable")
	fl.StringVar(&c.issues, "issues", "", "only PDUs with an issue of at least `SEVERITY` (info, warning, error)")
	fl.Lookup("issues").NoOptDefVal = "info"
	fl.IntSliceVar(&c.streams, "stream", nil, "only connection number `N` (the #N of the text view); comma list")
	fl.StringArrayVar(&c.follow, "follow", nil, "print the story of the message with this message `ID`, or of every message to or from this address: submits, responses, receipts with latencies; repeatable")

	lim := pflag.NewFlagSet("Analysis (memory stays bounded by these; what they cut is counted in the summary)", pflag.ContinueOnError)
	lim.DurationVar(&c.respTimeout, "response-timeout", 5*time.Minute, "a request unanswered for `DURATION` of capture time counts as unanswered")
	lim.DurationVar(&c.receiptTimeout, "receipt-timeout", 6*time.Hour, "a message waits `DURATION` of capture time for its receipts")
	lim.IntVar(&c.maxMessages, "max-messages", 1000000, "at most `N` messages wait for responses or receipts; beyond, the oldest is written out")
	lim.IntVar(&c.maxPending, "max-pending", 100000, "at most `N` outstanding requests followed per connection and direction")
	lim.IntVar(&c.window, "window", 10, "SES-13 when more than `N` requests are outstanding in one direction")

	mon := pflag.NewFlagSet("Monitoring", pflag.ContinueOnError)
	mon.DurationVar(&c.interval, "interval", 0, "every `DURATION` of capture time, print a line per bind: TPS, submits, errors, throttles, response p50/p99, receipts by outcome, window")
	mon.StringVar(&c.metricsListen, "metrics-listen", "", "serve Prometheus metrics on `ADDR` (e.g. :9275) at /metrics")
	mon.DurationVar(&c.metricsLinger, "metrics-linger", 0, "after reading files, keep serving metrics for `DURATION` (default: until interrupted) for a final scrape")

	an := pflag.NewFlagSet("Exit status", pflag.ContinueOnError)
	an.StringVar(&c.failOn, "fail-on", "", "exit 1 when an issue of at least `SEVERITY` was found (for CI pipelines)")
	an.BoolVar(&c.version, "version", false, "print the version and exit")
	an.BoolVar(&c.floor, "bench-floor", false, "benchmark baseline: read, reassemble and frame only, then print the PDU count")
	_ = an.MarkHidden("bench-floor")
	an.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to `FILE` (for go tool pprof)")
	_ = an.MarkHidden("cpuprofile")

	groups = []*pflag.FlagSet{in, out, fl, lim, mon, an}
	all = pflag.NewFlagSet("smppdump", pflag.ContinueOnError)
	all.SortFlags = false
	for _, g := range groups {
		g.SortFlags = false
		all.AddFlagSet(g)
	}
	return all, groups
}

func printUsage(w io.Writer, groups []*pflag.FlagSet) {
	fmt.Fprint(w, usageHead)
	for _, g := range groups {
		fmt.Fprintf(w, "%s:\n%s\n", g.Name(), g.FlagUsages())
	}
	fmt.Fprint(w, "Exit status: 0 success; 1 an issue reached --fail-on; 2 usage or input error.\n")
}

// filter builds the report filter from the filter flags.
func (c *config) filter() (report.Filter, error) {
	var f report.Filter
	if c.commands != "" {
		cmds, err := report.ParseCommands(c.commands)
		if err != nil {
			return f, fmt.Errorf("--command: %w", err)
		}
		f.Commands = cmds
	}
	if c.statuses != "" {
		if err := f.ParseStatuses(c.statuses); err != nil {
			return f, fmt.Errorf("--status: %w", err)
		}
	}
	if len(c.systemIDs) > 0 {
		f.SystemIDs = map[string]bool{}
		for _, s := range c.systemIDs {
			f.SystemIDs[s] = true
		}
	}
	f.Addrs = c.addrs
	f.MessageIDs = c.messageIDs
	if c.issues != "" {
		sev, err := decode.ParseSeverity(c.issues)
		if err != nil {
			return f, fmt.Errorf("--issues: %w", err)
		}
		f.MinSeverity = sev
	}
	if len(c.streams) > 0 {
		f.Streams = map[int]bool{}
		for _, n := range c.streams {
			f.Streams[n] = true
		}
	}
	return f, nil
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
