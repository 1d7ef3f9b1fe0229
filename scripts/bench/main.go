// Bench compares whole runs of smppdump with tshark on the same generated
// capture and prints a table of rates, peak memory and ratios. Commands are
// run in alternation, round after round, and the medians are reported, so
// load on a shared machine affects every contender alike; each run's
// capture is read once just before it, so that none of them pays for
// reading it from disk.
//
// Usage (from the repository root): scripts/bench.sh [-pdus N] [-rounds N] [-big]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"smppdump.dev/smppdump/internal/smppgen"
)

type result struct {
	wall   []time.Duration
	rssKiB []int64
}

func (r *result) median() (time.Duration, int64) {
	w := append([]time.Duration(nil), r.wall...)
	sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
	m := append([]int64(nil), r.rssKiB...)
	sort.Slice(m, func(i, j int) bool { return m[i] < m[j] })
	return w[len(w)/2], m[len(m)-1]
}

// contender is one command measured on one capture.
type contender struct {
	name    string
	capture string
	pdus    int
	size    int64
	argv    []string
	env     []string // added to the environment
	res     result
}

func main() {
	pdus := flag.Int("pdus", 1000000, "PDUs in the main capture")
	jsonPDUs := flag.Int("json-pdus", 100000, "PDUs in the capture used for the JSON comparison (tshark -T json is slow)")
	rounds := flag.Int("rounds", 3, "rounds of alternated runs")
	big := flag.Bool("big", false, "also measure peak memory on a 10M-PDU capture (needs ~1.5 GB of disk)")
	work := flag.String("dir", "", "working directory for captures and binaries (default: a temp dir)")
	flag.Parse()
	if err := run(*pdus, *jsonPDUs, *rounds, *big, *work); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(pdus, jsonPDUs, rounds int, big bool, dir string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "smppdump-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	bin := filepath.Join(dir, "smppdump")
	fmt.Fprintln(os.Stderr, "building smppdump…")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/smppdump").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	mainCap, err := generate(dir, pdus)
	if err != nil {
		return err
	}
	jsonCap, err := generate(dir, jsonPDUs)
	if err != nil {
		return err
	}
	tshark, _ := exec.LookPath("tshark")
	cs := []*contender{
		{name: "smppdump -q (summary only)", capture: mainCap, pdus: pdus, argv: []string{bin, "-q", "-r", mainCap}},
		{name: "smppdump -q, one core (GOMAXPROCS=1)", capture: mainCap, pdus: pdus, argv: []string{bin, "-q", "-r", mainCap}, env: []string{"GOMAXPROCS=1"}},
		{name: "floor: read+reassemble+frame", capture: mainCap, pdus: pdus, argv: []string{bin, "--bench-floor", "-r", mainCap}},
		{name: "smppdump --json", capture: jsonCap, pdus: jsonPDUs, argv: []string{bin, "--json", "-r", jsonCap}},
	}
	if tshark != "" {
		cs = append(cs,
			&contender{name: "tshark -q -z smpp_commands,tree", capture: mainCap, pdus: pdus,
				argv: []string{tshark, "-n", "-q", "-r", mainCap, "-d", "tcp.port==2775,smpp", "-z", "smpp_commands,tree"}},
			&contender{name: "tshark -T json", capture: jsonCap, pdus: jsonPDUs,
				argv: []string{tshark, "-n", "-r", jsonCap, "-d", "tcp.port==2775,smpp", "-T", "json"}})
	} else {
		fmt.Fprintln(os.Stderr, "tshark not found: measuring smppdump only")
	}
	for _, c := range cs {
		st, err := os.Stat(c.capture)
		if err != nil {
			return err
		}
		c.size = st.Size()
	}
	for r := 1; r <= rounds; r++ {
		for _, c := range cs {
			fmt.Fprintf(os.Stderr, "round %d/%d: %s\n", r, rounds, c.name)
			if err := warm(c.capture); err != nil {
				return err
			}
			wall, rss, err := measure(c.argv, c.env)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			c.res.wall = append(c.res.wall, wall)
			c.res.rssKiB = append(c.res.rssKiB, rss)
		}
	}
	var bigC *contender
	if big {
		bigCap, err := generate(dir, 10*pdus)
		if err != nil {
			return err
		}
		bigC = &contender{name: "smppdump -q (10× PDUs)", capture: bigCap, pdus: 10 * pdus, argv: []string{bin, "-q", "-r", bigCap}}
		if err := warm(bigCap); err != nil {
			return err
		}
		wall, rss, err := measure(bigC.argv, nil)
		if err != nil {
			return err
		}
		bigC.res = result{wall: []time.Duration{wall}, rssKiB: []int64{rss}}
		st, _ := os.Stat(bigCap)
		bigC.size = st.Size()
	}
	report(os.Stdout, cs, bigC, rounds)
	return nil
}

// generate writes a bulk capture of n PDUs (cached by name in dir).
func generate(dir string, n int) (string, error) {
	path := filepath.Join(dir, fmt.Sprintf("bulk-%d.pcap", n))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	fmt.Fprintf(os.Stderr, "generating %d PDUs…\n", n)
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if _, err := smppgen.Bulk(bw, smppgen.BulkOptions{PDUs: n, Seed: 1}); err != nil {
		f.Close()
		return "", err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}

// warm reads the capture at path once, so that the run timed next finds it
// in the page cache: the runs are to compare work done, not the disk, and
// the run after a memory-hungry one (tshark keeps a gigabyte) would
// otherwise read its capture from disk while the others did not. A
// capture larger than the cache is read from disk all the same.
func warm(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.CopyBuffer(io.Discard, f, make([]byte, 1<<20))
	return err
}

// measure runs argv with output discarded and returns its wall time and
// peak resident memory.
func measure(argv, env []string) (time.Duration, int64, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout = io.Discard
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("%v: %s", err, stderr.String())
	}
	wall := time.Since(start)
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss // KiB on Linux
	}
	return wall, rss, nil
}

