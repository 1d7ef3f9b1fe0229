package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gopacket/gopacket/layers"

	"smppdump.dev/smppdump/reassembly"
)

// rotation says when -w starts a new file: at size bytes, or at the
// multiples of every in capture time. The zero value never rotates.
type rotation struct {
	size  int64
	every time.Duration
	keep  int // files kept at most (0: all)
}

func (r rotation) on() bool { return r.size > 0 || r.every > 0 }

// sizeUnits are the suffixes --rotate takes for a size, lower case.
var sizeUnits = map[string]float64{
	"b": 1,
	"k": 1e3, "kb": 1e3, "kib": 1 << 10,
	"m": 1e6, "mb": 1e6, "mib": 1 << 20,
	"g": 1e9, "gb": 1e9, "gib": 1 << 30,
	"t": 1e12, "tb": 1e12, "tib": 1 << 40,
}

// parseRotate reads --rotate: a Go duration (1h, 15m, 30s) or a size
// with a unit (500k, 100MB, 1.5GiB; k, M, G, T are powers of 1000, KiB,
// MiB, GiB, TiB powers of 1024; B is bytes). A bare number is refused,
// because tcpdump's -C counts millions of bytes where a plain reading
// would count bytes.
func parseRotate(s string) (rotation, error) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return rotation{}, fmt.Errorf("%q: the duration must be positive", s)
		}
		return rotation{every: d}, nil
	}
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 && s != "" {
		return rotation{}, fmt.Errorf("%q needs a unit: a size (%sMB, %sGiB) or a duration (%ss, %sm)", s, s, s, s, s)
	}
	if i <= 0 {
		return rotation{}, fmt.Errorf("%q is neither a size (100MB, 1GiB, 500k) nor a duration (1h, 15m)", s)
	}
	unit, ok := sizeUnits[strings.ToLower(s[i:])]
	n, err := strconv.ParseFloat(s[:i], 64)
	if !ok || err != nil {
		return rotation{}, fmt.Errorf("%q is neither a size (100MB, 1GiB, 500k) nor a duration (1h, 15m)", s)
	}
	size := n * unit
	if size < 1 || size > math.MaxInt64/2 {
		return rotation{}, fmt.Errorf("%q: the size must be at least 1 byte and below 4 EB", s)
	}
	return rotation{size: int64(size)}, nil
}

// rotatedName is the name of the n-th file of -w path, whose first frame
// was captured at t: out.pcap becomes out-000001-20261127T032200Z.pcap.
func rotatedName(path string, n int, t time.Time) string {
	ext := filepath.Ext(path)
	return fmt.Sprintf("%s-%06d-%s%s", strings.TrimSuffix(path, ext), n, t.UTC().Format("20060102T150405Z"), ext)
}

// boundaryAfter returns the first multiple of every (counted from the
// Unix epoch, so that 1h files start on the hour) after t.
func boundaryAfter(t time.Time, every time.Duration) time.Time {
	ns := t.UnixNano()
	d := int64(every)
	start := ns - ns%d
	if ns < 0 && ns%d != 0 {
		start -= d
	}
	return time.Unix(0, start+d)
}

// captureOut is the destination of -w: one file, or a series of files
// when rotating. It is not safe for concurrent use.
type captureOut struct {
	path    string
	format  reassembly.CaptureFormat
	snaplen int
	rot     rotation
	link    layers.LinkType // of a file without frames
	stderr  io.Writer

	f      *os.File
	bw     *bufio.Writer
	cw     *reassembly.CaptureWriter
	name   string    // the open file
	frames int       // in the open file
	dirty  bool      // frames written since the last flush
	until  time.Time // the open file ends before the first frame at or after this
	count  int       // files opened
	total  int       // frames written to every file
	kept   []string  // rotated files still on disk, oldest first
}

