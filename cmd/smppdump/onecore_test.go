package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/internal/tshark"
)

// TestOneCoreMatchesPipeline: with one core the producer decodes and
// analyses each batch itself (pipeline.serial); every output, the exit
// code and the frames -w writes must be what the three-stage pipeline
// gives, on the committed and public captures.
func TestOneCoreMatchesPipeline(t *testing.T) {
	files := []string{demo}
	pub, _ := filepath.Glob(filepath.Join(tshark.PublicCaptures(t), "*.pcap*"))
	files = append(files, pub...)
	dir := t.TempDir()
	run1 := func(procs int, args []string) (string, string, int, []byte) {
		prev := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(prev)
		w := filepath.Join(dir, "w.pcap")
		_ = os.Remove(w)
		var out, errb bytes.Buffer
		code := run(context.Background(), append(args, "-w", w), nil, &out, &errb)
		written, _ := os.ReadFile(w)
		return out.String(), errb.String(), code, written
	}
	for _, f := range files {
		for _, args := range [][]string{{"-q"}, {"--json"}, {}, {"-V"}, {"--json", "--max-messages", "2"}, {"--status", "error"}} {
			args := append([]string{"-r", f}, args...)
			o2, e2, c2, w2 := run1(2, args)
			o1, e1, c1, w1 := run1(1, args)
			require.Equal(t, o2, o1, "%v: stdout", args)
			require.Equal(t, e2, e1, "%v: stderr", args)
			require.Equal(t, c2, c1, "%v: exit code", args)
			require.Equal(t, w2, w1, "%v: frames written by -w", args)
			require.NotEmpty(t, o1, "%v", args)
		}
	}
}
