package reassembly

import (
	"fmt"
	"io"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Frame is one frame of an input, as read from a capture file or captured
// live.
type Frame struct {
	// File is the input's name ("-", a file, an interface), as in PDU.File.
	File string
	// Number is the 1-based frame number, as in PDU.Frames.
	Number int
	// Info holds the timestamp and the original length; CaptureLength is
	// len(Data).
	Info     gopacket.CaptureInfo
	LinkType layers.LinkType
	// Data is the frame's captured bytes. It aliases the reader's buffer.
	Data []byte
}

// FrameSink receives the frames of a live capture as RunLive reads them
// (see Spool.Frames).
type FrameSink interface {
	// Start is called once, before the first frame, with the input's
	// name and link type.
	Start(input string, lt layers.LinkType)
	// Frame is called with every frame, in capture order, before RunLive
	// hands it to reassembly: the PDUs that the frame completes are
	// delivered after Frame returns. f and f.Data are valid only during
	// the call. An error ends RunLive.
	Frame(f *Frame) error
}

// FrameReader reads the frames of one capture stream as Run reads a file:
// pcap or pcapng, either of them gzip-compressed, up to the first damaged
// record.
type FrameReader struct {
	src   *source
	rec   record
	frame Frame
}

// NewFrameReader sniffs r's format and returns a reader of its frames;
// name is what the frames' File says.
func NewFrameReader(name string, r io.Reader) (*FrameReader, error) {
	src, err := newSource(name, r)
	if err != nil {
		return nil, err
	}
	return &FrameReader{src: src, frame: Frame{File: name}}, nil
}

// LinkType returns the stream's link type (the first interface's, for
// pcapng).
func (fr *FrameReader) LinkType() layers.LinkType { return fr.src.fileLink }

// Next returns the next frame, numbered as Run numbers it (from 1; the
// records of damage skipped keep their numbers). The Frame and its Data
// are valid until the next call. At the end of the stream it returns
// io.EOF; a record cut short ends the stream with another error, where Run
// reports a Problem.
func (fr *FrameReader) Next() (*Frame, error) {
	rec := &fr.rec
	err := fr.src.read(rec)
	if d := rec.damage; d != nil {
		fr.frame.Number += d.records // numbered as Run numbers them
	}
	if err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("%s: after frame %d: %w", fr.frame.File, fr.frame.Number, err)
	}
	fr.frame.Number++
	fr.frame.Info = gopacket.CaptureInfo{Timestamp: rec.ci.Timestamp, CaptureLength: len(rec.data), Length: max(rec.ci.Length, len(rec.data))}
	fr.frame.LinkType = rec.link
	fr.frame.Data = rec.data
	return &fr.frame, nil
}
