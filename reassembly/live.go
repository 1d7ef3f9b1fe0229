package reassembly

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Errors of RunLive.
var (
	// ErrLiveUnsupported says that this build cannot capture live: it
	// needs Linux (AF_PACKET, no libpcap) or a build with -tags pcap.
	ErrLiveUnsupported = errors.New("reassembly: live capture needs Linux or a build with -tags pcap (libpcap)")
	// ErrFilterNeedsPcap says that Options.Filter was set in a build
	// without libpcap, which alone compiles filter expressions.
	ErrFilterNeedsPcap = errors.New("reassembly: a filter expression needs a build with -tags pcap (libpcap); without it the kernel filters on the SMPP ports")
)

// livePoll is how long a read waits for a packet before RunLive looks at
// its context and its clocks again.
const livePoll = 100 * time.Millisecond

// errLiveTimeout is what a liveHandle's read returns when no packet came
// within livePoll.
var errLiveTimeout = errors.New("reassembly: no packet")

// LiveInfo describes a live capture that has started (Options.Listening).
type LiveInfo struct {
	Interface string // as given to RunLive
	LinkType  string // the link-layer header of the frames, e.g. "Ethernet"
	Snaplen   int
	Filter    string // the filter expression applied in the kernel
	Method    string // "AF_PACKET" or "libpcap"
}

// liveHandle is an open live capture.
type liveHandle interface {
	// read returns the next packet, valid until the next call, or
	// errLiveTimeout.
	read() ([]byte, gopacket.CaptureInfo, error)
	linkType() layers.LinkType
	// drops returns the packets dropped so far by the kernel and by the
	// interface.
	drops() (kernel, iface int64, err error)
	info() LiveInfo
	close()
}

// RunLive captures on network interface iface ("any" for all of them, on
// Linux) and hands what it finds to h as Run does, until ctx is done (its
// normal end, not an error) or Options.Limit PDUs have been delivered.
// Frame numbers count the packets captured from 1, and PDU.File is iface.
//
// On Linux it reads an AF_PACKET socket (gopacket's afpacket, no libpcap)
// with a classic BPF program that keeps TCP to or from Options.Ports (all
// TCP with Options.Heuristic); Options.Filter needs a build with -tags
// pcap, which captures through libpcap on every system and compiles the
// expression there. Other builds return ErrLiveUnsupported. Capturing
// needs root or CAP_NET_RAW. Packets the kernel drops are counted in
// Stats.Drops.
func RunLive(ctx context.Context, iface string, o Options, h Handler) (Stats, error) {
	if h == nil {
		return Stats{}, errors.New("reassembly: nil Handler")
	}
	if len(o.Ports) == 0 && !o.Heuristic && o.Filter == "" {
		return Stats{}, errors.New("reassembly: live capture of nothing: set Options.Ports or Options.Heuristic")
	}
	r := newRunner(o, h)
	lh, err := openLive(iface, r.o)
	if err != nil {
		return r.stats, err
	}
	defer lh.close()
	lt := lh.linkType()
	sp, err := newLiveSpool(r.o.Spool, iface, lt, uint32(r.o.Snaplen))
	if err != nil {
		return r.stats, err
	}
	if r.o.Listening != nil {
		r.o.Listening(lh.info())
	}
	r.prog.live = true
	r.prog.info.Files = 1
	r.prog.file(iface, 0, nil, -1)
	f := &fileRef{name: iface}
	var errs []error
	for frame := 0; !r.stop && ctx.Err() == nil; {
		data, ci, err := lh.read()
		if err == errLiveTimeout {
			r.idle(time.Now())
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("reassembly: %s: %w", iface, err))
			break
		}
		frame++
		if err := sp.write(ci, data); err != nil {
			errs = append(errs, err)
			break
		}
		r.packet(f, frame, data, &ci, lt)
		r.progressTick()
		if frame&0x3ff == 0 {
			r.readDrops(lh)
		}
	}
	r.readDrops(lh)
	r.finish()
	if err := sp.close(); err != nil {
		errs = append(errs, err)
	}
	return r.stats, errors.Join(errs...)
}

// idle moves the clock on when no packet comes, so that holes are given up
// and held mirror PDUs delivered in time.
func (r *runner) idle(now time.Time) {
	if now.After(r.now) {
		r.advance(now, instantOf(now), true)
		if r.dd != nil && r.dd.pending() {
			r.dd.expire(nanos(r.now), false)
		}
	}
	r.progressTick()
}

func (r *runner) readDrops(lh liveHandle) {
	if k, i, err := lh.drops(); err == nil {
		r.stats.Drops, r.stats.IfDrops = k, i
	}
}

// liveSpool writes the frames of a live capture to Options.Spool: to a
// temporary file, or one by one to Spool.Frames.
type liveSpool struct {
	f  *os.File
	bw *bufio.Writer
	w  *pcapgo.Writer

	sink  FrameSink
	frame Frame
}

func newLiveSpool(s *Spool, iface string, lt layers.LinkType, snaplen uint32) (*liveSpool, error) {
	if s == nil {
		return &liveSpool{}, nil
	}
	if s.Frames != nil {
		s.Frames.Start(iface, lt)
		return &liveSpool{sink: s.Frames, frame: Frame{File: iface, LinkType: lt}}, nil
	}
	f, err := s.create(iface)
	if err != nil {
		return nil, err
	}
	sp := &liveSpool{f: f, bw: bufio.NewWriterSize(f, 1<<16)}
	sp.w = pcapgo.NewWriterNanos(sp.bw)
	if err := sp.w.WriteFileHeader(snaplen, lt); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("%w: %v", errSpool, err)
	}
	return sp, nil
}

// write keeps one frame; RunLive calls it for every frame, in order, so
// the count of calls is the frame number.
func (sp *liveSpool) write(ci gopacket.CaptureInfo, data []byte) error {
	ci.CaptureLength = len(data)
	ci.Length = max(ci.Length, len(data))
	if sp.sink != nil {
		sp.frame.Number++
		sp.frame.Info, sp.frame.Data = ci, data
		err := sp.sink.Frame(&sp.frame)
		sp.frame.Data = nil
		if err != nil {
			return fmt.Errorf("%w: %v", errSpool, err)
		}
		return nil
	}
	if sp.w == nil {
		return nil
	}
	if err := sp.w.WritePacket(ci, data); err != nil {
		return fmt.Errorf("%w: %v", errSpool, err)
	}
	return nil
}

func (sp *liveSpool) close() error {
	if sp.f == nil {
		return nil
	}
	err := sp.bw.Flush()
	if cerr := sp.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%w: %v", errSpool, err)
	}
	return nil
}