func report(w io.Writer, cs []*contender, bigC *contender, rounds int) {
	host, _ := os.Hostname()
	fmt.Fprintf(w, "\nMachine: %s, %s/%s, %d CPUs, %s; medians of %d alternated rounds.\n\n",
		host, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), rounds)
	fmt.Fprintln(w, "| run | capture PDUs | median wall | PDUs/s | MB/s | peak RSS |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	rate := map[string]float64{}
	for _, c := range cs {
		wall, rss := c.res.median()
		r := float64(c.pdus) / wall.Seconds()
		rate[c.name] = r
		fmt.Fprintf(w, "| %s | %d | %.2f s | %.0f | %.1f | %.0f MiB |\n", c.name, c.pdus, wall.Seconds(), r,
			float64(c.size)/1e6/wall.Seconds(), float64(rss)/1024)
	}
	if bigC != nil {
		wall, rss := bigC.res.median()
		fmt.Fprintf(w, "| %s | %d | %.2f s | %.0f | %.1f | %.0f MiB |\n", bigC.name, bigC.pdus, wall.Seconds(),
			float64(bigC.pdus)/wall.Seconds(), float64(bigC.size)/1e6/wall.Seconds(), float64(rss)/1024)
	}
	fmt.Fprintln(w)
	ratio := func(a, b string) {
		if rate[a] > 0 && rate[b] > 0 {
			fmt.Fprintf(w, "- %s vs %s: %.1f×\n", a, b, rate[a]/rate[b])
		}
	}
	ratio("smppdump -q (summary only)", "tshark -q -z smpp_commands,tree")
	ratio("smppdump --json", "tshark -T json")
	ratio("floor: read+reassemble+frame", "smppdump -q (summary only)")
	ratio("smppdump -q (summary only)", "smppdump -q, one core (GOMAXPROCS=1)")
}
