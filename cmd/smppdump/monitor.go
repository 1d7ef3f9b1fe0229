package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"smppdump.dev/smppdump/internal/metrics"
)

// monitor serves Prometheus metrics while smppdump runs.
type monitor struct {
	metrics *metrics.Metrics
	srv     *http.Server
	ln      net.Listener
	stderr  io.Writer
}

func startMonitor(addr string, stderr io.Writer) (*monitor, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	m := &monitor{metrics: metrics.New(), ln: ln, stderr: stderr}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.metrics.Handler())
	m.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := m.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "smppdump: metrics server: %v\n", err)
		}
	}()
	fmt.Fprintf(stderr, "smppdump: serving metrics on http://%s/metrics\n", ln.Addr())
	return m, nil
}

// linger keeps serving after an offline run, for a final scrape: for d, or
// until ctx ends (Ctrl-C) when d is 0.
func (m *monitor) linger(ctx context.Context, d time.Duration) {
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
		return
	}
	fmt.Fprintln(m.stderr, "smppdump: run finished; still serving metrics until interrupted")
	<-ctx.Done()
}

func (m *monitor) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = m.srv.Shutdown(ctx)
}
