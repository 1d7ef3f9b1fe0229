package reassembly

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// CaptureFormat is the file format CopyFrames writes.
type CaptureFormat uint8

// Capture formats.
const (
	// FormatPcap is pcap with microsecond timestamps, as tcpdump -w writes
	// it. All frames must have one link type.
	FormatPcap CaptureFormat = iota
	// FormatPcapNano is pcap with nanosecond timestamps.
	FormatPcapNano
	// FormatPcapng is pcapng; frames of each link type get an interface.
	FormatPcapng
)

// String returns "pcap", "pcap-ns" or "pcapng".
func (f CaptureFormat) String() string {
	switch f {
	case FormatPcap:
		return "pcap"
	case FormatPcapNano:
		return "pcap-ns"
	case FormatPcapng:
		return "pcapng"
	}
	return fmt.Sprintf("CaptureFormat(%d)", int(f))
}

// Errors of CopyFrames.
var (
	// ErrMixedLinkTypes says that the frames to copy have several link
	// types, which a pcap file cannot hold: write pcapng.
	ErrMixedLinkTypes = errors.New("reassembly: frames of several link types cannot share a pcap file (write pcapng)")
	// ErrNotSpooled says that standard input or a live capture was not
	// kept by a Spool, so its frames cannot be read again.
	ErrNotSpooled = errors.New("reassembly: input was not spooled (set Options.Spool for Run or RunLive and CopyFrames)")
)

// CopyFrames reads the capture files again, in order, and writes to w,
// in format, each frame for which keep(file, frame) is true: file is the
// name as given in files and frame is 1-based, as in PDU.File and
// PDU.Frames. Frames are copied unchanged, with their timestamps and
// original lengths. It returns the number of frames written.
//
// The name "-" (and the name of an interface given to RunLive) is read
// from o.Spool; without a copy there, "-" is read again from o.Stdin
// (standard input when nil) only if it can seek to its start. A file that
// ends inside a record is copied up to the damage, as Run reads it. When
// nothing is kept, w gets a valid capture without frames, of the first
// file's link type. w is not closed.
func CopyFrames(ctx context.Context, files []string, o Options, keep func(file string, frame int) bool, w io.Writer, format CaptureFormat) (int, error) {
	if format > FormatPcapng {
		return 0, fmt.Errorf("reassembly: CopyFrames: unknown format %v", format)
	}
	cw := &captureWriter{w: bufio.NewWriterSize(w, 1<<16), format: format, snaplen: uint32(o.withDefaults().Snaplen)}
	first := func(lt layers.LinkType) {
		if cw.link == nil {
			cw.link = &lt
		}
	}
	n, err := eachFrame(ctx, files, o, keep, first, func(f *Frame) error { return cw.write(f.Info, f.Data, f.LinkType) })
	if err != nil {
		return n, err
	}
	if err := cw.finish(); err != nil {
		return n, err
	}
	return n, nil
}

// ReadFrames reads the capture files again, in order, as CopyFrames does,
// and calls fn with each frame for which keep(file, frame) is true. The
// Frame and its Data are valid only during the call; an error from fn
// stops the reading and is returned. It returns the number of frames
// handed to fn.
func ReadFrames(ctx context.Context, files []string, o Options, keep func(file string, frame int) bool, fn func(*Frame) error) (int, error) {
	if fn == nil {
		return 0, errors.New("reassembly: ReadFrames: nil function")
	}
	return eachFrame(ctx, files, o, keep, nil, fn)
}

// eachFrame is CopyFrames and ReadFrames: it calls opened with each
// input's link type (when not nil), and fn with each kept frame.
func eachFrame(ctx context.Context, files []string, o Options, keep func(string, int) bool, opened func(layers.LinkType), fn func(*Frame) error) (int, error) {
	if keep == nil {
		return 0, errors.New("reassembly: nil keep function")
	}
	n := 0
	for _, name := range files {
		src, err := openAgain(name, o)
		if err != nil {
			return n, err
		}
		if opened != nil {
			opened(src.fileLink)
		}
		k, err := copyFile(ctx, src, name, keep, fn)
		n += k
		_ = src.close()
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func copyFile(ctx context.Context, src *source, name string, keep func(string, int) bool, fn func(*Frame) error) (int, error) {
	n := 0
	f := Frame{File: name}
	var rec record
	for {
		if f.Number&0xff == 0 && ctx.Err() != nil {
			return n, fmt.Errorf("reassembly: %w", ctx.Err())
		}
		err := src.read(&rec)
		if d := rec.damage; d != nil {
			f.Number += d.records // numbered as Run numbers them
		}
		if err != nil {
			return n, nil // io.EOF, or damage that Run reported as a Problem
		}
		f.Number++
		if !keep(name, f.Number) {
			continue
		}
		f.Info = gopacket.CaptureInfo{Timestamp: rec.ci.Timestamp, CaptureLength: len(rec.data), Length: max(rec.ci.Length, len(rec.data))}
		f.LinkType, f.Data = rec.link, rec.data
		if err := fn(&f); err != nil {
			return n, fmt.Errorf("%s: frame %d: %w", name, f.Number, err)
		}
		n++
	}
}

// openAgain opens input name for a second reading.
func openAgain(name string, o Options) (*source, error) {
	if o.Spool != nil {
		if p, ok := o.Spool.Path(name); ok {
			src, err := openSource(p, nil, nil)
			if err != nil {
				return nil, fmt.Errorf("%s (spooled in %s): %w", name, p, err)
			}
			return src, nil
		}
	}
	if name != "-" {
		return openSource(name, nil, nil)
	}
	in := o.Stdin
	if in == nil {
		in = os.Stdin
	}
	if s, ok := in.(io.Seeker); ok {
		if _, err := s.Seek(0, io.SeekStart); err == nil {
			return openSource(name, in, nil)
		}
	}
	return nil, fmt.Errorf("standard input: %w", ErrNotSpooled)
}

// captureWriter writes frames as pcap or pcapng, starting the file with
// the link type of the first frame.
type captureWriter struct {
	w       *bufio.Writer
	format  CaptureFormat
	snaplen uint32
	link    *layers.LinkType // the first input's link type, for an empty output

	pcap    *pcapgo.Writer
	pcapLT  layers.LinkType
	ng      *pcapgo.NgWriter
	ngIntfs map[layers.LinkType]int
}

func (cw *captureWriter) start(lt layers.LinkType) error {
	switch cw.format {
	case FormatPcapng:
		ng, err := pcapgo.NewNgWriterInterface(cw.w, ngInterface(lt, cw.snaplen),
			pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "smppdump"}})
		if err != nil {
			return fmt.Errorf("reassembly: pcapng: %w", err)
		}
		cw.ng, cw.ngIntfs = ng, map[layers.LinkType]int{lt: 0}
	default:
		if cw.format == FormatPcapNano {
			cw.pcap = pcapgo.NewWriterNanos(cw.w)
		} else {
			cw.pcap = pcapgo.NewWriter(cw.w)
		}
		if err := cw.pcap.WriteFileHeader(cw.snaplen, lt); err != nil {
			return fmt.Errorf("reassembly: pcap: %w", err)
		}
		cw.pcapLT = lt
	}
	return nil
}

