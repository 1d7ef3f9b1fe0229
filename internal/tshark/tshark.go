package tshark

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// EnvRequire names the environment variable that turns Require's skip into a
// failure when set to "1", so that CI cannot pass by skipping.
const EnvRequire = "SMPPDUMP_REQUIRE_TSHARK"

// ErrCutShort reports a capture file that ends inside a packet. tshark exits
// with status 2 but still dissects every complete packet: Dissect returns
// those PDUs together with an error wrapping ErrCutShort.
var ErrCutShort = errors.New("tshark: capture file cut short")

// Options say how to run tshark.
type Options struct {
	// Ports get "-d tcp.port==P,smpp" each: tshark 4.0 has no default SMPP
	// port, so without Ports only the heuristic finds SMPP.
	Ports []int
	// OutOfOrder sets tcp.reassemble_out_of_order to TRUE (FALSE otherwise),
	// so that a PDU whose segments arrive out of order is still
	// reassembled.
	OutOfOrder bool
	// Heuristic leaves tshark's heuristic SMPP-over-TCP dissector
	// (smpp_tcp) on. When false both SMPP heuristics (smpp_tcp and
	// smpp_x25) are disabled and only Ports are dissected.
	Heuristic bool
	// DefaultAlphabet is the value of smpp.decode_sms_over_smpp, the
	// alphabet tshark decodes data_coding 0 with. "" means "GSM 7-bit"
	// (unpacked, as smppdump decodes it); "None", tshark's own default,
	// prints no smpp.message_text for data_coding 0.
	DefaultAlphabet string
	// Raw adds -x so that PDU.Raw holds each PDU's bytes. It triples the
	// size of tshark's output.
	Raw bool
	// Extra arguments go before the final "-Y smpp". They must not repeat
	// -r, -T or -Y.
	Extra []string
}

// Available reports whether tshark is on PATH.
func Available() bool {
	_, err := exec.LookPath("tshark")
	return err == nil
}

// Require skips the test when tshark is not on PATH, or fails it when the
// environment variable SMPPDUMP_REQUIRE_TSHARK is "1".
func Require(t testing.TB) {
	t.Helper()
	if Available() {
		return
	}
	if os.Getenv(EnvRequire) == "1" {
		t.Fatalf("tshark: not on PATH and %s=1", EnvRequire)
		return
	}
	t.Skip("tshark: not on PATH")
}

// Version returns the first line of "tshark --version", e.g.
// "TShark (Wireshark) 4.0.17 (Git v4.0.17 packaged as 4.0.17-0+deb12u3).".
func Version(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "tshark", "--version").Output()
	if err != nil {
		return "", fmt.Errorf("tshark: --version: %w", err)
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line), nil
}

// Args returns the arguments Dissect passes to tshark for pcapPath:
//
//	-n -r FILE -T json [-x] -o tcp.reassemble_out_of_order:TRUE|FALSE
//	-o smpp.decode_sms_over_smpp:ALPHABET
//	(--disable-heuristic smpp_tcp --disable-heuristic smpp_x25 | --enable-heuristic smpp_tcp)
//	-d tcp.port==P,smpp ... EXTRA... -Y smpp
func (o Options) Args(pcapPath string) ([]string, error) {
	args := []string{"-n", "-r", pcapPath, "-T", "json"}
	if o.Raw {
		args = append(args, "-x")
	}
	ooo := "FALSE"
	if o.OutOfOrder {
		ooo = "TRUE"
	}
	alphabet := o.DefaultAlphabet
	if alphabet == "" {
		alphabet = "GSM 7-bit"
	}
	args = append(args,
		"-o", "tcp.reassemble_out_of_order:"+ooo,
		"-o", "smpp.decode_sms_over_smpp:"+alphabet)
	if o.Heuristic {
		args = append(args, "--enable-heuristic", "smpp_tcp")
	} else {
		args = append(args, "--disable-heuristic", "smpp_tcp", "--disable-heuristic", "smpp_x25")
	}
	seen := map[int]bool{}
	for _, p := range o.Ports {
		if p < 1 || p > 65535 {
			return nil, fmt.Errorf("tshark: port %d out of range", p)
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		args = append(args, "-d", "tcp.port=="+strconv.Itoa(p)+",smpp")
	}
	args = append(args, o.Extra...)
	return append(args, "-Y", "smpp"), nil
}

// Dissect runs tshark on pcapPath and returns the SMPP PDUs it dissects, in
// frame order and, within a frame, in stream order.
//
// tshark runs with HOME and XDG_CONFIG_HOME pointing at an empty temporary
// directory, so that a personal Wireshark profile (preferences, decode-as
// entries, enabled heuristics) cannot change the result.
func Dissect(ctx context.Context, pcapPath string, o Options) ([]PDU, error) {
	if _, err := os.Stat(pcapPath); err != nil {
		return nil, fmt.Errorf("tshark: %w", err)
	}
	args, err := o.Args(pcapPath)
	if err != nil {
		return nil, err
	}
	bin, err := exec.LookPath("tshark")
	if err != nil {
		return nil, fmt.Errorf("tshark: %w", err)
	}
	home, err := os.MkdirTemp("", "smppdump-tshark-")
	if err != nil {
		return nil, fmt.Errorf("tshark: %w", err)
	}
	defer os.RemoveAll(home)

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(runCtx, bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("tshark: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("tshark: %w", err)
	}
	pdus, perr := parse(stdout)
	if perr != nil {
		cancel() // stop tshark; Wait then reaps it
	}
	werr := cmd.Wait()
	msg := stderrMessage(stderr.String())
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("tshark: %w", context.Cause(ctx))
	case perr != nil:
		return nil, fmt.Errorf("%w (tshark said: %s)", perr, msg)
	case werr != nil:
		if strings.Contains(msg, "cut short") {
			return pdus, fmt.Errorf("%w: %s", ErrCutShort, msg)
		}
		return nil, fmt.Errorf("tshark: %w: %s", werr, msg)
	}
	return pdus, nil
}

// stderrMessage drops tshark's "Running as user root" warning and keeps the
// rest of its standard error on one line.
func stderrMessage(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "Running as user") {
			continue
		}
		keep = append(keep, l)
	}
	if len(keep) == 0 {
		return "no message"
	}
	return strings.Join(keep, "; ")
}

// PublicCaptures returns the directory of the public SMPP captures,
// shared/pcaps/public next to the repository, found by walking up from the
// current directory (a test's package directory). It skips the test when
// there is none.
func PublicCaptures(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	for {
		p := filepath.Join(dir, "shared", "pcaps", "public")
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("tshark: no shared/pcaps/public above the package directory")
			return ""
		}
		dir = parent
	}
}
