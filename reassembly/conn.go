package reassembly

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	tcpreasm "github.com/gopacket/gopacket/reassembly"
)

// connState says whether a connection's bytes are framed as SMPP.
type connState uint8

const (
	stateProbe    connState = iota // heuristic still undecided: data held in conn.probe
	stateSMPP                      // framed
	stateRejected                  // not SMPP: packets ignored
)

// conn is one TCP connection: gopacket's Stream, with a framer per direction.
type conn struct {
	r     *runner
	index int // Stream
	state connState
	// listed says that a port is in Options.Ports: the connection is
	// SMPP unless its first bytes say otherwise (see decideListed).
	listed bool
	// unconfirmed says that the connection is framed (stateSMPP) after its
	// first probeCap bytes showed no plausible header: it is counted as an
	// SMPP stream, and its gaps delivered, once a framer finds a PDU
	// boundary (conn.confirm).
	unconfirmed bool
	// firstIsClient says whether the sender of the connection's first
	// packet, gopacket's TCPDirClientToServer, is the client.
	firstIsClient bool
	addr          [2]netip.AddrPort // source address of each Dir
	dirs          [2]framer         // by Dir
	// expect is, per Dir, the sequence number of its first byte learnt
	// from the peer's SYN-ACK (valid when expectOK).
	expect   [2]uint32
	expectOK [2]bool
	probe    *probe
	packets  int64 // packets seen while probing

	// Mirror detection (dedup.go).
	mirror    mirrorState
	primary   *conn   // mirrorReplica: the connection it copies
	flip      bool    // mirrorReplica: its directions are the primary's swapped
	mirrors   []*conn // the connection's mirrors
	heldGaps  []Gap   // mirrorNew: gaps waiting for the first PDU
	held      []heldPDU
	bytes     int64 // stream bytes reassembled
	delivered int64 // PDUs delivered

	// Direct framing (direct.go).
	hi       [2]uint32 // per Dir, the end of the highest segment the assembler accepted
	hiOK     [2]bool
	noLeave  bool       // it stays in the assembler (a wild sequence number)
	keys     [2]flowKey // per Dir, while direct
	lastSeen latestTime // latest capture time of its packets (gopacket's idle clock)
}

var (
	_ tcpreasm.StreamFactory = (*runner)(nil)
	_ tcpreasm.Stream        = (*conn)(nil)
)

// New implements reassembly.StreamFactory. It tracks a connection when its
// first packet carries data, and when it may be SMPP: a port in
// Options.Ports, or Options.Heuristic. A first packet that opens the
// connection without data (SYN, SYN-ACK) is recorded in runner.half
// instead (halfopen.go): the connection is tracked from its first data on.
// Returning nil makes gopacket ignore the packet.
func (r *runner) New(netFlow, tcpFlow gopacket.Flow, tcp *layers.TCP, ac tcpreasm.AssemblerContext) tcpreasm.Stream {
	if c := r.directs.rejoining; c != nil { // a direct connection rejoins
		r.directs.rejoining = nil
		return c
	}
	if h := r.replaying; h != nil { // the handshake of h, replayed
		if r.live >= r.o.MaxStreams {
			r.refuse(netFlow, tcpFlow, r.wakeCtx) // said at the packet that woke h
			return nil
		}
		r.replaying = nil
		return r.newConn(h.index, netFlow, tcpFlow, tcp)
	}
	sport, dport := uint16(tcp.SrcPort), uint16(tcp.DstPort)
	onPorts := r.isPort(sport) || r.isPort(dport)
	if !onPorts && !r.o.Heuristic {
		r.stats.NonSMPP++
		return nil
	}
	if h := r.half.find(netFlow, tcpFlow); h != nil {
		r.halfOpenPacket(h, netFlow, tcpFlow, tcp, ac)
		return nil
	}
	if len(tcp.Payload) == 0 {
		if tcp.SYN && !tcp.FIN && !tcp.RST {
			r.addHalfOpen(netFlow, tcpFlow, tcp, ac)
			return nil
		}
		// A bare ACK/FIN/RST (often the last ACK of a closed connection)
		// would open a connection with no data and use up a Stream index.
		r.stats.NonSMPP++
		return nil
	}
	if r.live >= r.o.MaxStreams {
		r.refuse(netFlow, tcpFlow, ac)
		return nil
	}
	c := r.newConn(r.nextStream, netFlow, tcpFlow, tcp)
	r.nextStream++
	r.stats.Connections++
	return c
}

