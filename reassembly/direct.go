package reassembly

import (
	"encoding/binary"
	"slices"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	tcpreasm "github.com/gopacket/gopacket/reassembly"
)

// Direct framing of in-order segments.
//
// On a healthy link nearly every segment carries the next bytes its
// direction expects, and half of the packets are bare ACKs. gopacket's
// assembler spends most of its time on its own bookkeeping for such
// packets (a connection lookup keyed by two Flows, a half, a scatter-gather,
// page accounting), so a connection whose data is all delivered leaves the
// assembler: it is then framed directly, each segment's payload handed to
// its framer as the assembler would have handed it. The first segment that
// is not the next one expected (out of order, a hole, a SYN, FIN or RST, a
// truncated frame, the first packet of a direction not started) makes the
// connection rejoin the assembler, which then handles it, and everything
// after it, exactly as before.
//
// Leaving: once both directions have started and the assembler holds no
// byte of the connection (the highest sequence number given to it is the
// one the framer expects next, in both directions), a synthetic RST at the
// expected sequence number of each direction makes the assembler close the
// connection and remove it from its pool; the callbacks that RST causes are
// ignored. Rejoining: a synthetic SYN one before the expected sequence
// number of each direction makes the assembler track it again from there,
// under the same conn. Both are checked: if the assembler did not close
// the connection as expected, it stays in the assembler.

// seqDiff is how far sequence number b is after a, as gopacket's
// assembler reckons it (not int32 arithmetic: a number in the first
// quarter of the space is after one in the last), so that direct framing
// calls a segment old, next or ahead exactly when the assembler would.
func seqDiff(a, b uint32) int {
	return tcpreasm.Sequence(a).Difference(tcpreasm.Sequence(b))
}

// flowKey names one direction of a connection: its addresses and ports.
type flowKey struct {
	net          gopacket.Flow
	sport, dport uint16
}

// flowID is a flowKey packed into plain bytes, the direct table's key: Go
// hashes and compares it as one block of memory, where a flowKey's fields
// (a gopacket.Flow's among them) are hashed one at a time, and the table
// is looked up for every packet.
type flowID [40]byte

func (k flowKey) id() flowID {
	var id flowID
	src, dst := k.net.Endpoints()
	id.set(src.Raw(), dst.Raw(), k.net.EndpointType(), k.sport, k.dport)
	return id
}

// set makes id name the flow from address src, port sport to address dst,
// port dport, the addresses being of type typ.
func (id *flowID) set(src, dst []byte, typ gopacket.EndpointType, sport, dport uint16) {
	*id = flowID{}
	copy(id[0:16], src)
	copy(id[16:32], dst)
	binary.BigEndian.PutUint16(id[32:], sport)
	binary.BigEndian.PutUint16(id[34:], dport)
	id[36], id[37], id[38] = byte(len(src)), byte(len(dst)), byte(typ)
}

// directEntry is a direct connection's direction as seen by one flowKey.
type directEntry struct {
	c   *conn
	dir Dir
}

// directState is the runner's table of connections framed directly.
type directState struct {
	m directTable
	// The connection and direction whose packet the assembler accepted
	// last (set by conn.Accept).
	touched    *conn
	touchedDir Dir
	// The connection leaving the assembler, and what its synthetic RSTs
	// did: halves closed, connection removed.
	leaving    *conn
	leftHalves int
	left       bool
	rejoining  *conn      // returned by runner.New for the synthetic SYN
	seg        layers.TCP // a synthetic segment
	scratch    pktCtx     // the context of a packet framed directly (see settleScratch)
	framing    *framer    // the framer fed with scratch, while it is
	buf        [20]byte
	sp         [1]span
}

func (r *runner) directKey(netFlow gopacket.Flow, tcp *layers.TCP) flowKey {
	return flowKey{net: netFlow, sport: uint16(tcp.SrcPort), dport: uint16(tcp.DstPort)}
}

// direct frames seg, of the flow id, directly when it belongs to a connection that left the
// assembler and is the next segment of its direction. It returns false
// when the segment must go to the assembler (the connection, if it was
// direct, has then rejoined it). pc is the packet's context, or nil: it is
// then made only when the segment carries stream data (from f, frame, ci
// and truncated), so that bare ACKs cost no allocation.
func (r *runner) direct(id *flowID, seg *segment, pc *pktCtx, f *fileRef, frame int, ci *gopacket.CaptureInfo, truncated bool) bool {
	ds := &r.directs
	if ds.m.len() == 0 {
		return false
	}
	e, ok := ds.m.get(id)
	if !ok {
		return false
	}
	c, d := e.c, e.dir
	fr := &c.dirs[d]
	exp := fr.nextSeq()
	diff := seqDiff(exp, seg.seq)
	n := len(seg.payload)
	if pc != nil {
		f, frame, ci, truncated = pc.file, pc.frame, &pc.ci, pc.truncated
	}
	if seg.flags&(tcpSYN|tcpFIN|tcpRST) != 0 || truncated || (diff > 0 && n > 0) || diff <= -1<<30 || diff >= 1<<30 || fr.done {
		if pc == nil {
			pc = r.slab.next(f, frame, ci)
			pc.truncated = truncated
		}
		r.rejoin(c, d, pc)
		return false
	}
	c.lastSeen.see(ci.Timestamp, instantOf(ci.Timestamp))
	if n == 0 || c.r.stop {
		return true // a bare ACK (or a window probe ahead): no stream data
	}
	if diff < 0 { // a retransmission: only what follows the bytes framed is new
		if int(-diff) >= n {
			return true
		}
		n += int(diff)
	}
	scratch := pc == nil
	if scratch {
		pc = r.slab.scratch(&ds.scratch, f, frame, ci)
	}
	data := seg.payload[len(seg.payload)-n:]
	ds.sp[0] = span{n, pc}
	r.countBytes(c, n)
	if scratch {
		ds.framing = fr // for afterPanic, should framing not return
	}
	fr.input(chunk{b: data, sp: ds.sp[:]}, 0, ReasonLoss)
	if scratch {
		ds.framing = nil
		ds.settleScratch(&r.slab, fr)
	}
	return true
}

