package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/internal/smppgen"
	"smppdump.dev/smppdump/internal/tshark"
	"smppdump.dev/smppdump/reassembly"
)

func TestParseRotate(t *testing.T) {
	for _, tc := range []struct {
		in    string
		size  int64
		every time.Duration
		err   string
	}{
		{in: "100MB", size: 100_000_000},
		{in: "100M", size: 100_000_000},
		{in: "500k", size: 500_000},
		{in: "500K", size: 500_000},
		{in: "64KiB", size: 65536},
		{in: "1GiB", size: 1 << 30},
		{in: "1.5GB", size: 1_500_000_000},
		{in: "2kib", size: 2048},
		{in: "4096B", size: 4096},
		{in: "1h", every: time.Hour},
		{in: "15m", every: 15 * time.Minute}, // m is minutes, never megabytes
		{in: "90s", every: 90 * time.Second},
		{in: "100", err: "needs a unit"},
		{in: "0s", err: "positive"},
		{in: "0MB", err: "at least 1 byte"},
		{in: "-5MB", err: "neither"},
		{in: "5parsecs", err: "neither"},
		{in: "", err: "neither"},
		{in: "MB", err: "neither"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			r, err := parseRotate(tc.in)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, rotation{size: tc.size, every: tc.every}, r)
		})
	}
}

func TestRotatedNameAndBoundary(t *testing.T) {
	at := time.Date(2026, 11, 27, 3, 22, 0, 123, time.FixedZone("X", 3600))
	require.Equal(t, "out-000001-20261127T022200Z.pcap", rotatedName("out.pcap", 1, at))
	require.Equal(t, "dir/x.y-000012-20261127T022200Z.pcapng", rotatedName("dir/x.y.pcapng", 12, at))
	require.Equal(t, "noext-1234567-20261127T022200Z", rotatedName("noext", 1234567, at))
	for _, tc := range []struct {
		t     time.Time
		every time.Duration
		want  time.Time
	}{
		{time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), time.Hour, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)},
		{time.Date(2026, 3, 2, 9, 59, 59, 999, time.UTC), time.Hour, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)},
		{time.Date(2026, 3, 2, 9, 7, 1, 0, time.UTC), 15 * time.Minute, time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC)},
		{time.Date(1969, 12, 31, 23, 30, 0, 0, time.UTC), time.Hour, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		require.True(t, tc.want.Equal(boundaryAfter(tc.t, tc.every)), "%v %v: got %v", tc.t, tc.every, boundaryAfter(tc.t, tc.every))
	}
}

// bulkCapture writes a busy link of pdus PDUs at tps submits/s.
func bulkCapture(t *testing.T, pdus, tps int) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	_, err := smppgen.Bulk(&buf, smppgen.BulkOptions{PDUs: pdus, Binds: 3, TPS: tps, Seed: 7})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "bulk.pcap")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	return path, buf.Bytes()
}