// newConn starts tracking the connection whose first packet is tcp.
func (r *runner) newConn(index int, netFlow, tcpFlow gopacket.Flow, tcp *layers.TCP) *conn {
	sport, dport := uint16(tcp.SrcPort), uint16(tcp.DstPort)
	c := &conn{r: r, index: index, state: stateProbe}
	r.live++
	switch {
	case tcp.SYN:
		c.firstIsClient = !tcp.ACK // a SYN comes from the client, a SYN-ACK from the server
	case r.isPort(dport) != r.isPort(sport):
		c.firstIsClient = r.isPort(dport)
	default:
		c.firstIsClient = sport >= dport // the higher port is the client's
	}
	src := addrPort(netFlow.Src(), tcpFlow.Src())
	dst := addrPort(netFlow.Dst(), tcpFlow.Dst())
	if c.firstIsClient {
		c.addr = [2]netip.AddrPort{src, dst}
	} else {
		c.addr = [2]netip.AddrPort{dst, src}
	}
	for d := range c.dirs {
		c.dirs[d] = framer{c: c, dir: Dir(d)}
	}
	c.listed = r.isPort(sport) || r.isPort(dport)
	c.probe = newProbe()
	return c
}

// refuse counts a connection that MaxStreams keeps out, and says so once.
func (r *runner) refuse(netFlow, tcpFlow gopacket.Flow, ac tcpreasm.AssemblerContext) {
	if r.dropped == nil {
		r.dropped = make(map[[2]gopacket.Flow]struct{})
	}
	k := [2]gopacket.Flow{netFlow, tcpFlow}
	_, seen := r.dropped[k]
	if !seen {
		_, seen = r.dropped[[2]gopacket.Flow{netFlow.Reverse(), tcpFlow.Reverse()}]
	}
	if !seen {
		r.stats.StreamsDropped++
		if len(r.dropped) < maxDroppedKeys {
			r.dropped[k] = struct{}{}
		}
	}
	if !r.limitSaid {
		r.limitSaid = true
		pc, _ := ac.(*pktCtx)
		var f *fileRef
		frame := 0
		if pc != nil {
			f, frame = pc.file, pc.frame
		}
		r.problem(f, frame, -1, -1, fmt.Errorf("%s: frame %d: %w: %d connections tracked (Options.MaxStreams); new ones are ignored until some close",
			fileName(f), frame, ErrMaxStreams, r.o.MaxStreams))
	}
}

func fileName(f *fileRef) string {
	if f == nil {
		return ""
	}
	return f.name
}

func addrPort(ip, port gopacket.Endpoint) netip.AddrPort {
	a, _ := netip.AddrFromSlice(ip.Raw())
	var p uint16
	if raw := port.Raw(); len(raw) == 2 {
		p = binary.BigEndian.Uint16(raw)
	}
	return netip.AddrPortFrom(a, p)
}

// dir maps gopacket's direction (relative to the first packet) to a Dir.
func (c *conn) dir(d tcpreasm.TCPFlowDirection) Dir {
	if (d == tcpreasm.TCPDirClientToServer) == c.firstIsClient {
		return DirClientToServer
	}
	return DirServerToClient
}

// endpoint describes direction d of c at packet at.
func (c *conn) endpoint(d Dir, at *pktCtx) Endpoint {
	var e Endpoint
	c.setEndpoint(&e, d, at)
	return e
}

// setEndpoint sets every field of *e to what endpoint returns, in place.
func (c *conn) setEndpoint(e *Endpoint, d Dir, at *pktCtx) {
	e.Time = time.Time{}
	if at != nil {
		e.Time = at.ci.Timestamp
	}
	e.Stream, e.Src, e.Dst, e.Dir = c.index, c.addr[d], c.addr[d.Reverse()], d
}