// settleScratch gives what fr keeps of the packet just framed, whose
// context is ds.scratch, a context of its own: a partial PDU's bytes and a
// gap opened at the packet get a copy in the slab; the direction's latest
// packet is copied into fr.lastCopy. Most packets carry whole PDUs, so that
// most contexts of direct framing need no slab entry: the slab's fresh
// memory (allocated by the block, touched once, collected later) cost
// more than the rest of handling a packet's context.
func (ds *directState) settleScratch(s *ctxSlab, fr *framer) {
	sc := &ds.scratch
	var kept *pktCtx
	for i := range fr.bufSp {
		if fr.bufSp[i].c == sc {
			if kept == nil {
				kept = s.place(*sc)
			}
			fr.bufSp[i].c = kept
		}
	}
	if fr.gapAt == sc {
		if kept == nil {
			kept = s.place(*sc)
		}
		fr.gapAt = kept
	}
	if fr.last == sc {
		if kept != nil {
			fr.last = kept
			return
		}
		fr.lastCopy = *sc
		fr.lastCopy.bindSelf()
		fr.last = &fr.lastCopy
	}
}

// mayLeave makes c, whose packet the assembler just handled, leave it when
// nothing of c is buffered there (see the comment at the top).
func (r *runner) mayLeave(netFlow gopacket.Flow, tcp *layers.TCP, pc *pktCtx) {
	ds := &r.directs
	c, d := ds.touched, ds.touchedDir
	ds.touched = nil
	if c == nil || r.o.noDirect || c.noLeave || c.state != stateSMPP || c.unconfirmed || r.stop || r.replaying != nil || r.wake != nil || r.inFlush {
		return
	}
	for i := range c.dirs {
		f := &c.dirs[i]
		if !f.baseOK || !f.seen || f.done || !c.hiOK[i] || c.hi[i] != f.nextSeq() {
			return
		}
	}
	// Both directions' flows, from this packet's.
	var keys [2]flowKey
	keys[d] = r.directKey(netFlow, tcp)
	keys[d.Reverse()] = flowKey{net: netFlow.Reverse(), sport: keys[d].dport, dport: keys[d].sport}
	if k0 := keys[0].id(); ds.m.has(&k0) {
		return
	}
	ds.leaving, ds.left, ds.leftHalves = c, false, 0
	for i := range c.dirs {
		f := &c.dirs[i]
		r.synthetic(keys[i], f.nextSeq(), tcpRST, pc, pc.ci.Timestamp)
		if ds.leftHalves != i+1 {
			break
		}
	}
	ds.leaving = nil
	if !ds.left {
		return // stays in the assembler
	}
	c.keys = keys
	for i := range keys {
		ds.m.put(keys[i].id(), directEntry{c, Dir(i)})
	}
	r.stats.directLeaves++
}

// rejoin hands direct connection c back to the assembler before the
// segment tcp of its direction d: the assembler starts each direction at
// the sequence number its framer expects next.
func (r *runner) rejoin(c *conn, d Dir, pc *pktCtx) {
	ds := &r.directs
	for i := range c.keys {
		ds.m.del(c.keys[i].id())
	}
	r.stats.directRejoins++
	// The assembler's client is the sender of the first packet it sees:
	// the SYNs go in the order that keeps it the one it was.
	first := DirClientToServer
	if !c.firstIsClient {
		first = DirServerToClient
	}
	ds.rejoining = c
	for _, i := range [2]Dir{first, first.Reverse()} {
		f := &c.dirs[i]
		c.hi[i], c.hiOK[i] = f.nextSeq(), true
		// SYN, at the connection's latest time: gopacket's idle clock
		// starts from it, as if it had seen every packet.
		r.synthetic(c.keys[i], f.nextSeq()-1, tcpSYN, pc, c.lastSeen.t)
	}
	ds.rejoining = nil
}

// synthetic feeds the assembler a bare segment of flow k with sequence
// number seq and TCP flags, from the frame of pc, at capture time ts.
func (r *runner) synthetic(k flowKey, seq uint32, flags byte, pc *pktCtx, ts time.Time) {
	ds := &r.directs
	if err := bareSegment(&ds.seg, &ds.buf, k.sport, k.dport, seq, 0, flags); err != nil {
		return
	}
	ci := pc.ci
	ci.Timestamp = ts
	ctx := r.slab.next(pc.file, pc.frame, &ci)
	r.asm.AssembleWithContext(k.net, &ds.seg, ctx)
}

// closeDirect closes the direct connections silent since before tc (all
// of them when tc is zero), in Stream order.
func (r *runner) closeDirect(tc time.Time) {
	ds := &r.directs
	var idleConns []*conn
	ds.m.each(func(k flowID, e directEntry) {
		if e.dir == DirClientToServer && k == e.c.keys[0].id() && (tc.IsZero() || e.c.lastSeen.t.Before(tc)) {
			idleConns = append(idleConns, e.c)
		}
	})
	slices.SortFunc(idleConns, func(a, b *conn) int { return a.index - b.index })
	for _, c := range idleConns {
		for i := range c.keys {
			ds.m.del(c.keys[i].id())
		}
		r.completeConn(c)
	}
}
