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
// analyses each batch itself (pipeline.serial), with two producer and
// consumer share the decoding (pipeline.split), with three or more a stage
// of its own decodes; every output, the exit code and the frames -w
// writes must be the same all three ways, on the committed and public
// captures.
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
			o1, e1, c1, w1 := run1(1, args)
			require.NotEmpty(t, o1, "%v", args)
			for _, procs := range []int{2, 3} { // split decoding; three stages
				o, e, c, w := run1(procs, args)
				require.Equal(t, o, o1, "%v, %d cores: stdout", args, procs)
				require.Equal(t, e, e1, "%v, %d cores: stderr", args, procs)
				require.Equal(t, c, c1, "%v, %d cores: exit code", args, procs)
				require.Equal(t, w, w1, "%v, %d cores: frames written by -w", args, procs)
			}
		}
	}
}
