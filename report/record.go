package report

import (
	"net/netip"
	"time"

	"smppdump.dev/smppdump/decode"
)

// Meta says where and when a PDU was seen.
type Meta struct {
	File   string
	Frame  int       // 1-based frame number of the packet that completed the PDU
	Time   time.Time // capture time of that packet
	Stream int       // 0-based connection index in order of first sight
	Src    netip.AddrPort
	Dst    netip.AddrPort
	Dir    string // "c>s" from the connection's client, "s>c" from its server
	Offset int64  // the PDU's offset in its direction's byte stream
}

// PDURecord is one decoded PDU with its whereabouts. PDU aliases buffers
// that are reused after the writer returns.
type PDURecord struct {
	Meta
	PDU *decode.PDU
	// On a response matched to its request: the time between them and the
	// request's frame.
	Latency    time.Duration
	HasLatency bool
	ReqFrame   int
}

// GapRecord reports bytes of a stream that could not be read.
type GapRecord struct {
	Meta
	Bytes  int64 // -1 when unknown (the capture started inside the connection)
	Reason string
}

// Counter is a named number, kept in a fixed order for output.
type Counter struct {
	Name  string
	Value int64
}
