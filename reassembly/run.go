package reassembly

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	tcpreasm "github.com/gopacket/gopacket/reassembly"
)

// maxDroppedKeys bounds the memory used to count distinct connections
// refused at Options.MaxStreams.
const maxDroppedKeys = 1 << 16

// Run reads the capture files in order ("-" is Options.Stdin) as one run:
// connections continue from one file into the next, and Stream indexes count
// across files. It calls h for every PDU, gap and problem, and returns what
// it counted.
//
// A file that cannot be opened, is not a capture or has an unsupported link
// type does not stop the run: Run goes on with the next file and returns
// those errors joined. A file damaged or cut in the middle of a record is a
// Problem; the packets before the damage are used. When ctx is cancelled,
// Run stops reading, delivers what the assembler still holds, and returns
// ctx's error. When Options.Limit PDUs have been delivered, Run returns at
// once.
func Run(ctx context.Context, files []string, o Options, h Handler) (Stats, error) {
	if h == nil {
		return Stats{}, errors.New("reassembly: nil Handler")
	}
	r := newRunner(o, h)
	r.prog.info.Files = len(files)
	r.prog.sizes(files, o.Stdin)
	var errs []error
	for i, name := range files {
		if r.stop || ctx.Err() != nil {
			break
		}
		if err := r.readFile(ctx, name, i); err != nil {
			errs = append(errs, err)
		}
	}
	r.finish()
	if err := ctx.Err(); err != nil {
		errs = append(errs, fmt.Errorf("reassembly: %w", err))
	}
	return r.stats, errors.Join(errs...)
}

// runner is the state of one Run. It is the assembler's StreamFactory.
type runner struct {
	o     Options
	h     Handler
	stats Stats
	ports [1 << 10]uint64 // bit set of Options.Ports

	pool *tcpreasm.StreamPool
	asm  *tcpreasm.Assembler
	dec  *linkDecoder
	slab ctxSlab

	live       int // connections in the pool
	half       halfOpenTable
	wake       *halfOpen // set by New: the packet is the first data of this connection
	replaying  *halfOpen // its handshake is being fed to the assembler
	wakeCtx    *pktCtx   // the packet that woke it
	synTCP     layers.TCP
	synBuf     [20]byte
	nextStream int
	dropped    map[[2]gopacket.Flow]struct{}
	limitSaid  bool
	badLinks   map[layers.LinkType]bool // unsupported link types reported in the current file
	inAssemble bool                     // inside AssembleWithContext: a skip there is the memory cap
	inFlush    bool                     // inside the periodic flush: a connection closed there was idle
	stop       bool                     // Options.Limit reached

	now, lastFlush time.Time // capture time
	nowAt          instant   // now's
	sinceFlush     int

	hold    holdState
	directs directState
	batch   flushBatch
	dd      *dedup // nil with Options.KeepDuplicates
	prog    progress

	// Reused for the records handed to h.
	pdu    PDU
	gap    Gap
	frames []int
	spans  []span
}

func newRunner(o Options, h Handler) *runner {
	r := &runner{o: o.withDefaults(), h: h, dec: newLinkDecoder()}
	for _, p := range r.o.Ports {
		r.ports[p>>6] |= 1 << (p & 63)
	}
	r.pool = tcpreasm.NewStreamPool(r)
	r.asm = tcpreasm.NewAssembler(r.pool)
	r.asm.MaxBufferedPagesTotal = r.o.MaxBufferedPagesTotal
	r.asm.MaxBufferedPagesPerConnection = r.o.MaxBufferedPagesPerConn
	if !r.o.KeepDuplicates {
		r.dd = newDedup(r)
	}
	r.hold.window = min(holdWindow, r.o.LossTimeout, r.o.FlushIdle)
	r.prog.init(r.o)
	return r
}

// finish delivers what the assembler still holds and what mirror
// detection held back, and makes the last Progress call.
// Each step is guarded as packets are: a panic in one becomes a Problem,
// and the steps after it still run.
func (r *runner) finish() {
	r.finishStep(func() {
		if !r.stop {
			r.drain(true)
		}
	})
	r.finishStep(func() {
		if !r.stop {
			r.beginFlush()
			r.asm.FlushAll()
			r.closeDirect(time.Time{})
			r.endFlush()
		}
	})
	// What a panic left of a flush (abandon) is handed on still: each
	// round hands on every record left or drops the one that panicked, so
	// there are at most as many rounds as records.
	for left := len(r.batch.recs); left > 0 && len(r.batch.recs) > 0 && !r.stop; left-- {
		r.finishStep(r.endFlush)
	}
	r.finishStep(func() {
		r.half.reset()
		if r.dd != nil && !r.stop {
			r.dd.expire(0, true)
		}
	})
	r.stats.FragmentsIncomplete += int64(r.dec.discardFragments(time.Time{}))
	r.progressDone()
}