// rotatedFiles lists the files of -w dir/base.ext's rotation, in order.
func rotatedFiles(t *testing.T, dir, base string) []string {
	t.Helper()
	ext := filepath.Ext(base)
	re := regexp.MustCompile("^" + regexp.QuoteMeta(strings.TrimSuffix(base, ext)) + `-\d{6}-\d{8}T\d{6}Z` + regexp.QuoteMeta(ext) + "$")
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range ents {
		if re.MatchString(e.Name()) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out
}

// frameTimes reads the capture times of a file's frames.
func frameTimes(t *testing.T, path string) []time.Time {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	fr, err := reassembly.NewFrameReader(path, f)
	require.NoError(t, err)
	var out []time.Time
	for {
		fm, err := fr.Next()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		out = append(out, fm.Info.Timestamp)
	}
}

// tsharkFrames returns how many frames tshark reads in path, or -1 when
// tshark is not installed (a failure under SMPPDUMP_REQUIRE_TSHARK=1).
func tsharkFrames(t *testing.T, path string) int {
	t.Helper()
	if !tshark.Available() {
		require.NotEqual(t, "1", os.Getenv(tshark.EnvRequire), "tshark is required")
		return -1
	}
	cmd := exec.Command("tshark", "-r", path, "-T", "fields", "-e", "frame.number")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	require.NoError(t, err, "tshark -r %s: %s", path, errb.String())
	return len(lines(string(out)))
}

// Size rotation cuts the selected packets into files no bigger than the
// size, each a capture of its own; together they hold the selected PDUs
// in order, and standard input makes the same files.
func TestCLIRotateSize(t *testing.T) {
	src, raw := bulkCapture(t, 3000, 40)
	for _, tc := range []struct {
		name   string
		file   string
		rotate string
		limit  int64
		filter []string
	}{
		{"pcap, submits", "rot.pcap", "20kB", 20_000, []string{"--command", "submit_sm"}},
		{"pcapng, everything", "rot.pcapng", "64KiB", 64 << 10, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"--no-summary", "-w", filepath.Join(dir, tc.file), "--rotate", tc.rotate}, tc.filter...)
			sel, errOut, code := cli(t, nil, append([]string{"-r", src}, args...)...)
			require.Equal(t, 0, code, errOut)
			selected := pduLines(sel)
			files := rotatedFiles(t, dir, tc.file)
			require.Greater(t, len(files), 2, errOut)
			require.Len(t, lines(errOut), len(files), "one line per file: %s", errOut)
			var readBack []string
			all := []string{"--no-summary"}
			for i, f := range files {
				st, err := os.Stat(f)
				require.NoError(t, err)
				require.LessOrEqual(t, st.Size(), tc.limit, f)
				times := frameTimes(t, f)
				require.NotEmpty(t, times)
				require.Equal(t, filepath.Base(rotatedName(tc.file, i+1, times[0])), filepath.Base(f))
				require.Contains(t, errOut, "wrote "+strconv.Itoa(len(times))+" packets to "+f+"\n")
				if n := tsharkFrames(t, f); n >= 0 {
					require.Equal(t, len(times), n, "tshark reads every frame of %s", f)
				}
				out, e, code := cli(t, nil, append([]string{"-r", f, "--no-summary"}, tc.filter...)...)
				require.Equal(t, 0, code, e)
				readBack = append(readBack, pduLines(out)...)
				all = append(all, "-r", f)
			}
			require.Len(t, readBack, len(selected), "each file alone holds whole PDUs")
			out, e, code := cli(t, nil, append(all, tc.filter...)...)
			require.Equal(t, 0, code, e)
			// The same PDUs in the same order on each connection (across
			// connections, reassembly of a capture with holes, as the
			// selection leaves, may deliver in another order).
			require.Equal(t, byConnection(selected), byConnection(pduLines(out)))

			// Standard input streams through the write queue: same files.
			dir2 := t.TempDir()
			args[2] = filepath.Join(dir2, tc.file)
			_, errOut, code = cli(t, raw, append([]string{"-r", "-"}, args...)...)
			require.Equal(t, 0, code, errOut)
			files2 := rotatedFiles(t, dir2, tc.file)
			require.Len(t, files2, len(files))
			for i := range files {
				require.Equal(t, filepath.Base(files[i]), filepath.Base(files2[i]))
				a, err := os.ReadFile(files[i])
				require.NoError(t, err)
				b, err := os.ReadFile(files2[i])
				require.NoError(t, err)
				require.True(t, bytes.Equal(a, b), "%s differs when read from stdin", files2[i])
			}
		})
	}
}

// byConnection groups PDU lines by connection (source and destination),
// as pduCore, in order.
func byConnection(pduLines []string) map[string][]string {
	out := map[string][]string{}
	for _, l := range pduLines {
		f := strings.Fields(l)
		out[f[1]+f[2]+f[3]] = append(out[f[1]+f[2]+f[3]], pduCore(l))
	}
	return out
}

// Duration rotation cuts on multiples of the duration in capture time:
// every file's frames lie within one aligned period, and a file starts at
// the first frame of its period.
func TestCLIRotateDuration(t *testing.T) {
	src, raw := bulkCapture(t, 1500, 5) // about 75 s of capture: frames leave the write queue by age
	dir := t.TempDir()
	const every = 15 * time.Second
	_, errOut, code := cli(t, nil, "-r", src, "-q", "--no-summary", "-w", filepath.Join(dir, "d.pcap"), "--rotate", "15s")
	require.Equal(t, 0, code, errOut)
	files := rotatedFiles(t, dir, "d.pcap")
	require.GreaterOrEqual(t, len(files), 5, errOut)
	require.Equal(t, "d-000001-20260302T090000Z.pcap", filepath.Base(files[0]))
	var prev time.Time
	total := 0
	for i, f := range files {
		times := frameTimes(t, f)
		require.NotEmpty(t, times)
		start := times[0].Truncate(every)
		require.Equal(t, filepath.Base(rotatedName("d.pcap", i+1, times[0])), filepath.Base(f))
		for _, ts := range times {
			require.False(t, ts.Before(start) || !ts.Before(start.Add(every)), "%s: %v outside [%v, %v)", f, ts, start, start.Add(every))
		}
		if i > 0 {
			require.True(t, start.After(prev), "%s starts a later period", f)
		}
		prev = start
		total += len(times)
	}
	all, _, code := cli(t, nil, "-r", src, "-q", "--no-summary", "-w", filepath.Join(dir, "all.pcap"))
	require.Equal(t, 0, code, all)
	require.Len(t, frameTimes(t, filepath.Join(dir, "all.pcap")), total, "the files hold every selected packet")

	// Standard input, streamed, makes the same files.
	dirIn := t.TempDir()
	_, errIn, code := cli(t, raw, "-r", "-", "-q", "--no-summary", "-w", filepath.Join(dirIn, "d.pcap"), "--rotate", "15s")
	require.Equal(t, 0, code, errIn)
	require.Equal(t, strings.ReplaceAll(errOut, dir, dirIn), errIn)
	for _, f := range files {
		a, err := os.ReadFile(f)
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(dirIn, filepath.Base(f)))
		require.NoError(t, err)
		require.True(t, bytes.Equal(a, b), "%s differs when read from stdin", f)
	}

	// --rotate-keep: only the newest files stay.
	dir2 := t.TempDir()
	_, errOut, code = cli(t, nil, "-r", src, "-q", "--no-summary", "-w", filepath.Join(dir2, "d.pcap"), "--rotate", "15s", "--rotate-keep", "2")
	require.Equal(t, 0, code, errOut)
	kept := rotatedFiles(t, dir2, "d.pcap")
	require.Len(t, kept, 2)
	require.Equal(t, filepath.Base(files[len(files)-2]), filepath.Base(kept[0]))
	require.Equal(t, filepath.Base(files[len(files)-1]), filepath.Base(kept[1]))
	require.Len(t, lines(errOut), len(files), "every file is reported when closed")
}

