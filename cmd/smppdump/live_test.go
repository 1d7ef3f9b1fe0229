package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/decode"
)

// smsc is a tiny SMPP server for live tests: it answers binds, submits
// (with a message id), enquire_links and unbinds, and sends a receipt for
// every submit that asks for one.
func smsc(t testing.TB, ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			r := bufio.NewReader(c)
			w := bufio.NewWriter(c)
			var seq uint32 = 1000
			n := 0
			for {
				var hdr [16]byte
				if _, err := io.ReadFull(r, hdr[:]); err != nil {
					return
				}
				l := binary.BigEndian.Uint32(hdr[:])
				body := make([]byte, l-16)
				if _, err := io.ReadFull(r, body); err != nil {
					return
				}
				p := decode.Decode(append(hdr[:], body...), decode.Options{})
				var out []*decode.PDU
				switch p.ID {
				case decode.BindTransceiver:
					out = append(out, decode.New(decode.BindTransceiverResp, 0, p.Seq).SetString(decode.FieldSystemID, "SMSC").
						AddTLVInt(decode.TagSCInterfaceVersion, 0x34))
				case decode.SubmitSM:
					n++
					id := fmt.Sprintf("m%d", n)
					out = append(out, decode.New(decode.SubmitSMResp, 0, p.Seq).SetString(decode.FieldMessageID, id))
					seq++
					out = append(out, decode.New(decode.DeliverSM, 0, seq).SetInt(decode.FieldESMClass, 4).
						SetString(decode.FieldDestinationAddr, "LIVE").
						SetString(decode.FieldShortMessage, "id:"+id+" sub:001 dlvrd:001 submit date:2601010000 done date:2601010000 stat:DELIVRD err:000 text:").
						AddTLVString(decode.TagReceiptedMessageID, id).AddTLVInt(decode.TagMessageState, 2))
				case decode.EnquireLink:
					out = append(out, decode.New(decode.EnquireLinkResp, 0, p.Seq))
				case decode.Unbind:
					out = append(out, decode.New(decode.UnbindResp, 0, p.Seq))
				}
				for _, q := range out {
					b, _ := q.Marshal()
					_, _ = w.Write(b)
				}
				if err := w.Flush(); err != nil {
					return
				}
			}
		}()
	}
}

// esme binds, submits n messages (acknowledging each receipt), and unbinds.
func esme(t testing.TB, addr string, n int, stop <-chan struct{}) (sent int) {
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	send := func(p *decode.PDU) {
		b, err := p.Marshal()
		require.NoError(t, err)
		_, err = w.Write(b)
		require.NoError(t, err)
	}
	read := func() *decode.PDU {
		var hdr [16]byte
		_, err := io.ReadFull(r, hdr[:])
		require.NoError(t, err)
		body := make([]byte, binary.BigEndian.Uint32(hdr[:])-16)
		_, err = io.ReadFull(r, body)
		require.NoError(t, err)
		return decode.Decode(append(hdr[:], body...), decode.Options{})
	}
	send(decode.New(decode.BindTransceiver, 0, 1).SetString(decode.FieldSystemID, "live").SetInt(decode.FieldInterfaceVersion, 0x34))
	require.NoError(t, w.Flush())
	require.Equal(t, decode.BindTransceiverResp, read().ID)
	seq := uint32(2)
	for i := 0; n < 0 || i < n; i++ {
		select {
		case <-stop:
			n = 0
		default:
		}
		if n == 0 {
			break
		}
		send(decode.New(decode.SubmitSM, 0, seq).SetString(decode.FieldDestinationAddr, "4477009"+strconv.Itoa(i%1000)).
			SetInt(decode.FieldRegisteredDelivery, 1).SetString(decode.FieldShortMessage, "live test message"))
		seq++
		require.NoError(t, w.Flush())
		require.Equal(t, decode.SubmitSMResp, read().ID)
		dlr := read()
		require.Equal(t, decode.DeliverSM, dlr.ID)
		send(decode.New(decode.DeliverSMResp, 0, dlr.Seq))
		sent++
	}
	send(decode.New(decode.EnquireLink, 0, seq))
	send(decode.New(decode.Unbind, 0, seq+1))
	require.NoError(t, w.Flush())
	require.Equal(t, decode.EnquireLinkResp, read().ID)
	require.Equal(t, decode.UnbindResp, read().ID)
	return sent
}

// startLive starts the binary capturing on lo and waits until it listens.
func startLive(t *testing.T, args ...string) (*exec.Cmd, *strings.Builder, *bufio.Scanner) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("live capture needs root (CAP_NET_RAW); CI runs as root")
	}
	cmd := exec.Command(binPath, append([]string{"-i", "lo"}, args...)...)
	var out strings.Builder
	cmd.Stdout = &out
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	return cmd, &out, sc
}

// waitLine reads stderr lines until one contains want, and returns it.
func waitLine(t *testing.T, sc *bufio.Scanner, want string) string {
	t.Helper()
	for sc.Scan() {
		if strings.Contains(sc.Text(), want) {
			return sc.Text()
		}
	}
	t.Fatalf("no stderr line with %q", want)
	return ""
}

