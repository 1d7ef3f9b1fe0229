package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"smppdump.dev/smppdump/reassembly"
)

// hasStdin reports whether "-" is among the inputs.
func hasStdin(files []string) bool {
	for _, f := range files {
		if f == "-" {
			return true
		}
	}
	return false
}

// writeSelected writes the packets that carried the selected PDUs (-w).
func writeSelected(ctx context.Context, c *config, o reassembly.Options, frames map[string]map[int]bool, stderr io.Writer) error {
	format := reassembly.FormatPcap
	if strings.EqualFold(filepath.Ext(c.write), ".pcapng") {
		format = reassembly.FormatPcapng
	}
	f, err := os.Create(c.write)
	if err != nil {
		return fmt.Errorf("-w: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	inputs := c.files
	if c.iface != "" {
		inputs = []string{c.iface}
	}
	n, err := reassembly.CopyFrames(ctx, inputs, o, func(file string, frame int) bool { return frames[file][frame] }, bw, format)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("-w %s: %w", c.write, err)
	}
	fmt.Fprintf(stderr, "smppdump: wrote %d packets to %s\n", n, c.write)
	return nil
}

// progressPrinter returns a reassembly progress callback that keeps one
// status line on a terminal: bytes, percent, PDUs/s and the time left. It
// stays silent for small inputs.
func progressPrinter(w io.Writer) func(reassembly.ProgressInfo) {
	const minSize = 4 << 20
	shown := false
	return func(pi reassembly.ProgressInfo) {
		if pi.Done {
			if shown {
				fmt.Fprint(w, "\r\x1b[K")
			}
			return
		}
		if pi.Size >= 0 && pi.Size < minSize || pi.Elapsed < time.Second {
			return
		}
		shown = true
		rate := float64(pi.PDUs) / pi.Elapsed.Seconds()
		line := fmt.Sprintf("%s read", byteSize(pi.Read))
		if pi.Size > 0 {
			frac := float64(pi.Read) / float64(pi.Size)
			left := time.Duration(float64(pi.Elapsed) * (1 - frac) / max(frac, 1e-9))
			line = fmt.Sprintf("%s of %s (%.0f%%), %.0f PDUs/s, %s left", byteSize(pi.Read), byteSize(pi.Size), 100*frac, rate, left.Round(time.Second))
		} else {
			line += fmt.Sprintf(", %.0f PDUs/s", rate)
		}
		fmt.Fprintf(w, "\r\x1b[K%s", line)
	}
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
