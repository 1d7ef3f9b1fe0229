package tshark

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// recorder is a testing.TB that records Fatalf and Skip instead of stopping.
type recorder struct {
	testing.TB
	fatal, skipped bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatalf(string, ...any) { r.fatal = true }
func (r *recorder) Skip(...any)           { r.skipped = true }
func (r *recorder) Skipf(string, ...any)  { r.skipped = true }

func TestRequire(t *testing.T) {
	type requireCase struct {
		name             string
		path, require    string
		wantSkip, wantFa bool
	}
	tests := []requireCase{
		{name: "missing, skip", path: t.TempDir(), wantSkip: true},
		{name: "missing, required", path: t.TempDir(), require: "1", wantFa: true},
		{name: "missing, other value", path: t.TempDir(), require: "yes", wantSkip: true},
	}
	if Available() {
		tests = append(tests, requireCase{name: "present", path: os.Getenv("PATH"), require: "1"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PATH", tt.path)
			t.Setenv(EnvRequire, tt.require)
			r := &recorder{TB: t}
			Require(r)
			require.Equal(t, tt.wantSkip, r.skipped)
			require.Equal(t, tt.wantFa, r.fatal)
		})
	}
}

func TestPublicCapturesLookup(t *testing.T) {
	root := t.TempDir()
	pkg := filepath.Join(root, "main", "internal", "tshark")
	require.NoError(t, os.MkdirAll(pkg, 0o755))
	t.Chdir(pkg)

	r := &recorder{TB: t}
	require.Empty(t, PublicCaptures(r))
	require.True(t, r.skipped, "no shared/ anywhere above")

	public := filepath.Join(root, "shared", "pcaps", "public")
	require.NoError(t, os.MkdirAll(public, 0o755))
	r = &recorder{TB: t}
	require.Equal(t, public, PublicCaptures(r))
	require.False(t, r.skipped)
}
