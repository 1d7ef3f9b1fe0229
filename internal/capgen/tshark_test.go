package capgen

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Wireshark expert-info severities as tshark prints them.
const (
	tsharkWarn  = "6291456"
	tsharkError = "8388608"
)

// requireTshark returns the path of tshark, skipping the test when it is
// missing unless SMPPDUMP_REQUIRE_TSHARK=1 demands it.
func requireTshark(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("SMPPDUMP_REQUIRE_TSHARK") == "1" {
			t.Fatalf("tshark required (SMPPDUMP_REQUIRE_TSHARK=1) but not found: %v", err)
		}
		t.Skip("tshark not on PATH")
	}
	return path
}

// tsharkFrame is one line of tshark's field output.
type tsharkFrame struct {
	protocols string
	severity  string
	message   string
}

// runTshark dissects file with checksum validation on and returns one entry
// per frame. It fails the test on a non-zero exit or unexpected stderr.
func runTshark(t *testing.T, tshark, file string) []tsharkFrame {
	t.Helper()
	cmd := exec.Command(tshark, "-r", file, "-n",
		"-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
		"-T", "fields", "-E", "separator=/t",
		"-e", "frame.number", "-e", "frame.protocols", "-e", "_ws.expert.severity", "-e", "_ws.expert.message")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "tshark failed: %s", stderr.String())
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if line != "" && !strings.HasPrefix(line, "Running as user") {
			t.Fatalf("tshark stderr: %s", stderr.String())
		}
	}
	var frames []tsharkFrame
	for _, line := range strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n") {
		f := strings.Split(line, "\t")
		require.Len(t, f, 4, "tshark line %q", line)
		require.Equal(t, fmt.Sprint(len(frames)+1), f[0])
		frames = append(frames, tsharkFrame{protocols: f[1], severity: f[2], message: f[3]})
	}
	return frames
}

func TestTsharkOpensCaptures(t *testing.T) {
	tshark := requireTshark(t)
	type scenario struct {
		name string
		// write fills w and reports whether tshark may flag warnings
		// (retransmissions, lost segments, zero windows).
		write func(t *testing.T, w *Writer) (warnings bool)
	}
	clean := scenario{"clean", func(t *testing.T, w *Writer) bool {
		writeSampleConversation(t, w, false)
		c6 := newTestConn(t, w, client6, server6)
		require.NoError(t, c6.Handshake(w.Last().Add(time.Millisecond)))
		_, err := c6.Send(w.Last().Add(time.Millisecond), false, pattern(5000))
		require.NoError(t, err)
		require.NoError(t, c6.Close(w.Last().Add(time.Millisecond), false))
		return false
	}}
	tricky := scenario{"tricky", func(t *testing.T, w *Writer) bool {
		c := newTestConn(t, w, client4, server4, WithISN(0xfffffff0, 0xffffffff),
			WithMirror(mustAddrPort(t, "192.0.2.1:5000"), mustAddrPort(t, "192.0.2.2:2775"), 3*time.Microsecond))
		require.NoError(t, c.Handshake(t0))
		_, err := c.SendSegments(t0.Add(time.Millisecond), true, pattern(64), []int{3, 16})
		require.NoError(t, err)
		segs, err := c.Segments(t0.Add(2*time.Millisecond), false, pattern(30), []int{10, 20})
		require.NoError(t, err)
		_, err = c.Write(segs[0], segs[2].At(t0.Add(2*time.Millisecond+SegmentGap)))
		require.NoError(t, err)
		_, err = c.Retransmit(t0.Add(3*time.Millisecond), segs[1])
		require.NoError(t, err)
		_, err = c.KeepAlive(t0.Add(4*time.Millisecond), true, true)
		require.NoError(t, err)
		_, err = c.ZeroWindowProbe(t0.Add(5*time.Millisecond), true, 'x')
		require.NoError(t, err)
		_, err = c.Send(t0.Add(6*time.Millisecond), true, []byte("xyz"))
		require.NoError(t, err)
		more, err := c.Segments(t0.Add(7*time.Millisecond), true, pattern(300), []int{})
		require.NoError(t, err)
		_, err = c.WriteFragmented(more[0], 4)
		require.NoError(t, err)
		require.NoError(t, c.Reset(t0.Add(8*time.Millisecond), false))
		return true
	}}
	for _, sc := range []scenario{clean, tricky} {
		for _, link := range LinkTypes() {
			for _, format := range []Format{PCAP, PCAPNG} {
				t.Run(fmt.Sprintf("%s/%v/%v", sc.name, link, format), func(t *testing.T) {
					t.Parallel()
					w, buf := newTestWriter(t, Options{Link: link, Format: format})
					warnings := sc.write(t, w)
					require.NoError(t, w.Close())
					file := filepath.Join(t.TempDir(), "capture."+format.String())
					require.NoError(t, os.WriteFile(file, buf.Bytes(), 0o644))

					frames := runTshark(t, tshark, file)
					require.Len(t, frames, w.Frames())
					tcp := 0
					for i, f := range frames {
						require.NotContains(t, f.severity, tsharkError, "frame %d: %s", i+1, f.message)
						if !warnings {
							require.NotContains(t, f.severity, tsharkWarn, "frame %d: %s", i+1, f.message)
						}
						if strings.HasSuffix(f.protocols, ":tcp") || strings.Contains(f.protocols, ":tcp:") {
							tcp++
						}
					}
					require.Greater(t, tcp, 10)
				})
			}
		}
	}
}

// TestTsharkFlagsCorruption is the negative control for
// TestTsharkOpensCaptures: a frame with a broken TCP checksum must be
// reported, proving that the checks there are live.
func TestTsharkFlagsCorruption(t *testing.T) {
	tshark := requireTshark(t)
	w, buf := newTestWriter(t, Options{})
	c := newTestConn(t, w, client4, server4)
	p, err := c.RenderSegment(c.AckSegment(t0, true))
	require.NoError(t, err)
	p.Data[14+20+16] ^= 0x55 // TCP checksum, high byte
	_, err = w.WritePacket(p)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	file := filepath.Join(t.TempDir(), "bad.pcap")
	require.NoError(t, os.WriteFile(file, buf.Bytes(), 0o644))
	frames := runTshark(t, tshark, file)
	require.Len(t, frames, 1)
	require.Contains(t, frames[0].severity, tsharkError, frames[0].message)
}
