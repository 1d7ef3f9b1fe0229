package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/internal/tshark"
)

// binPath is the smppdump binary built once for the CLI tests.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "smppdump-cli")
	if err != nil {
		panic(err) // test setup: no recovery possible
	}
	binPath = filepath.Join(dir, "smppdump")
	if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const demo = "../../pcaps/demo.pcap"

// cli runs the real binary and returns stdout, stderr and the exit code.
func cli(t *testing.T, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return out.String(), errb.String(), code
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// pduLines keeps the per-PDU lines of the text view (they start with a
// time; gap lines are left out).
func pduLines(s string) []string {
	var out []string
	for _, l := range lines(s) {
		if len(l) > 8 && l[2] == ':' && l[5] == ':' && !strings.Contains(l, " GAP ") {
			out = append(out, l)
		}
	}
	return out
}

func TestCLIViews(t *testing.T) {
	out, _, code := cli(t, nil, "-r", demo, "--no-summary")
	require.Equal(t, 0, code)
	require.Len(t, pduLines(out), 50)
	require.NotContains(t, out, "\x1b[", "no colour when stdout is not a terminal")

	out, _, _ = cli(t, nil, "-r", demo, "--color=always", "--no-summary", "-c", "2")
	require.Contains(t, out, "\x1b[32mESME_ROK\x1b[0m")

	out, _, _ = cli(t, nil, "-r", demo, "-c", "3", "--no-summary")
	require.Len(t, pduLines(out), 3)

	out, _, _ = cli(t, nil, "-r", demo, "-q")
	require.Empty(t, pduLines(out))
	require.Contains(t, out, "50 PDUs in 4 connections")

	out, _, _ = cli(t, nil, "-r", demo, "-q", "--no-summary", "--summary")
	require.Contains(t, out, "50 PDUs")

	out, _, _ = cli(t, nil, "-r", demo, "-V", "-c", "3", "--no-summary")
	require.Contains(t, out, "Frame 8, 2026-03-02 09:00:00.052160")
	require.Contains(t, out, "    registered_delivery: 1 (0x01, receipt on success or failure)")
	require.Contains(t, out, `        Text: "Your code is 4711. Valid 10 min_"`)

	out, _, _ = cli(t, nil, "-r", demo, "--json", "-c", "1", "--no-summary")
	require.Len(t, lines(out), 1, "one PDU record; the run ended before any submit")
}

func TestCLISecretsAndRedaction(t *testing.T) {
	out, _, _ := cli(t, nil, "-r", demo, "-c", "1", "--no-summary")
	require.Contains(t, out, "password=********")
	out, _, _ = cli(t, nil, "-r", demo, "-c", "1", "--no-summary", "--show-secrets")
	require.Contains(t, out, "password=s3cret")
	out, _, _ = cli(t, nil, "-r", demo, "--no-summary", "--redact-text", "--redact-addr", "--command", "submit_sm", "-c", "3")
	require.Contains(t, out, "dst=1/1:*********123")
	require.Contains(t, out, `"[32 characters redacted]"`)
	require.NotContains(t, out, "4711")
	js, _, _ := cli(t, nil, "-r", demo, "--json", "--redact-text", "--redact-addr")
	require.NotContains(t, js, "4711")
	require.NotContains(t, js, "447700900123")
	require.NotContains(t, js, "s3cret")
}

func TestCLIFilters(t *testing.T) {
	for _, tc := range []struct {
		args []string
		n    int
		want string
	}{
		{[]string{"--command", "submit_sm_resp"}, 9, "submit_sm_resp"},
		{[]string{"--command", "bind_transmitter,bind_receiver"}, 3, "bind_"},
		{[]string{"--status", "error"}, 2, ""},
		{[]string{"--status", "ESME_RTHROTTLED"}, 1, "ESME_RTHROTTLED"},
		{[]string{"--status", "0x0e"}, 1, "ESME_RINVPASWD"},
		{[]string{"--status", "ok", "--command", "unbind_resp"}, 3, "unbind_resp"},
		{[]string{"--system-id", "acme_tx"}, 16, ""},
		{[]string{"--addr", "+491701234567"}, 8, "491701234567"}, // 3 parts, a submit, 4 receipts
		{[]string{"--message-id", "4F2A1C01"}, 2, "4f2a1c01"},
		{[]string{"--stream", "3"}, 2, "#3 "},
		{[]string{"--issues"}, 0, ""},
		{[]string{"--issues=warning"}, 0, ""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, errOut, code := cli(t, nil, append([]string{"-r", demo, "--no-summary"}, tc.args...)...)
			require.Equal(t, 0, code, errOut)
			got := pduLines(out)
			require.Len(t, got, tc.n, out)
			for _, l := range got {
				require.Contains(t, l, tc.want)
			}
		})
	}
}

