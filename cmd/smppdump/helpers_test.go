package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/internal/capgen"
	"smppdump.dev/smppdump/internal/smppgen"
)

// t0 is the start of every generated capture.
var t0 = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

// scenario builds a capture file in a temp dir with a script of sessions.
type scenario struct {
	t    *testing.T
	buf  bytes.Buffer
	w    *capgen.Writer
	path string
}

func newScenario(t *testing.T) *scenario {
	t.Helper()
	s := &scenario{t: t, path: filepath.Join(t.TempDir(), "gen.pcap")}
	w, err := capgen.NewWriter(&s.buf, capgen.Options{})
	require.NoError(t, err)
	s.w = w
	return s
}

// session opens an SMPP connection from esme to the SMSC on port 2775.
func (s *scenario) session(esme string, at time.Duration, midStream bool) *smppgen.Session {
	s.t.Helper()
	ss, err := smppgen.NewSession(s.w, netip.MustParseAddrPort(esme), netip.MustParseAddrPort("10.9.0.1:2775"), t0.Add(at), midStream)
	require.NoError(s.t, err)
	return ss
}

// bind binds a session and returns it.
func (s *scenario) bind(ss *smppgen.Session, id decode.CommandID, systemID string) {
	s.t.Helper()
	req := smppgen.Bind(id, systemID, "pw", "", decode.V34)
	s.esme(ss, req)
	ss.Wait(5 * time.Millisecond)
	s.smsc(ss, smppgen.BindResp(req, decode.StatusOK, "SMSC", decode.V34))
}

func (s *scenario) esme(ss *smppgen.Session, pdus ...*decode.PDU) {
	s.t.Helper()
	_, err := ss.ESME(pdus...)
	require.NoError(s.t, err)
}

func (s *scenario) smsc(ss *smppgen.Session, pdus ...*decode.PDU) {
	s.t.Helper()
	_, err := ss.SMSC(pdus...)
	require.NoError(s.t, err)
}

// file writes the capture, sorted by time, and returns its path.
func (s *scenario) file() string {
	s.t.Helper()
	require.NoError(s.t, s.w.Close())
	var sorted bytes.Buffer
	require.NoError(s.t, smppgen.SortByTime(&sorted, &s.buf))
	require.NoError(s.t, os.WriteFile(s.path, sorted.Bytes(), 0o644))
	return s.path
}

// runJSON runs smppdump --json on args and returns its records by type.
func runJSON(t *testing.T, args ...string) map[string][]map[string]any {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"--json"}, args...), nil, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	recs := map[string][]map[string]any{}
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		typ, _ := m["type"].(string)
		recs[typ] = append(recs[typ], m)
	}
	require.NoError(t, sc.Err())
	return recs
}

// scrapeUntil fetches a metrics page until it contains want, and returns it.
func scrapeUntil(t *testing.T, url, want string, timeout time.Duration) string {
	t.Helper()
	var body string
	require.Eventually(t, func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return strings.Contains(body, want)
	}, timeout, 50*time.Millisecond, "the metrics never showed %q", want)
	return body
}
