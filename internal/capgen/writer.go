package capgen

import (
	"bufio"
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/pcapgo"
)

// Packet is a complete link-layer frame (starting with the Writer's link
// header) and its capture time, ready for Writer.WritePacket.
type Packet struct {
	Time time.Time
	Data []byte
}

// Writer writes packets to a pcap or pcapng stream. It is not safe for
// concurrent use. Frame numbers are 1-based, in the order packets are
// written.
type Writer struct {
	opts   Options
	bw     *bufio.Writer // pcap only: pcapgo.Writer does not buffer
	pcap   *pcapgo.Writer
	ng     *pcapgo.NgWriter
	frames int
	last   time.Time
	closed bool
}

// maxUnix is the last second the pcap format's unsigned 32-bit seconds
// field can hold; timestamps before the Unix epoch are rejected too.
const maxUnix = 1<<32 - 1

// NewWriter writes the file header for o to w and returns a Writer. Call
// Close to flush; Close does not close w.
func NewWriter(w io.Writer, o Options) (*Writer, error) {
	o, err := o.normalize()
	if err != nil {
		return nil, err
	}
	lt, _ := o.Link.PcapLinkType()
	cw := &Writer{opts: o}
	switch o.Format {
	case PCAP:
		cw.bw = bufio.NewWriter(w)
		if o.Nanosecond {
			cw.pcap = pcapgo.NewWriterNanos(cw.bw)
		} else {
			cw.pcap = pcapgo.NewWriter(cw.bw)
		}
		if err := cw.pcap.WriteFileHeader(o.Snaplen, lt); err != nil {
			return nil, fmt.Errorf("capgen: write pcap header: %w", err)
		}
	case PCAPNG:
		intf := pcapgo.NgInterface{
			Name:                "capgen0",
			LinkType:            lt,
			SnapLength:          o.Snaplen,
			TimestampResolution: 9,
		}
		info := pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "smppdump capgen"}}
		cw.ng, err = pcapgo.NewNgWriterInterface(w, intf, info)
		if err != nil {
			return nil, fmt.Errorf("capgen: write pcapng header: %w", err)
		}
	}
	return cw, nil
}

// Options returns the Writer's options with defaults filled in.
func (w *Writer) Options() Options { return w.opts }

// Frames returns the number of packets written so far, which is also the
// frame number of the last one.
func (w *Writer) Frames() int { return w.frames }

// Last returns the (truncated) timestamp of the last packet written, or the
// zero time if none was. Handy for chaining: w.Last().Add(time.Millisecond).
func (w *Writer) Last() time.Time { return w.last }

// Close flushes buffered output. It does not close the underlying io.Writer.
// Writing after Close is an error; closing twice is not.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	var err error
	if w.ng != nil {
		err = w.ng.Flush()
	} else {
		err = w.bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("capgen: flush: %w", err)
	}
	return nil
}

// WritePacket writes one frame and returns its frame number. Data must start
// with the link header of the Writer's link type; it is written as is (only
// cut to the snaplen), so it may be deliberately malformed.
func (w *Writer) WritePacket(p Packet) (int, error) {
	if w.closed {
		return 0, fmt.Errorf("capgen: write after Close")
	}
	if p.Time.Unix() < 0 || p.Time.Unix() > maxUnix {
		return 0, fmt.Errorf("capgen: timestamp %v outside the pcap range 1970-2106", p.Time)
	}
	ts := p.Time
	if !w.opts.Nanosecond {
		ts = ts.Truncate(time.Microsecond)
	}
	data := p.Data
	if len(data) > int(w.opts.Snaplen) {
		data = data[:w.opts.Snaplen]
	}
	ci := gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(data), Length: len(p.Data)}
	var err error
	if w.ng != nil {
		err = w.ng.WritePacket(ci, data)
	} else {
		err = w.pcap.WritePacket(ci, data)
	}
	if err != nil {
		return 0, fmt.Errorf("capgen: write frame %d: %w", w.frames+1, err)
	}
	w.frames++
	w.last = ts
	return w.frames, nil
}