func TestCLIFollow(t *testing.T) {
	out, _, code := cli(t, nil, "-r", demo, "--follow", "7c10aa02", "--no-summary")
	require.Equal(t, 0, code)
	require.Equal(t, []string{
		`message 7c10aa02 bind=acme_tx 447700900999 → 447700900000 "Meeting moved to 15:00"`,
		`  09:00:00.331240 #1 frame 57 submit_sm seq=3`,
		`  09:00:00.350280 #1 frame 59 submit_sm_resp ESME_ROK id=7c10aa02 +19.040ms`,
		`  09:00:06.722240 #2 frame 81 receipt stat=UNDELIV err=001 match=exact +6391.000ms`,
	}, lines(out))
}

func TestCLIExitStatus(t *testing.T) {
	_, _, code := cli(t, nil, "-r", demo, "-q", "--fail-on", "error")
	require.Equal(t, 0, code, "the demo has no error-severity issue")
	_, _, code = cli(t, nil, "-r", demo, "-q", "--fail-on", "info")
	require.Equal(t, 0, code, "nor any issue at all")

	s := newScenario(t)
	ss := s.session("10.9.0.7:41000", 0, false)
	s.bind(ss, 0x00000009, "x")
	s.smsc(ss, submitMsg("from the wrong side")) // SES-06
	bad := s.file()
	_, _, code = cli(t, nil, "-r", bad, "-q", "--fail-on", "error")
	require.Equal(t, 1, code)
	_, _, code = cli(t, nil, "-r", bad, "-q")
	require.Equal(t, 0, code, "issues alone do not fail without --fail-on")
}

func TestCLIErrors(t *testing.T) {
	dir := t.TempDir()
	notCapture := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(notCapture, []byte("hello, this is not a pcap file at all\n"), 0o644))
	full, err := os.ReadFile(demo)
	require.NoError(t, err)
	truncated := filepath.Join(dir, "cut.pcap")
	require.NoError(t, os.WriteFile(truncated, full[:len(full)/2+7], 0o644))

	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"missing file", []string{"-r", filepath.Join(dir, "nope.pcap")}, 2, "nope.pcap"},
		{"not a capture", []string{"-r", notCapture}, 2, "notes.txt"},
		{"truncated capture", []string{"-r", truncated, "-q"}, 2, "cut.pcap"},
		{"no input", nil, 2, "no capture given"},
		{"unknown flag", []string{"--bogus"}, 2, "unknown flag"},
		{"bad port", []string{"-r", demo, "-p", "70000"}, 2, "--port"},
		{"bad color", []string{"-r", demo, "--color", "pink"}, 2, "--color"},
		{"bad status", []string{"-r", demo, "--status", "ESME_RNOPE"}, 2, "--status"},
		{"bad command", []string{"-r", demo, "--command", "submit"}, 2, "--command"},
		{"bad severity", []string{"-r", demo, "--fail-on", "fatal"}, 2, "--fail-on"},
		{"json and verbose", []string{"-r", demo, "--json", "-V"}, 2, "pick one"},
		{"bad limit", []string{"-r", demo, "--max-messages", "0"}, 2, "limits must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := cli(t, nil, tc.args...)
			require.Equal(t, tc.code, code, errOut)
			require.Contains(t, errOut, tc.msg)
			require.Equal(t, 1, len(lines(errOut)), "one clear line: %q", errOut)
		})
	}
	// A truncated capture still yields what was readable.
	out, _, _ := cli(t, nil, "-r", truncated, "--no-summary")
	require.NotEmpty(t, pduLines(out))
}

func TestCLIStdinAndVersion(t *testing.T) {
	full, err := os.ReadFile(demo)
	require.NoError(t, err)
	out, _, code := cli(t, full, "-r", "-", "-q")
	require.Equal(t, 0, code)
	require.Contains(t, out, "50 PDUs")
	out, _, code = cli(t, nil, "--version")
	require.Equal(t, 0, code)
	require.True(t, strings.HasPrefix(out, "smppdump "))
	_, errOut, code := cli(t, nil, "-h")
	require.Equal(t, 0, code)
	require.Contains(t, errOut, "Filters")
}

func TestCLILimits(t *testing.T) {
	// With room for one waiting message, each new submit pushes the oldest
	// waiting one out early; the summary says how many.
	out, _, code := cli(t, nil, "-r", demo, "-q", "--json", "--max-messages", "1")
	require.Equal(t, 0, code)
	require.Contains(t, out, `"messages_evicted":5`)
	require.Contains(t, out, `"receipts_late":7`, "their receipts come after they were written out")
	require.Contains(t, out, `"receipts_duplicate":0`)
	out, _, _ = cli(t, nil, "-r", demo, "-q", "--json", "--receipt-timeout", "1s")
	require.Contains(t, out, `"messages_expired":0`, "sweeps run every 8192 PDUs; the demo is smaller")
	out, _, _ = cli(t, nil, "-r", demo, "--window", "2", "--issues", "--no-summary")
	require.Contains(t, out, "info:SES-13")
}