// newCaptureOut prepares -w path. Without rotation the file is created at
// once, so that a bad path is reported before any capture; rotated files
// are created at their first frame, whose time is in their name.
func newCaptureOut(path string, rot rotation, snaplen int, stderr io.Writer) (*captureOut, error) {
	o := &captureOut{path: path, format: reassembly.FormatPcap, snaplen: snaplen, rot: rot, link: layers.LinkTypeEthernet, stderr: stderr}
	if strings.EqualFold(filepath.Ext(path), ".pcapng") {
		o.format = reassembly.FormatPcapng
	}
	if !rot.on() {
		if err := o.open(path); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// setLink sets the link type of a file without frames (the input's).
func (o *captureOut) setLink(lt layers.LinkType) error {
	o.link = lt
	if o.f == nil || o.frames > 0 {
		return nil
	}
	cw, err := reassembly.NewCaptureWriter(o.bw, o.format, o.snaplen, lt)
	if err != nil {
		return fmt.Errorf("-w %s: %w", o.name, err)
	}
	o.cw = cw
	return nil
}

func (o *captureOut) open(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("-w: %w", err)
	}
	o.f, o.name, o.frames = f, name, 0
	if o.bw == nil {
		o.bw = bufio.NewWriterSize(f, 1<<20)
	} else {
		o.bw.Reset(f)
	}
	o.cw, err = reassembly.NewCaptureWriter(o.bw, o.format, o.snaplen, o.link)
	if err != nil {
		_ = f.Close()
		o.f = nil
		return fmt.Errorf("-w %s: %w", name, err)
	}
	return nil
}

// write writes one frame, first starting a new file when the rotation says
// so: when the frame would take the file past the size (a file holds at
// least one frame), or when it was captured at or after the boundary.
func (o *captureOut) write(fr *reassembly.Frame) error {
	if o.rot.on() {
		if o.f != nil {
			cut, err := o.due(fr)
			if err != nil {
				return err
			}
			if cut {
				if err := o.closeFile(); err != nil {
					return err
				}
			}
		}
		if o.f == nil {
			if err := o.next(fr.Info.Timestamp); err != nil {
				return err
			}
		}
	}
	if err := o.cw.Write(fr); err != nil {
		return fmt.Errorf("-w %s: %w", o.name, err)
	}
	o.frames++
	o.total++
	o.dirty = true
	return nil
}

// flush pushes the frames written so far to the open file (not to the
// disk), so that a live capture's file grows as it goes.
func (o *captureOut) flush() error {
	if o.f == nil || !o.dirty {
		return nil
	}
	o.dirty = false
	err := o.cw.Flush()
	if ferr := o.bw.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("-w %s: %w", o.name, err)
	}
	return nil
}

func (o *captureOut) due(fr *reassembly.Frame) (bool, error) {
	if o.rot.every > 0 && !fr.Info.Timestamp.Before(o.until) {
		return true, nil
	}
	if o.rot.size > 0 {
		n, err := o.cw.Size()
		if err != nil {
			return false, fmt.Errorf("-w %s: %w", o.name, err)
		}
		return n+o.cw.RecordSize(len(fr.Data)) > o.rot.size, nil
	}
	return false, nil
}

// next opens the next rotated file, whose first frame is captured at t,
// and removes the oldest files beyond --rotate-keep.
func (o *captureOut) next(t time.Time) error {
	o.count++
	if err := o.open(rotatedName(o.path, o.count, t)); err != nil {
		return err
	}
	if o.rot.every > 0 {
		o.until = boundaryAfter(t, o.rot.every)
	}
	o.kept = append(o.kept, o.name)
	var errs []error
	for o.rot.keep > 0 && len(o.kept) > o.rot.keep {
		if err := os.Remove(o.kept[0]); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("--rotate-keep: %w", err))
		}
		o.kept = o.kept[1:]
	}
	return errors.Join(errs...)
}

// closeFile flushes, syncs and closes the open file, and says how many
// frames it holds.
func (o *captureOut) closeFile() error {
	err := o.cw.Flush()
	if ferr := o.bw.Flush(); err == nil {
		err = ferr
	}
	if serr := o.f.Sync(); err == nil {
		err = serr
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	o.f, o.dirty = nil, false
	if err != nil {
		return fmt.Errorf("-w %s: %w", o.name, err)
	}
	fmt.Fprintf(o.stderr, "smppdump: wrote %d packets to %s\n", o.frames, o.name)
	return nil
}

// close closes the last file. A rotation that got no frame made no file,
// and says so.
func (o *captureOut) close() error {
	if o.f == nil {
		if o.count == 0 {
			fmt.Fprintf(o.stderr, "smppdump: wrote 0 packets: no file started\n")
		}
		return nil
	}
	return o.closeFile()
}