// Accept implements reassembly.Stream. It forces the start of each half
// on its first packet, so that connections captured without their
// handshake are reassembled, and learns whether the half starts at its
// first byte (its SYN, or the sequence number its peer's SYN-ACK acked).
func (c *conn) Accept(tcp *layers.TCP, ci gopacket.CaptureInfo, dir tcpreasm.TCPFlowDirection, nextSeq tcpreasm.Sequence, start *bool, ac tcpreasm.AssemblerContext) bool {
	r := c.r
	*start = true
	c.lastSeen.see(ci.Timestamp, instantOf(ci.Timestamp)) // as gopacket's, for direct framing's idle close
	if r.directs.leaving == c {
		return true // its synthetic RST
	}
	if c.state == stateRejected {
		r.stats.NonSMPP++
		return tcp.FIN || tcp.RST // let gopacket close it and free its slot
	}
	d := c.dir(dir)
	f := &c.dirs[d]
	if nextSeq == invalidSeq && !f.baseOK && c.hold(d, tcp) {
		return false // queued, and fed to the assembler again (hold.go)
	}
	if nextSeq == invalidSeq && !f.baseOK {
		// gopacket starts the half here (start is forced): the stream's
		// first byte has this sequence number, or the next one after a SYN.
		f.base, f.baseOK = tcp.Seq, true
		if tcp.SYN {
			f.base++
		}
	}
	if !f.seen {
		f.seen = true
		f.fresh = tcp.SYN || (c.expectOK[d] && tcp.Seq == c.expect[d])
	}
	if tcp.SYN && tcp.ACK && !c.dirs[d.Reverse()].seen {
		c.expect[d.Reverse()], c.expectOK[d.Reverse()] = tcp.Ack, true
	}
	if c.state == stateProbe || c.unconfirmed {
		c.packets++
	}
	if pc, ok := ac.(*pktCtx); ok && pc.truncated {
		r.problem(pc.file, pc.frame, c.index, -1, fmt.Errorf("%s: frame %d: stream %d: %w (%d of %d bytes): its data is missing from the stream",
			pc.file.name, pc.frame, c.index, ErrSnapLen, pc.ci.CaptureLength, pc.ci.Length))
	}
	if f.baseOK {
		// hi passes the segment's start, then its end: with gopacket's
		// ordering of sequence numbers a segment that wraps the space (its
		// end numerically below its start) still moves hi past the data
		// the assembler may queue.
		end := tcp.Seq + uint32(len(tcp.Payload))
		if tcp.SYN {
			end++
		}
		for _, s := range [2]uint32{tcp.Seq, end} {
			if !c.hiOK[d] || seqDiff(c.hi[d], s) > 0 {
				c.hi[d], c.hiOK[d] = s, true
			}
		}
	}
	if nextSeq != invalidSeq {
		// A segment a quarter of the sequence space or more from where
		// the assembler is: its ordering of such numbers is not
		// transitive, and what it queues can no longer be told from hi.
		// The connection stays in the assembler.
		if dd := int32(tcp.Seq - uint32(nextSeq)); dd >= 1<<30 || dd <= -1<<30 {
			c.noLeave = true
		}
	}
	r.directs.touched, r.directs.touchedDir = c, d
	return true
}

// ReassembledSG implements reassembly.Stream. The bytes are framed at once;
// a partial PDU is copied into the framer rather than kept with KeepFrom
// (see framer).
func (c *conn) ReassembledSG(sg tcpreasm.ScatterGather, ac tcpreasm.AssemblerContext) {
	r := c.r
	gdir, _, end, skip := sg.Info()
	if r.directs.leaving == c {
		if end {
			r.directs.leftHalves++
		}
		return
	}
	if c.state == stateRejected || r.stop {
		return
	}
	d := c.dir(gdir)
	n, _ := sg.Lengths()
	var data []byte
	if n > 0 {
		data = sg.Fetch(n)
	}
	fallback, _ := ac.(*pktCtx)
	r.spans = sgSpans(sg, n, fallback, r.spans)
	ch := chunk{b: data, sp: r.spans}
	reason := ReasonLoss
	if r.inAssemble {
		reason = ReasonMemory // only the page caps make the assembler skip while assembling
	}
	if c.state == stateProbe {
		c.probeChunk(d, ch, skip, reason, end)
		return
	}
	r.countBytes(c, n)
	c.dirs[d].input(ch, skip, reason)
	if end {
		c.dirs[d].finish()
	}
}

// ReassemblyComplete implements reassembly.Stream: both halves are closed.
func (c *conn) ReassemblyComplete(tcpreasm.AssemblerContext) bool {
	if c.r.directs.leaving == c {
		c.r.directs.left = true
		return true
	}
	c.r.completeConn(c)
	return true
}

// complete ends c: both directions are closed.
func (c *conn) complete() {
	switch c.state {
	case stateProbe:
		c.decide(true)
	case stateSMPP:
		for d := range c.dirs {
			c.dirs[d].finish()
		}
	}
	if c.unconfirmed {
		c.unconfirmedEnd()
	}
	c.r.settle(c)
	if c.r.inFlush {
		c.r.stats.IdleClosed++
	}
	c.r.live--
}

// invalidSeq is the Sequence gopacket passes to Accept before a half has
// started.
const invalidSeq tcpreasm.Sequence = -1

// countBytes counts n stream bytes of c.
func (r *runner) countBytes(c *conn, n int) {
	c.bytes += int64(n)
	if c.unconfirmed {
		return // counted when confirmed
	}
	if c.mirror == mirrorReplica {
		r.stats.DuplicateBytes += int64(n)
		return
	}
	r.stats.Bytes += int64(n)
}