// finishStep runs step, one part of finish, turning a panic into a Problem.
func (r *runner) finishStep(step func()) {
	defer func() {
		if p := recover(); p != nil {
			r.afterPanic()
			r.problem(nil, 0, -1, -1, fmt.Errorf("reassembly: at the end of the input: %w: %v", ErrInternal, p))
		}
	}()
	step()
}

// deliverPDU hands p, a PDU of c, to the Handler.
func (r *runner) deliverPDU(c *conn, p *PDU) {
	if r.stop {
		return
	}
	c.delivered++
	r.stats.PDUs++
	r.h.PDU(p)
	if r.o.Limit > 0 && r.stats.PDUs >= int64(r.o.Limit) {
		r.stop = true
	}
}

// deliverGap counts g and hands it to the Handler.
func (r *runner) deliverGap(g *Gap) {
	if r.stop {
		return
	}
	if g.Lost >= 0 {
		r.stats.BytesLost += g.Lost
	}
	r.stats.Gaps++
	r.stats.BytesDiscarded += g.Discarded
	r.stats.BytesSkipped += max(g.Lost, 0) + g.Discarded
	r.h.Gap(g)
}

func (r *runner) isPort(p uint16) bool { return r.ports[p>>6]&(1<<(p&63)) != 0 }

// readFile feeds one capture file to the assembler. Its error is a
// file-level failure; damage inside the file is reported as a Problem.
func (r *runner) readFile(ctx context.Context, name string, index int) error {
	src, err := openSource(name, r.o.Stdin, r.o.Spool)
	if err != nil {
		return err
	}
	defer func() { _ = src.close() }()
	r.stats.Files++
	f := &fileRef{name: name, index: index}
	r.badLinks = nil
	r.prog.file(name, index, src.counter, src.size)
	frame := 0
	for {
		more, err := r.readRecords(ctx, src, f, &frame)
		if !more || r.stop {
			return err
		}
	}
}

// readRecords feeds records of src to the assembler, *frame being the
// number of the last one read, until the file ends (more false) or a
// packet panics (more true: the caller goes on with the next record). The
// guard against panics is set once for many packets here, instead of once
// per packet as packet does.
func (r *runner) readRecords(ctx context.Context, src *source, f *fileRef, frame *int) (more bool, err error) {
	inPacket := false
	defer func() {
		if inPacket {
			if p := recover(); p != nil {
				r.packetPanic(f, *frame, p)
				more, err = true, nil
			}
		}
	}()
	var rec record
	for {
		if *frame&0xff == 0 && ctx.Err() != nil {
			return false, nil
		}
		err := src.read(&rec)
		if d := rec.damage; d != nil {
			// Reported at the last good frame; the records skipped keep
			// their frame numbers (see CopyFrames).
			r.stats.CaptureBytesSkipped += d.skipped
			r.problem(f, *frame, -1, -1, fmt.Errorf("%s: %w after frame %d: %v", f.name, ErrDamagedFile, *frame, d))
			*frame += d.records
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			if errors.Is(err, errSpool) {
				return false, fmt.Errorf("%s: %w", f.name, err)
			}
			r.problem(f, *frame, -1, -1, fmt.Errorf("%s: %w after frame %d: %v", f.name, ErrTruncatedFile, *frame, err))
			return false, nil
		}
		*frame++
		inPacket = true
		r.unguardedPacket(f, *frame, rec.data, &rec.ci, rec.link)
		inPacket = false
		if r.stop {
			return false, nil
		}
		r.progressTick()
	}
}

// packet decodes one frame and hands its TCP segment to the assembler. A
// panic anywhere below becomes a Problem naming the frame: the last line of
// defence, so that one bad packet does not end the run.
func (r *runner) packet(f *fileRef, frame int, data []byte, ci *gopacket.CaptureInfo, lt layers.LinkType) {
	defer func() {
		if p := recover(); p != nil {
			r.packetPanic(f, frame, p)
		}
	}()
	r.unguardedPacket(f, frame, data, ci, lt)
}

// packetPanic puts the runner back in order after frame panicked with p,
// and reports it.
func (r *runner) packetPanic(f *fileRef, frame int, p any) {
	r.afterPanic()
	r.problem(f, frame, -1, -1, fmt.Errorf("%s: frame %d: %w: %v", f.name, frame, ErrInternal, p))
}

