package reassembly

import (
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// Dir is the direction of one half of a TCP connection.
type Dir uint8

// Directions. The client is the side that sent the SYN when the handshake
// was captured; otherwise the side whose port is not in Options.Ports; when
// neither or both ports are listed, the side with the higher port.
const (
	DirClientToServer Dir = iota // from the client ("c>s")
	DirServerToClient            // from the server ("s>c")
)

// String returns "c>s" or "s>c".
func (d Dir) String() string {
	if d == DirServerToClient {
		return "s>c"
	}
	return "c>s"
}

// Reverse returns the other direction.
func (d Dir) Reverse() Dir { return d ^ 1 }

// Endpoint says which connection and direction a record belongs to and when
// the packet that produced it was captured.
type Endpoint struct {
	Time time.Time // capture timestamp of the packet
	// Stream is the 0-based index of the connection in order of first
	// sight, across all files of a run. Every connection tracked takes one,
	// including those the heuristic later rejects, so the indexes of SMPP
	// connections may have holes.
	Stream int
	Src    netip.AddrPort
	Dst    netip.AddrPort
	Dir    Dir
}

// PDU is one complete SMPP PDU taken from a TCP stream. A PDU and its slices
// alias buffers that are reused once the Handler returns; Clone keeps one.
type PDU struct {
	File  string // capture file name as given to Run ("-" for standard input)
	Frame int    // 1-based frame number, within File, of the packet that completed the PDU
	// Frames lists, ascending, every frame of File that carried a byte of
	// the PDU. A PDU begun in an earlier file lists only its frames in File.
	Frames []int
	Endpoint
	Offset int64  // offset of the PDU's first byte in its direction's byte stream (gaps counted)
	Data   []byte // the whole PDU, command_length octets
}

// Clone returns a deep copy of p that stays valid after the Handler returns.
func (p *PDU) Clone() *PDU {
	c := *p
	c.Frames = slices.Clone(p.Frames)
	c.Data = slices.Clone(p.Data)
	return &c
}

// Gap reasons.
const (
	ReasonMidStream  = "mid-stream"    // the capture starts inside the direction's byte stream
	ReasonLoss       = "loss"          // bytes missing from the capture (waited Options.LossTimeout, or end of input)
	ReasonMemory     = "memory-limit"  // out-of-order data dropped at the MaxBufferedPages* caps
	ReasonResync     = "resync"        // an implausible command_length: the PDU boundary was lost
	ReasonTooLarge   = "pdu-too-large" // a plausible PDU above Options.MaxPDU, skipped unbuffered
	ReasonIncomplete = "incomplete"    // the stream ended inside a PDU
)

// Gap reports bytes of a direction's stream that were not delivered as
// PDUs. The first PDU after the gap starts at Offset+max(Lost,0)+Discarded.
type Gap struct {
	File  string // capture file of the packet where the gap was noticed
	Frame int    // that packet's 1-based frame number
	Endpoint
	Offset int64 // stream offset where undelivered bytes begin
	// Bytes is the number of stream bytes skipped, Lost+Discarded, or -1
	// when Lost is unknown.
	Bytes     int64
	Lost      int64  // bytes missing from the capture; -1 when unknown (the capture started mid-stream)
	Discarded int64  // captured bytes thrown away (a partial PDU, bytes scanned while resynchronising)
	Reason    string // one of the Reason constants
}

// Problem reports a packet- or file-level issue that is not a gap in a
// stream: a damaged or truncated capture file, an undecodable frame, a
// packet cut by the snap length, a limit reached. Err says what, and wraps
// one of the Err sentinels.
type Problem struct {
	File   string
	Frame  int   // 1-based frame number; 0 when the problem is not about one frame
	Stream int   // connection index, or -1
	Offset int64 // stream offset when Stream >= 0 and known, else -1
	Err    error
}

// Error returns Err's message, which names the file and frame.
func (p *Problem) Error() string {
	if p.Err == nil {
		return fmt.Sprintf("reassembly: %s: frame %d: unknown problem", p.File, p.Frame)
	}
	return p.Err.Error()
}

// Unwrap returns Err.
func (p *Problem) Unwrap() error { return p.Err }

// Handler receives Run's output. Its methods are called from Run's
// goroutine, one at a time; their arguments alias reused buffers. A panic
// in PDU or Gap is recovered and reported as a Problem (ErrInternal) naming
// the frame, and Run goes on. Problem is how Run reports, that panic
// included, so it must not panic itself: a panic there may end Run.
type Handler interface {
	PDU(*PDU)
	Gap(*Gap)
	Problem(*Problem)
}