func ngInterface(lt layers.LinkType, snaplen uint32) pcapgo.NgInterface {
	return pcapgo.NgInterface{Name: lt.String(), LinkType: lt, SnapLength: snaplen, TimestampResolution: 9}
}

func (cw *captureWriter) write(ci gopacket.CaptureInfo, data []byte, lt layers.LinkType) error {
	if cw.pcap == nil && cw.ng == nil {
		if err := cw.start(lt); err != nil {
			return err
		}
	}
	out := gopacket.CaptureInfo{Timestamp: ci.Timestamp, CaptureLength: len(data), Length: max(ci.Length, len(data))}
	if cw.ng != nil {
		id, ok := cw.ngIntfs[lt]
		if !ok {
			var err error
			if id, err = cw.ng.AddInterface(ngInterface(lt, cw.snaplen)); err != nil {
				return fmt.Errorf("reassembly: pcapng: %w", err)
			}
			cw.ngIntfs[lt] = id
		}
		out.InterfaceIndex = id
		return cw.ng.WritePacket(out, data)
	}
	if lt != cw.pcapLT {
		return fmt.Errorf("%w: %s and %s", ErrMixedLinkTypes, cw.pcapLT, lt)
	}
	return cw.pcap.WritePacket(out, data)
}

// finish writes the file header if no frame was written, and flushes.
func (cw *captureWriter) finish() error {
	if cw.pcap == nil && cw.ng == nil {
		lt := layers.LinkTypeEthernet
		if cw.link != nil {
			lt = *cw.link
		}
		if err := cw.start(lt); err != nil {
			return err
		}
	}
	if cw.ng != nil {
		if err := cw.ng.Flush(); err != nil {
			return fmt.Errorf("reassembly: %w", err)
		}
	}
	if err := cw.w.Flush(); err != nil {
		return fmt.Errorf("reassembly: %w", err)
	}
	return nil
}

// CaptureWriter writes frames to an io.Writer as one pcap or pcapng file,
// the way CopyFrames writes them. The file header goes out with the first
// frame, or with Flush when there was none.
type CaptureWriter struct {
	cw    captureWriter
	count countingWriter
	link  layers.LinkType
}

// NewCaptureWriter returns a writer of format to w. snaplen goes into the
// header (0 means DefaultSnaplen); link is the link type of a file
// without frames (a file takes the link type of its first frame).
func NewCaptureWriter(w io.Writer, format CaptureFormat, snaplen int, link layers.LinkType) (*CaptureWriter, error) {
	if format > FormatPcapng {
		return nil, fmt.Errorf("reassembly: NewCaptureWriter: unknown format %v", format)
	}
	if snaplen <= 0 {
		snaplen = DefaultSnaplen
	}
	c := &CaptureWriter{count: countingWriter{w: w}, link: link}
	c.cw = captureWriter{w: bufio.NewWriterSize(&c.count, 1<<16), format: format, snaplen: uint32(snaplen), link: &c.link}
	return c, nil
}

// Write writes one frame.
func (c *CaptureWriter) Write(f *Frame) error {
	return c.cw.write(f.Info, f.Data, f.LinkType)
}

// Size returns the length of the file written so far, buffered bytes
// included.
func (c *CaptureWriter) Size() (int64, error) {
	if c.cw.ng != nil {
		if err := c.cw.ng.Flush(); err != nil {
			return 0, fmt.Errorf("reassembly: %w", err)
		}
	}
	return c.count.n + int64(c.cw.w.Buffered()), nil
}

// RecordSize returns the bytes that Write adds for a frame of n captured
// bytes of a link type the file already has.
func (c *CaptureWriter) RecordSize(n int) int64 {
	if c.cw.format == FormatPcapng {
		return 32 + int64(n+3)&^3 // enhanced packet block, no options
	}
	return 16 + int64(n)
}

// Flush writes the file header if no frame was written, and flushes
// everything to the io.Writer, which it does not close.
func (c *CaptureWriter) Flush() error { return c.cw.finish() }

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}
