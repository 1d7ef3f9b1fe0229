package reassembly

import (
	"slices"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Holding the first packets of a direction seen without its start.
//
// gopacket starts a half at the first packet it accepts; with no SYN
// captured, that is the first packet captured, and a segment with a lower
// sequence number captured after it (the capture started while the first
// segments were reordered) is dropped as old. So when a direction's first
// packet comes without a known start, it and every packet captured after
// it, of any connection, wait in a queue, until holdPackets packets of
// that direction have come, holdWindow of capture time has passed since
// its first, a FIN or RST of it comes, the queue is full, or the input
// ends. Then the direction's packets are sorted by sequence number within
// the places they had in the queue, and the queue is fed to the assembler
// in capture order: the stream starts at the lowest sequence number
// captured, and the order of everything else is kept. Queued packets keep
// their pktCtx: PDUs still carry the frame and time of the packet that
// completed them.

const (
	holdPackets    = 8                      // packets of the held direction that end its hold
	holdWindow     = 200 * time.Millisecond // capture time a direction is held at most
	holdTotal      = 2048                   // packets queued at most
	holdTotalBytes = 8 << 20                // bytes queued at most
)

// heldPkt is a TCP segment queued for the assembler.
type heldPkt struct {
	netFlow gopacket.Flow
	key     [2]gopacket.Flow // netFlow and the TCP ports: the direction
	raw     []byte           // TCP header and payload, copied
	seq     uint32
	end     bool // FIN or RST
	pc      *pktCtx
}

// holdState is the runner's queue of held packets.
type holdState struct {
	window time.Duration
	queue  []heldPkt
	head   int
	bytes  int

	active bool // the packet at the head starts a held direction
	dir    *framer
	key    [2]gopacket.Flow
	start  time.Time // capture time of the direction's first packet
	count  int       // its packets queued
	end    bool      // a FIN or RST of it is queued

	want *framer // set by Accept: the packet being fed starts a held direction
	tcp  layers.TCP
}

// hold reports whether the packet being fed to the assembler, of
// direction d of c, must wait: it is the direction's first and its start
// is unknown. It runs inside the assembler.
func (c *conn) hold(d Dir, tcp *layers.TCP) bool {
	f := &c.dirs[d]
	if f.holdDone || tcp.SYN || c.expectOK[d] {
		return false
	}
	c.r.hold.want = f
	return true
}

// queued says whether packets must go through the queue.
func (h *holdState) queued() bool { return h.head < len(h.queue) }

// assemble feeds the decoded packet to the assembler, or queues it.
func (r *runner) assemble(pc *pktCtx) {
	h := &r.hold
	if !h.queued() {
		h.want = nil // runner.packet has tried direct framing
		r.assembleTCP(r.dec.netFlow, &r.dec.tcp, pc)
		if h.want == nil {
			return
		}
		r.enqueue(pc)
		r.startHold()
	} else {
		r.enqueue(pc)
		if p := &h.queue[len(h.queue)-1]; h.active && p.key == h.key {
			h.count++
			h.end = h.end || p.end
		}
	}
	if r.holdDue() {
		r.releaseHold()
	}
}

// enqueue copies the decoded packet to the end of the queue.
func (r *runner) enqueue(pc *pktCtx) {
	tcp := &r.dec.tcp
	raw := make([]byte, 0, len(tcp.Contents)+len(tcp.Payload))
	raw = append(append(raw, tcp.Contents...), tcp.Payload...)
	r.hold.queue = append(r.hold.queue, heldPkt{
		netFlow: r.dec.netFlow, key: [2]gopacket.Flow{r.dec.netFlow, tcp.TransportFlow()},
		raw: raw, seq: tcp.Seq, end: tcp.FIN || tcp.RST, pc: pc,
	})
	r.hold.bytes += len(raw)
}

// startHold starts holding the direction Accept named, whose first packet
// is at the head of the queue.
func (r *runner) startHold() {
	h := &r.hold
	first := &h.queue[h.head]
	h.active, h.dir, h.want = true, h.want, nil
	h.key, h.start, h.count, h.end = first.key, first.pc.ci.Timestamp, 0, false
	for i := h.head; i < len(h.queue); i++ {
		if p := &h.queue[i]; p.key == h.key {
			h.count++
			h.end = h.end || p.end
			if h.count >= holdPackets || h.end {
				break // due: no need to count further
			}
		}
	}
}

// holdDue says whether the held direction's wait is over.
func (r *runner) holdDue() bool {
	h := &r.hold
	return h.active && (h.count >= holdPackets || h.end || r.now.Sub(h.start) >= h.window ||
		len(h.queue)-h.head > holdTotal || h.bytes > holdTotalBytes)
}

// releaseHold ends the hold that is due and feeds the queue to the
// assembler up to the next direction to hold.
func (r *runner) releaseHold() { r.drain(false) }

// drain feeds the queue to the assembler, ending each hold at its head
// that is due, or with all every one, until a hold is not due or the
// queue is empty.
func (r *runner) drain(all bool) {
	h := &r.hold
	for !r.stop {
		if h.active {
			if !all && !r.holdDue() {
				return
			}
			r.sortHeld()
		}
		if !h.queued() {
			h.queue, h.head, h.bytes = h.queue[:0], 0, 0
			return
		}
		// Taken off the queue first: a packet that panics in the
		// assembler is not fed again.
		p := h.queue[h.head]
		h.queue[h.head] = heldPkt{}
		h.head++
		h.bytes -= len(p.raw)
		h.want = nil
		if err := h.tcp.DecodeFromBytes(p.raw, gopacket.NilDecodeFeedback); err == nil {
			id := flowKey{p.netFlow, uint16(h.tcp.SrcPort), uint16(h.tcp.DstPort)}.id()
			if seg := segmentOf(&h.tcp); !r.direct(&id, &seg, p.pc, nil, 0, nil, false) {
				r.assembleTCP(p.netFlow, &h.tcp, p.pc)
			}
		}
		if h.want != nil { // it starts a held direction: back to the head
			h.head--
			h.queue[h.head] = p
			h.bytes += len(p.raw)
			r.startHold()
			continue
		}
		if h.head > 1024 && h.head > len(h.queue)/2 {
			h.queue = h.queue[:copy(h.queue, h.queue[h.head:])]
			h.head = 0
		}
	}
}

// sortHeld ends the hold: the held direction's packets are sorted by
// sequence number (relative to its first, so that wraparound sorts right;
// packets with the same one keep their order) within their places in the
// queue.
func (r *runner) sortHeld() {
	h := &r.hold
	h.active = false
	h.dir.holdDone = true
	h.dir = nil
	var at []int
	var ps []heldPkt
	for i := h.head; i < len(h.queue); i++ {
		if h.queue[i].key == h.key {
			at = append(at, i)
			ps = append(ps, h.queue[i])
		}
	}
	first := ps[0].seq
	slices.SortStableFunc(ps, func(a, b heldPkt) int {
		x, y := int32(a.seq-first), int32(b.seq-first)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
	for k, i := range at {
		h.queue[i] = ps[k]
	}
}