// Standard input alone is written as it goes (no spool); the packets are
// those the file path writes, byte for byte, gzip-compressed input too.
func TestCLIWriteStdinStreams(t *testing.T) {
	raw, err := os.ReadFile(demo)
	require.NoError(t, err)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err = zw.Write(raw)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	_, bulk := bulkCapture(t, 4000, 200)
	for _, tc := range []struct {
		name  string
		input []byte
		file  string
		args  []string
	}{
		{"errors", raw, "e.pcap", []string{"--status", "error"}},
		{"one bind, pcapng", raw, "tx.pcapng", []string{"--system-id", "acme_tx"}},
		{"gzip, receipts", gz.Bytes(), "r.pcap", []string{"--command", "deliver_sm"}},
		{"nothing selected", raw, "none.pcap", []string{"--command", "outbind"}},
		{"busy link, responses", bulk, "b.pcap", []string{"--command", "submit_sm_resp,deliver_sm_resp"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in.pcap")
			require.NoError(t, os.WriteFile(in, tc.input, 0o644))
			fromFile, fromStdin := filepath.Join(dir, "file-"+tc.file), filepath.Join(dir, "stdin-"+tc.file)
			_, errOut, code := cli(t, nil, append([]string{"-r", in, "-q", "-w", fromFile}, tc.args...)...)
			require.Equal(t, 0, code, errOut)
			_, errOut2, code := cli(t, tc.input, append([]string{"-r", "-", "-q", "-w", fromStdin}, tc.args...)...)
			require.Equal(t, 0, code, errOut2)
			a, err := os.ReadFile(fromFile)
			require.NoError(t, err)
			b, err := os.ReadFile(fromStdin)
			require.NoError(t, err)
			require.True(t, bytes.Equal(a, b), "stdin and file give different captures")
			require.Equal(t, strings.Replace(errOut, fromFile, fromStdin, 1), errOut2)
			require.NotContains(t, errOut2, "left the write window")
		})
	}
}

func TestCLIRotateErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.pcap")
	for _, tc := range []struct {
		name string
		args []string
		msg  string
	}{
		{"rotate without -w", []string{"--rotate", "1h"}, "--rotate needs -w FILE"},
		{"keep without -w", []string{"--rotate-keep", "3"}, "--rotate-keep needs -w"},
		{"keep without rotate", []string{"-w", out, "--rotate-keep", "3"}, "--rotate-keep needs --rotate"},
		{"negative keep", []string{"-w", out, "--rotate", "1h", "--rotate-keep", "-1"}, "must not be negative"},
		{"bare number", []string{"-w", out, "--rotate", "100"}, `--rotate: "100" needs a unit`},
		{"unknown unit", []string{"-w", out, "--rotate", "5parsecs"}, "--rotate:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := cli(t, nil, append([]string{"-r", demo, "-q"}, tc.args...)...)
			require.Equal(t, 2, code, errOut)
			require.Contains(t, errOut, tc.msg)
			require.Len(t, lines(errOut), 1, "one clear line: %q", errOut)
		})
	}
	_, err := os.Stat(out)
	require.ErrorIs(t, err, os.ErrNotExist, "no file for a usage error")
}
