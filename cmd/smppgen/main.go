// Smppgen writes synthetic SMPP captures: the demo capture of pcaps/ and
// fixtures for tests and benchmarks.
//
// Usage:
//
//	smppgen demo > pcaps/demo.pcap
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"smppdump.dev/smppdump/internal/smppgen"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] != "demo" {
		fmt.Fprintln(stderr, "usage: smppgen demo > FILE.pcap")
		return 2
	}
	bw := bufio.NewWriter(stdout)
	if err := smppgen.Demo(bw); err != nil {
		fmt.Fprintf(stderr, "smppgen: %v\n", err)
		return 1
	}
	if err := bw.Flush(); err != nil {
		fmt.Fprintf(stderr, "smppgen: %v\n", err)
		return 1
	}
	return 0
}