func TestCLIInterval(t *testing.T) {
	out, _, code := cli(t, nil, "-r", demo, "-q", "--no-summary", "--interval", "10s")
	require.Equal(t, 0, code)
	require.Equal(t, []string{
		"09:00:10.000000 INTERVAL 10s bind=acme tps=2.0 submits=7 ok=6 err=1 throttled=1 resp_p50=23.040ms resp_p99=31.040ms delivrd=1 window=3",
		"09:00:10.000000 INTERVAL 10s bind=acme_tx tps=1.6 submits=2 ok=2 err=0 throttled=0 resp_p50=17.040ms resp_p99=19.040ms delivrd=1 undeliv=1 window=1",
		"09:00:40.000000 INTERVAL 10s bind=acme tps=1.2 submits=0 ok=0 err=0 throttled=0 delivrd=4 window=1",
		"09:00:50.000000 INTERVAL 10s bind=acme tps=0.2 submits=0 ok=0 err=0 throttled=0 window=1",
	}, lines(out))
	_, errOut, code := cli(t, nil, "-r", demo, "--interval", "-1s")
	require.Equal(t, 2, code, errOut)
}

func TestCLIMetricsListen(t *testing.T) {
	cmd := exec.Command(binPath, "-r", demo, "-q", "--metrics-listen", "127.0.0.1:0", "--metrics-linger", "20s")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	cmd.Stdout = io.Discard
	require.NoError(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	sc := bufio.NewScanner(stderr)
	require.True(t, sc.Scan())
	line := sc.Text()
	require.Contains(t, line, "serving metrics on http://")
	url := line[strings.Index(line, "http://"):]
	// The run over the small capture finishes at once; the server lingers.
	body := scrapeUntil(t, url, "smppdump_capture_packets 124\n", 10*time.Second)
	require.Contains(t, body, `smppdump_pdus_total{bind="acme",command="submit_sm_resp",status="ESME_RTHROTTLED"} 1`)
	require.Contains(t, body, `smppdump_receipts_total{bind="acme_tx",stat="UNDELIV"} 1`)
	// SIGTERM ends the linger; the process exits cleanly.
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait())
}

func TestCLIWriteSelected(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		file string
		want int // PDUs read back
	}{
		{"errors to pcap", []string{"--status", "error"}, "err.pcap", 2},
		{"one bind to pcapng", []string{"--system-id", "acme_tx"}, "tx.pcapng", 16},
		{"everything", nil, "all.pcap", 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, tc.file)
			sel, errOut, code := cli(t, nil, append([]string{"-r", demo, "--no-summary", "-w", out}, tc.args...)...)
			require.Equal(t, 0, code, errOut)
			require.Contains(t, errOut, "wrote ")
			selected := pduLines(sel)
			require.Len(t, selected, tc.want)
			back, errOut, code := cli(t, nil, "-r", out, "--no-summary")
			require.Equal(t, 0, code, errOut)
			got := pduLines(back)
			require.Len(t, got, tc.want, "re-reading gives exactly the selected PDUs")
			// Same PDUs: compare the part of each line after the stream number
			// (streams and latencies depend on what else is in the file).
			for i := range got {
				require.Equal(t, pduCore(selected[i]), pduCore(got[i]))
			}
			if tshark.Available() {
				cmd := exec.Command("tshark", "-r", out)
				b, err := cmd.CombinedOutput()
				require.NoError(t, err, string(b))
			}
		})
	}
	// Standard input is spooled so that it can be copied too.
	full, err := os.ReadFile(demo)
	require.NoError(t, err)
	out := filepath.Join(dir, "stdin.pcap")
	_, errOut, code := cli(t, full, "-r", "-", "-q", "--command", "deliver_sm", "-w", out)
	require.Equal(t, 0, code, errOut)
	back, _, _ := cli(t, nil, "-r", out, "--no-summary")
	require.Len(t, pduLines(back), 7)
}

// pduCore is a text line from the command name on, without the latency
// and the issue list, which depend on what else the capture holds.
func pduCore(line string) string {
	f := strings.Fields(line)
	var keep []string
	for _, w := range f[5:] { // after time, src, >, dst, #N
		if strings.HasPrefix(w, "latency=") || strings.HasPrefix(w, "[") {
			continue
		}
		keep = append(keep, w)
	}
	return strings.Join(keep, " ")
}

func TestCLILiveErrors(t *testing.T) {
	_, errOut, code := cli(t, nil, "-i", "nonexistent0", "-q")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "nonexistent0")
	_, errOut, code = cli(t, nil, "-i", "lo", "-r", demo)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "exclude each other")
	_, errOut, code = cli(t, nil, "-r", demo, "-f", "tcp port 2775")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "-f filters live captures")

	// Without the capability, the error says which one is needed and
	// nothing else is printed.
	setpriv, err := exec.LookPath("setpriv")
	if os.Geteuid() != 0 || err != nil {
		t.Skip("needs root and setpriv to drop privileges")
	}
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", binPath, "-i", "lo", "-q")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, 2, ee.ExitCode())
	require.Contains(t, errb.String(), "needs root or CAP_NET_RAW")
	require.Empty(t, out.String())
}
