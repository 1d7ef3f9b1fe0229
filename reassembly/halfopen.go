package reassembly

import (
	"encoding/binary"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	tcpreasm "github.com/gopacket/gopacket/reassembly"
)

// Connections that have not carried data yet.
//
// A connection whose first packet is a SYN (or a SYN-ACK) without data is
// not handed to gopacket's assembler and costs no conn: its handshake is
// kept in a small record, a halfOpen, which takes the connection's Stream
// index (so indexes are as if it were tracked) but does not count against
// Options.MaxStreams. Records have their own budget, Options.MaxHalfOpen:
// at the limit the least recently active one is forgotten
// (Stats.HalfOpenEvicted); one silent for Options.FlushIdle is forgotten
// like an idle connection (Stats.IdleClosed); a FIN or RST before any data
// ends it. So a SYN flood costs a bounded amount of memory and never keeps
// a real session out.
//
// When the connection's first data comes, the handshake is fed to the
// assembler, then the data: gopacket starts each half at its SYN, exactly
// as if the connection had been tracked from its first packet (its first
// data may still be captured out of order, and each direction is known to
// start at its first byte).

// halfOpen is a connection known only by its handshake.
type halfOpen struct {
	key   [2]gopacket.Flow // network and TCP flows of its first packet
	ports [2]uint16        // source and destination port of its first packet
	index int              // its Stream index
	syn   [2]synSeg        // the first SYN of each side, in capture order
	n     int              // entries of syn in use
	seen  time.Time        // capture clock at its latest packet

	prev, next *halfOpen // least recently active first
}

// synSeg is a SYN or SYN-ACK without data, and the packet that carried it.
type synSeg struct {
	fromFirst bool // sent by the side that sent the connection's first packet
	ack       bool // ACK flag (a SYN-ACK)
	seq, ackn uint32
	// The packet's pktCtx, kept by value: a pointer would keep the whole
	// slab block of pktCtx values it came from alive.
	ts      time.Time
	capLen  int
	length  int
	file    *fileRef
	frame   int
	order   int64
	present bool
}

// halfOpenTable holds the records, indexed by flow, in a list by activity.
type halfOpenTable struct {
	m          map[[2]gopacket.Flow]*halfOpen
	head, tail *halfOpen
}

func (t *halfOpenTable) len() int { return len(t.m) }

// find returns the record of the connection netFlow/tcpFlow belongs to, in
// either direction, or nil.
func (t *halfOpenTable) find(netFlow, tcpFlow gopacket.Flow) *halfOpen {
	if len(t.m) == 0 {
		return nil
	}
	if h := t.m[[2]gopacket.Flow{netFlow, tcpFlow}]; h != nil {
		return h
	}
	return t.m[[2]gopacket.Flow{netFlow.Reverse(), tcpFlow.Reverse()}]
}

// add puts h at the end of the list.
func (t *halfOpenTable) add(h *halfOpen) {
	if t.m == nil {
		t.m = make(map[[2]gopacket.Flow]*halfOpen)
	}
	t.m[h.key] = h
	t.link(h)
}

func (t *halfOpenTable) link(h *halfOpen) {
	h.prev, h.next = t.tail, nil
	if t.tail != nil {
		t.tail.next = h
	} else {
		t.head = h
	}
	t.tail = h
}

func (t *halfOpenTable) unlink(h *halfOpen) {
	if h.prev != nil {
		h.prev.next = h.next
	} else {
		t.head = h.next
	}
	if h.next != nil {
		h.next.prev = h.prev
	} else {
		t.tail = h.prev
	}
	h.prev, h.next = nil, nil
}

// remove forgets h.
func (t *halfOpenTable) remove(h *halfOpen) {
	if t.m[h.key] != h {
		return
	}
	delete(t.m, h.key)
	t.unlink(h)
}

// touch marks h as the most recently active.
func (t *halfOpenTable) touch(h *halfOpen, now time.Time) {
	h.seen = now
	if t.tail != h {
		t.unlink(h)
		t.link(h)
	}
}

// reset forgets every record.
func (t *halfOpenTable) reset() { *t = halfOpenTable{} }

// record stores the SYN in tcp, of the packet ac, in h: the first SYN of
// each side is kept (a retransmission changes nothing, a new initial
// sequence number replaces the old one).
func (h *halfOpen) record(fromFirst bool, tcp *layers.TCP, ac tcpreasm.AssemblerContext) {
	i := 0
	for ; i < h.n; i++ {
		if h.syn[i].fromFirst == fromFirst {
			break
		}
	}
	if i == len(h.syn) {
		return
	}
	s := &h.syn[i]
	if i < h.n && s.seq == tcp.Seq {
		return
	}
	*s = synSeg{fromFirst: fromFirst, ack: tcp.ACK, seq: tcp.Seq, ackn: tcp.Ack}
	if pc, ok := ac.(*pktCtx); ok && pc != nil {
		s.ts, s.capLen, s.length = pc.ci.Timestamp, pc.ci.CaptureLength, pc.ci.Length
		s.file, s.frame, s.order, s.present = pc.file, pc.frame, pc.order, true
	}
	if i == h.n {
		h.n++
	}
}

