package reassembly

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Capture file magics, as the first four bytes read little-endian.
const (
	magicPcapMicro    = 0xa1b2c3d4
	magicPcapNano     = 0xa1b23c4d
	magicPcapMicroSwp = 0xd4c3b2a1
	magicPcapNanoSwp  = 0x4d3cb2a1
	magicPcapng       = 0x0a0d0d0a // section header block type: same in both byte orders
)

// record is a packet read from a capture file, with what came with it.
type record struct {
	data   []byte // valid until the next read
	ci     gopacket.CaptureInfo
	link   layers.LinkType
	damage *fileDamage // skipped before the packet, or nil; valid until the next read
}

// recordReader reads the packets of one capture format.
type recordReader interface {
	// read reads the next packet into rec, and sets rec.damage to the
	// damage skipped before it (or before the end of the file), or nil.
	// It leaves the packet's fields alone on an error. rec is filled in
	// place, in one call: as results, a packet's data, information, link
	// type and damage would cost three calls and two copies through
	// memory, for every packet.
	read(rec *record) error
}

// source reads the packets of one capture file. The format's reader is
// called through an interface, not through method values: a method value
// costs a wrapper call on top, for every packet.
type source struct {
	recordReader
	fileLink layers.LinkType // the file's (first interface's) link type
	close    func() error
	counter  *countingReader // bytes read from the file (compressed bytes for gzip)
	size     int64           // the file's size, -1 when unknown
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// errSpool marks a failure to keep a copy of standard input.
var errSpool = errors.New("reassembly: spool")

// spoolTee copies what is read through it to the spool file. A write
// error ends the read with an error wrapping errSpool.
type spoolTee struct {
	r io.Reader
	w *os.File
}

func (t *spoolTee) Read(b []byte) (int, error) {
	n, err := t.r.Read(b)
	if n > 0 {
		if _, werr := t.w.Write(b[:n]); werr != nil {
			return n, fmt.Errorf("%w: %v", errSpool, werr)
		}
	}
	return n, err
}

// openSource opens name ("-" is stdin, copied to spool when not nil) and
// sniffs its format: pcap or pcapng, either of them gzip-compressed.
func openSource(name string, stdin io.Reader, spool *Spool) (*source, error) {
	var r io.Reader
	var closers []func() error
	size := int64(-1)
	if name == "-" {
		r = stdin
		if r == nil {
			r = os.Stdin
		}
		size = regularSize(r)
		if spool != nil {
			w, err := spool.create(name)
			if err != nil {
				return nil, err
			}
			r = &spoolTee{r: r, w: w}
			closers = append(closers, w.Close)
		}
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("reassembly: %w", err)
		}
		r = f
		closers = append(closers, f.Close)
		size = regularSize(f)
	}
	closeFn := func() error {
		var errs []error
		for _, c := range closers {
			errs = append(errs, c())
		}
		return errors.Join(errs...)
	}
	cr := &countingReader{r: r}
	src, err := newSource(name, cr)
	if err != nil {
		_ = closeFn()
		return nil, err
	}
	src.close, src.counter, src.size = closeFn, cr, size
	return src, nil
}

// newSource sniffs r's format and returns a packet reader for it.
func newSource(name string, r io.Reader) (*source, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	magic, err := peekMagic(name, br)
	if err != nil {
		return nil, err
	}
	if magic&0xffff == 0x8b1f { // gzip: 1f 8b
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("reassembly: %s: gzip: %w", name, err)
		}
		br = bufio.NewReaderSize(zr, 1<<16)
		if magic, err = peekMagic(name, br); err != nil {
			return nil, err
		}
	}
	switch magic {
	case magicPcapng:
		ng, err := newNgReader(name, br)
		if err != nil {
			return nil, err
		}
		ng.first = ng.firstLink()
		return &source{recordReader: ng, fileLink: ng.first}, nil
	case magicPcapMicro, magicPcapNano, magicPcapMicroSwp, magicPcapNanoSwp:
		pr, err := newPcapReader(name, br)
		if err != nil {
			return nil, err
		}
		if _, ok := linkFirstLayer(pr.link); !ok {
			return nil, fmt.Errorf("%s: %w %s (%d)", name, ErrLinkType, pr.link, int(pr.link))
		}
		return &source{recordReader: pr, fileLink: pr.link}, nil
	}
	return nil, fmt.Errorf("%s: %w (starts with %08x)", name, ErrFormat, magic)
}

func peekMagic(name string, br *bufio.Reader) (uint32, error) {
	b, err := br.Peek(4)
	if err != nil {
		if err == io.EOF {
			if len(b) == 0 {
				return 0, fmt.Errorf("%s: %w: empty input", name, ErrFormat)
			}
			return 0, fmt.Errorf("%s: %w: only %d bytes", name, ErrFormat, len(b))
		}
		return 0, fmt.Errorf("reassembly: %s: %w", name, err)
	}
	return binary.LittleEndian.Uint32(b), nil
}

// regularSize returns the size of r when it is a regular file, else -1.
func regularSize(r io.Reader) int64 {
	if st, ok := r.(interface{ Stat() (os.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	}
	return -1
}
