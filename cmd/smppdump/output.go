package main

import (
	"bufio"
	"context"
	"errors"
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

// selectedWriter is -w. A live capture, or standard input alone, is
// written as it goes, through a writeQueue (a frameTee feeds it from
// standard input). Files are read again after the run, as CopyFrames
// does, with standard input spooled when it comes with files.
type selectedWriter struct {
	c         *config
	rot       rotation
	streaming bool
	stderr    io.Writer
	q         *writeQueue // streaming
	tee       *frameTee   // streaming standard input
	spool     *reassembly.Spool
}

// newSelectedWriter checks the -w flags; it returns nil without -w.
func newSelectedWriter(c *config, stderr io.Writer) (*selectedWriter, error) {
	if c.write == "" {
		switch {
		case c.rotate != "":
			return nil, errors.New("--rotate needs -w FILE")
		case c.rotateKeep != 0:
			return nil, errors.New("--rotate-keep needs -w FILE and --rotate")
		}
		return nil, nil
	}
	w := &selectedWriter{c: c, stderr: stderr, streaming: c.iface != "" || len(c.files) == 1 && c.files[0] == "-"}
	if c.rotate != "" {
		var err error
		if w.rot, err = parseRotate(c.rotate); err != nil {
			return nil, fmt.Errorf("--rotate: %w", err)
		}
	}
	switch {
	case c.rotateKeep < 0:
		return nil, errors.New("--rotate-keep must not be negative")
	case c.rotateKeep > 0 && c.rotate == "":
		return nil, errors.New("--rotate-keep needs --rotate")
	}
	w.rot.keep = c.rotateKeep
	return w, nil
}

// attach prepares the output, connects the pipeline and returns the
// Handler for the run. A live capture hands its frames to the queue
// through o.Spool, standard input through o.Stdin; Run's progress calls
// (every 64 frames) tell the queue which frames of standard input
// reassembly has handled, and o.Progress, when set, still gets one call
// every 250 ms. abort stops the run after a write error.
func (w *selectedWriter) attach(p *pipeline, o *reassembly.Options, abort func()) (reassembly.Handler, error) {
	if !w.streaming {
		if hasStdin(w.c.files) {
			w.spool = &reassembly.Spool{}
			o.Spool = w.spool
		}
		return p, nil // written after the run
	}
	out, err := newCaptureOut(w.c.write, w.rot, o.Snaplen, w.stderr)
	if err != nil {
		return nil, err
	}
	input := w.c.iface
	if input == "" {
		input = "-"
	}
	q := newWriteQueue(input, out, defaultWriteLimits, w.stderr)
	q.abort = abort
	q.flush = func() {
		p.mu.Lock()
		p.flush()
		p.mu.Unlock()
	}
	q.failed = p.failed.Load
	p.marker = q
	w.q = q
	if w.c.iface != "" {
		o.Spool = &reassembly.Spool{Frames: q}
		q.startTicker(writeTick)
		return countedHandler{pipeline: p, q: q}, nil
	}
	in := o.Stdin
	if in == nil {
		in = os.Stdin
	}
	w.tee = newFrameTee(in, q)
	o.Stdin = w.tee
	show, every := o.Progress, o.ProgressEvery
	if every <= 0 {
		every = 250 * time.Millisecond
	}
	var last time.Time
	o.ProgressEvery = time.Nanosecond
	o.Progress = func(pi reassembly.ProgressInfo) {
		q.progress(pi)
		if show != nil && (pi.Done || time.Since(last) >= every) {
			last = time.Now()
			show(pi)
		}
	}
	return countedHandler{pipeline: p, q: q}, nil
}

// finish writes what is left, after the run and the analysis have ended.
func (w *selectedWriter) finish(ctx context.Context, o reassembly.Options, frames map[string]map[int]bool, analysisOK bool) error {
	if w.tee != nil {
		w.tee.close()
	}
	if w.q != nil {
		return w.q.finish()
	}
	if !analysisOK {
		return nil
	}
	inputs := w.c.files
	keep := func(file string, frame int) bool { return frames[file][frame] }
	if !w.rot.on() {
		return writeSelected(ctx, w.c.write, inputs, o, keep, w.stderr)
	}
	out, err := newCaptureOut(w.c.write, w.rot, o.Snaplen, w.stderr)
	if err != nil {
		return err
	}
	_, err = reassembly.ReadFrames(ctx, inputs, o, keep, out.write)
	if cerr := out.close(); err == nil {
		err = cerr
	}
	return err
}

// close removes the spool.
func (w *selectedWriter) close() {
	if w.spool != nil {
		_ = w.spool.Close()
	}
}

// writeSelected writes the packets that carried the selected PDUs of
// files to path, after the run.
func writeSelected(ctx context.Context, path string, inputs []string, o reassembly.Options, keep func(string, int) bool, stderr io.Writer) error {
	format := reassembly.FormatPcap
	if strings.EqualFold(filepath.Ext(path), ".pcapng") {
		format = reassembly.FormatPcapng
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("-w: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	n, err := reassembly.CopyFrames(ctx, inputs, o, keep, bw, format)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("-w %s: %w", path, err)
	}
	fmt.Fprintf(stderr, "smppdump: wrote %d packets to %s\n", n, path)
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