// addHalfOpen records a connection whose first packet is tcp, a SYN or
// SYN-ACK without data. The connection takes its Stream index now.
func (r *runner) addHalfOpen(netFlow, tcpFlow gopacket.Flow, tcp *layers.TCP, ac tcpreasm.AssemblerContext) {
	t := &r.half
	for t.len() >= r.o.MaxHalfOpen && t.head != nil {
		t.remove(t.head)
		r.stats.HalfOpenEvicted++
	}
	h := &halfOpen{
		key:   [2]gopacket.Flow{netFlow, tcpFlow},
		ports: [2]uint16{uint16(tcp.SrcPort), uint16(tcp.DstPort)},
		index: r.nextStream,
		seen:  r.now,
	}
	h.record(true, tcp, ac)
	r.nextStream++
	r.stats.Connections++
	t.add(h)
}

// halfOpenPacket handles a packet of the connection of record h that
// gopacket does not track: a SYN or an ACK is recorded, a FIN or RST ends
// the record, and data makes runner.assembleTCP replay the handshake.
func (r *runner) halfOpenPacket(h *halfOpen, netFlow, tcpFlow gopacket.Flow, tcp *layers.TCP, ac tcpreasm.AssemblerContext) {
	switch {
	case len(tcp.Payload) > 0:
		r.wake = h
	case tcp.FIN || tcp.RST:
		r.half.remove(h) // closed before any data
	default:
		if tcp.SYN {
			h.record(netFlow == h.key[0] && tcpFlow == h.key[1], tcp, ac)
		}
		r.half.touch(h, r.now)
	}
}

// expireHalfOpen forgets the records silent since before t.
func (r *runner) expireHalfOpen(t time.Time) {
	for h := r.half.head; h != nil && h.seen.Before(t); h = r.half.head {
		r.half.remove(h)
		r.stats.IdleClosed++
	}
}

// replay feeds the handshake of h to the assembler, which then tracks the
// connection under h's Stream index (see runner.New). cur is the packet
// that woke h.
func (r *runner) replay(h *halfOpen, cur *pktCtx) {
	r.half.remove(h)
	r.replaying, r.wakeCtx = h, cur
	defer func() { r.replaying, r.wakeCtx = nil, nil }()
	for i := range h.n {
		s := &h.syn[i]
		sport, dport := h.ports[0], h.ports[1]
		netFlow := h.key[0]
		if !s.fromFirst {
			sport, dport, netFlow = dport, sport, netFlow.Reverse()
		}
		flags := byte(tcpSYN)
		if s.ack {
			flags |= tcpACK
		}
		if err := bareSegment(&r.synTCP, &r.synBuf, sport, dport, s.seq, s.ackn, flags); err != nil {
			return
		}
		var pc *pktCtx
		if s.present {
			pc = r.slab.next(s.file, s.frame, &gopacket.CaptureInfo{Timestamp: s.ts, CaptureLength: s.capLen, Length: s.length})
			pc.order = s.order
		} else {
			pc = r.slab.next(cur.file, cur.frame, &cur.ci)
		}
		r.asm.AssembleWithContext(netFlow, &r.synTCP, pc)
		if r.replaying != nil {
			return // runner.New refused the connection (Options.MaxStreams)
		}
	}
}

// assembleTCP feeds one segment to the assembler. When it is the first
// data of a connection known only by its handshake, the handshake goes
// first and the segment again.
func (r *runner) assembleTCP(netFlow gopacket.Flow, tcp *layers.TCP, pc *pktCtx) {
	r.inAssemble = true
	r.directs.touched = nil
	r.asm.AssembleWithContext(netFlow, tcp, pc)
	if h := r.wake; h != nil {
		r.wake = nil
		r.replay(h, pc)
		r.directs.touched = nil
		r.asm.AssembleWithContext(netFlow, tcp, pc)
	}
	r.inAssemble = false
	r.mayLeave(netFlow, tcp, pc)
}

// TCP flags: those of the bare segments fed to the assembler, and those
// that end direct framing.
const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpRST = 0x04
	tcpACK = 0x10
)

// bareSegment decodes into tcp a TCP header without options or payload,
// built in buf: from sport to dport, with sequence and acknowledgement
// numbers seq and ack, and flags.
func bareSegment(tcp *layers.TCP, buf *[20]byte, sport, dport uint16, seq, ack uint32, flags byte) error {
	b := buf[:]
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint32(b[4:], seq)
	binary.BigEndian.PutUint32(b[8:], ack)
	b[12] = 5 << 4 // data offset: 20 octets, no options
	b[13] = flags
	b[14], b[15] = 0xff, 0xff // window
	b[16], b[17], b[18], b[19] = 0, 0, 0, 0
	return tcp.DecodeFromBytes(b, gopacket.NilDecodeFeedback)
}
