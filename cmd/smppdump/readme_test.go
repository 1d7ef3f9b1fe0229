package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the README's example outputs")

// exampleBlock matches an example marker, the command it names, and the
// fenced block that follows it.
var exampleBlock = regexp.MustCompile("(?s)<!-- example: ([^>]*?) -->\n```[a-z]*\n(.*?)```\n")

// The README's example outputs are produced by the current binary: each
// "<!-- example: smppdump ARGS -->" marker is followed by exactly what
// smppdump ARGS prints (run from the repository root). go test ./cmd/smppdump
// -update rewrites them.
func TestReadmeExamples(t *testing.T) {
	t.Chdir(filepath.Join("..", ".."))
	docs, err := filepath.Glob(filepath.Join("docs", "*.md"))
	require.NoError(t, err)
	for _, path := range append([]string{"README.md"}, docs...) {
		t.Run(path, func(t *testing.T) { checkExamples(t, path) })
	}
}

func checkExamples(t *testing.T, path string) {
	readme, err := os.ReadFile(path)
	require.NoError(t, err)
	matches := exampleBlock.FindAllSubmatchIndex(readme, -1)
	if path == "README.md" {
		require.NotEmpty(t, matches, "README.md has no example markers")
	}
	var out bytes.Buffer
	last := 0
	for _, m := range matches {
		cmdline := string(readme[m[2]:m[3]])
		args := strings.Fields(cmdline)
		require.Equal(t, "smppdump", args[0], cmdline)
		var got, stderr bytes.Buffer
		code := run(context.Background(), args[1:], nil, &got, &stderr)
		require.Equal(t, 0, code, "%s: %s", cmdline, stderr.String())
		if strings.Contains(cmdline, "-h") {
			got = stderr
		}
		want := string(readme[m[4]:m[5]])
		if *update {
			out.Write(readme[last:m[4]])
			out.Write(got.Bytes())
			last = m[5]
			continue
		}
		require.Equal(t, want, got.String(), "README example %q is stale: run go test ./cmd/smppdump -update", cmdline)
	}
	if *update {
		out.Write(readme[last:])
		require.NoError(t, os.WriteFile(path, out.Bytes(), 0o644))
	}
}
