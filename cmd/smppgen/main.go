// Smppgen writes synthetic SMPP captures: the demo capture of pcaps/ and
// fixtures for tests and benchmarks.
//
// Usage:
//
//	smppgen demo > pcaps/demo.pcap
//	smppgen bulk -n 1000000 > big.pcap
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"

	"smppdump.dev/smppdump/internal/smppgen"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage:
  smppgen demo > FILE.pcap                       the demo capture of pcaps/
  smppgen bulk [-n PDUS] [-binds N] [-tps N] [-seed N] > FILE.pcap
                                                 a busy link, for benchmarks`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	bw := bufio.NewWriterSize(stdout, 1<<20)
	switch args[0] {
	case "demo":
		if len(args) != 1 {
			fmt.Fprintln(stderr, usage)
			return 2
		}
		if err := smppgen.Demo(bw); err != nil {
			fmt.Fprintf(stderr, "smppgen: %v\n", err)
			return 1
		}
	case "bulk":
		fs := flag.NewFlagSet("bulk", flag.ContinueOnError)
		fs.SetOutput(stderr)
		var o smppgen.BulkOptions
		fs.IntVar(&o.PDUs, "n", 1000000, "PDUs to write (at least)")
		fs.IntVar(&o.Binds, "binds", 8, "transceiver binds")
		fs.IntVar(&o.TPS, "tps", 2000, "submits per second across the binds")
		fs.Uint64Var(&o.Seed, "seed", 1, "random seed")
		if err := fs.Parse(args[1:]); err != nil {
			return 2
		}
		n, err := smppgen.Bulk(bw, o)
		if err != nil {
			fmt.Fprintf(stderr, "smppgen: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "smppgen: %d PDUs\n", n)
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	if err := bw.Flush(); err != nil {
		fmt.Fprintf(stderr, "smppgen: %v\n", err)
		return 1
	}
	return 0
}