// afterPanic puts the runner's state back in order after a panic: what was
// under way is abandoned, direct framing's shared context is settled, and
// a flush's records not yet handed on wait for the next flush.
func (r *runner) afterPanic() {
	r.inAssemble = false
	r.inFlush = false
	r.wake, r.replaying = nil, nil
	ds := &r.directs
	ds.leaving, ds.rejoining, ds.touched = nil, nil, nil
	if ds.framing != nil { // the panic cut direct framing short
		ds.settleScratch(&r.slab, ds.framing)
		ds.framing = nil
	}
	r.batch.abandon()
}

// unguardedPacket is packet without the guard: its caller recovers.
func (r *runner) unguardedPacket(f *fileRef, frame int, data []byte, ci *gopacket.CaptureInfo, lt layers.LinkType) {
	r.stats.Packets++
	r.stats.CaptureBytes += int64(len(data))
	// First give up what this packet's time says is lost.
	at := instantOf(ci.Timestamp)
	r.advance(ci.Timestamp, at, at.after(r.nowAt))
	if r.dd != nil && r.dd.pending() {
		r.dd.expire(nanos(r.now), false)
	}
	res := r.dec.decode(lt, data, ci)
	if r.dec.truncated {
		r.stats.Truncated++
	}
	if r.dec.fragment {
		r.stats.Fragments++
	}
	switch res {
	case resultTCP:
		if !r.hold.queued() && r.direct(&r.dec.id, &r.dec.seg, nil, f, frame, ci, r.dec.lost) {
			break
		}
		r.dec.completeTCP() // the assembler reads all of the segment
		c := r.slab.next(f, frame, ci)
		c.truncated = r.dec.lost
		r.assemble(c)
	case resultFragment:
	case resultError:
		r.stats.NonTCP++
		kind := ErrUndecodable
		if r.dec.truncated {
			kind = ErrSnapLen
		}
		r.problem(f, frame, -1, -1, fmt.Errorf("%s: frame %d: %w: %v", f.name, frame, kind, r.dec.err))
	default:
		r.stats.NonTCP++
		if _, ok := linkFirstLayer(lt); !ok && !r.badLinks[lt] {
			if r.badLinks == nil {
				r.badLinks = make(map[layers.LinkType]bool)
			}
			r.badLinks[lt] = true
			r.problem(f, frame, -1, -1, fmt.Errorf("%s: frame %d: %w %s (%d); such frames are skipped", f.name, frame, ErrLinkType, lt, int(lt)))
		}
	}
}

// advance moves the capture clock to ts (whose instant is at) when moved,
// ts being after it, and, every flushEveryPackets packets or
// flushEveryTime of capture time, gives up holes older than LossTimeout
// and closes connections idle longer than FlushIdle. The caller tells
// moved: from instants for a packet's capture time, from the monotonic
// clock reading for live capture's idle wall clock.
func (r *runner) advance(ts time.Time, at instant, moved bool) {
	if moved {
		r.now, r.nowAt = ts, at
	}
	if r.lastFlush.IsZero() {
		r.lastFlush = r.now
	}
	if r.hold.active && r.holdDue() {
		r.releaseHold() // before this packet, and before a flush closes idle connections
	}
	r.sinceFlush++
	// The clock can only have reached the next flush if it moved: it was
	// checked at the last packet.
	if r.sinceFlush < flushEveryPackets && (!moved || r.now.Sub(r.lastFlush) < flushEveryTime) {
		return
	}
	r.sinceFlush, r.lastFlush = 0, r.now
	r.beginFlush()
	r.inFlush = true
	r.asm.FlushWithOptions(tcpreasm.FlushOptions{
		T:  r.now.Add(-r.o.LossTimeout),
		TC: r.now.Add(-r.o.FlushIdle),
	})
	if r.directs.m.len() > 0 {
		r.closeDirect(r.now.Add(-r.o.FlushIdle))
	}
	r.inFlush = false
	r.endFlush()
	r.expireHalfOpen(r.now.Add(-r.o.FlushIdle))
	r.stats.FragmentsIncomplete += int64(r.dec.discardFragments(r.now.Add(-r.o.LossTimeout)))
}

// problem reports p's error as a Problem.
func (r *runner) problem(f *fileRef, frame, stream int, offset int64, err error) {
	r.stats.Problems++
	name := ""
	if f != nil {
		name = f.name
	}
	r.h.Problem(&Problem{File: name, Frame: frame, Stream: stream, Offset: offset, Err: err})
}