// A real SMPP exchange over loopback, captured live: the metrics and the
// final summary count every PDU.
func TestLiveCaptureMetrics(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go smsc(t, ln)
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)

	cmd, out, sc := startLive(t, "-p", port, "--no-heuristic", "-q", "--json", "--metrics-listen", "127.0.0.1:0")
	line := waitLine(t, sc, "serving metrics on http://")
	url := line[strings.Index(line, "http://"):]
	waitLine(t, sc, "listening on lo")
	go func() { // drain the rest of stderr
		for sc.Scan() {
		}
	}()

	const n = 50
	require.Equal(t, n, esme(t, ln.Addr().String(), n, nil))
	// 2 bind + 2n submit/resp + 2n receipt/resp + 2 enquire_link + 2 unbind
	const want = 2 + 4*n + 4
	body := scrapeUntil(t, url, `smppdump_receipts_total{bind="live",stat="DELIVRD"} 50`+"\n", 20*time.Second)
	require.Contains(t, body, fmt.Sprintf(`smppdump_pdus_total{bind="live",command="submit_sm",status=""} %d`+"\n", n))
	require.Contains(t, body, fmt.Sprintf(`smppdump_response_latency_seconds_count{bind="live",command="submit_sm",status="ESME_ROK"} %d`+"\n", n))
	require.Contains(t, body, "smppdump_capture_drops 0\n")

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait())
	require.Contains(t, out.String(), fmt.Sprintf(`"pdus":%d,`, want), "no PDU missed")
	require.Contains(t, out.String(), fmt.Sprintf(`"receipts_matched":%d,`, n))
}

// TestLiveSoak drives the loopback pair as fast as it goes for
// SMPPDUMP_SOAK (a duration, e.g. 2m) while smppdump captures, and logs the
// rate handled, drops and peak memory. It runs only when asked.
func TestLiveSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("SMPPDUMP_SOAK"))
	if err != nil || d <= 0 {
		t.Skip("set SMPPDUMP_SOAK=2m to run the live soak test")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go smsc(t, ln)
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	cmd, out, sc := startLive(t, "-p", port, "--no-heuristic", "-q", "--json")
	waitLine(t, sc, "listening on lo")
	var errLines []string
	var mu sync.Mutex
	go func() {
		for sc.Scan() {
			mu.Lock()
			errLines = append(errLines, sc.Text())
			mu.Unlock()
		}
	}()
	stop := make(chan struct{})
	time.AfterFunc(d, func() { close(stop) })
	start := time.Now()
	var total int
	var wg sync.WaitGroup
	var tmu sync.Mutex
	for range 4 { // four ESMEs in parallel
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := esme(t, ln.Addr().String(), -1, stop)
			tmu.Lock()
			total += k
			tmu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	time.Sleep(time.Second)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait())
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	pdus := 4 * (2 + 4) // binds, enquire_links, unbinds and their responses
	pdus += 4 * total
	t.Logf("soak: %d messages (%d PDUs) in %s: %.0f PDUs/s offered; peak RSS %d MiB", total, pdus, elapsed.Round(time.Millisecond),
		float64(pdus)/elapsed.Seconds(), ru.Maxrss/1024)
	mu.Lock()
	t.Logf("stderr: %s", strings.Join(errLines, " | "))
	mu.Unlock()
	require.Contains(t, out.String(), fmt.Sprintf(`"pdus":%d,`, pdus), "every PDU seen")
}

// A live capture with -w and --rotate is written as it goes, through the
// bounded write queue: files are closed while the capture runs (once
// their packets are older than the write window, by the wall clock when
// traffic stops); every PDU is in the files, each within the size.
func TestLiveCaptureRotate(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go smsc(t, ln)
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	dir := t.TempDir()
	cmd, out, sc := startLive(t, "-p", port, "--no-heuristic", "-q", "--json", "-w", filepath.Join(dir, "live.pcap"), "--rotate", "8kB")
	waitLine(t, sc, "listening on lo")
	var errLines []string
	var mu sync.Mutex
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for sc.Scan() {
			mu.Lock()
			errLines = append(errLines, sc.Text())
			mu.Unlock()
		}
	}()

	const n = 40
	require.Equal(t, n, esme(t, ln.Addr().String(), n, nil))
	const want = 2 + 4*n + 4
	start := time.Now()
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(errLines) > 0
	}, writeWindowAge+10*time.Second, 100*time.Millisecond, "no file closed while capturing")
	mu.Lock()
	require.Contains(t, errLines[0], "wrote ")
	mu.Unlock()
	t.Logf("first file closed %s after the traffic stopped", time.Since(start).Round(100*time.Millisecond))
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait())
	<-drained
	require.Contains(t, out.String(), fmt.Sprintf(`"pdus":%d,`, want), "no PDU missed")

	files := rotatedFiles(t, dir, "live.pcap")
	require.Greater(t, len(files), 1)
	written := 0
	args := []string{"--no-summary", "--json", "-p", port, "--no-heuristic"}
	for _, f := range files {
		st, err := os.Stat(f)
		require.NoError(t, err)
		require.LessOrEqual(t, st.Size(), int64(8000), f)
		k := len(frameTimes(t, f))
		written += k
		if m := tsharkFrames(t, f); m >= 0 {
			require.Equal(t, k, m, f)
		}
		args = append(args, "-r", f)
	}
	mu.Lock()
	require.Len(t, errLines, len(files), "one line per file: %q", errLines)
	mu.Unlock()
	recs := runJSON(t, args...)
	require.Len(t, recs["pdu"], want, "the files hold every PDU")
	t.Logf("live -w --rotate 8kB: %d PDUs, %d packets written to %d files", want, written, len(files))
}
