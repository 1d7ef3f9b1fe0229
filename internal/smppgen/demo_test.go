package smppgen

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// The committed demo capture is exactly what the generator writes, so it can
// always be regenerated (and README examples taken from it stay true).
func TestDemoMatchesCommittedCapture(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, Demo(&a))
	require.NoError(t, Demo(&b))
	require.Equal(t, a.Bytes(), b.Bytes(), "the generator is not deterministic")
	committed, err := os.ReadFile(filepath.Join("..", "..", "pcaps", "demo.pcap"))
	require.NoError(t, err)
	require.True(t, bytes.Equal(committed, a.Bytes()),
		"pcaps/demo.pcap is stale: run go run ./cmd/smppgen demo > pcaps/demo.pcap")
	require.Less(t, a.Len(), 200<<10)
}
