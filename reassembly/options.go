package reassembly

import (
	"io"
	"time"

	"smppdump.dev/smppdump/decode"
)

// Defaults applied by Run to zero-valued Options fields.
const (
	// DefaultMaxBufferedPagesTotal caps the pages (1900 bytes each) that
	// gopacket's assembler holds for out-of-order data, over all connections.
	DefaultMaxBufferedPagesTotal = 1 << 16
	// DefaultMaxBufferedPagesPerConn caps those pages for one connection.
	DefaultMaxBufferedPagesPerConn = 1 << 12
	// DefaultMaxStreams caps the TCP connections tracked at once.
	DefaultMaxStreams = 100_000
	// DefaultMaxHalfOpen caps the connections known only by their
	// handshake (no data yet) at once.
	DefaultMaxHalfOpen = 1 << 14
	// DefaultFlushIdle is how long, in capture time, a connection may stay
	// silent before it is closed and its remaining data delivered.
	DefaultFlushIdle = 10 * time.Minute
	// DefaultLossTimeout is how long, in capture time, out-of-order data
	// waits for the bytes before it before they are reported lost.
	DefaultLossTimeout = 5 * time.Second
	// DefaultMirrorWindow is how far apart, in capture time, the two
	// copies of a packet captured twice may be (see Options.KeepDuplicates).
	DefaultMirrorWindow = 50 * time.Millisecond
	// DefaultSnaplen is the snap length of live captures.
	DefaultSnaplen = 262144
)

// skipMax is the largest command_length skipped unbuffered as
// "pdu-too-large"; a larger one is taken for a lost boundary.
const skipMax = 16 << 20

// flushEvery is how often, in packets and in capture time, Run asks the
// assembler to flush lost data and idle connections.
const (
	flushEveryPackets = 10_000
	flushEveryTime    = time.Second
)

// Options configure Run. The zero value reads nothing as SMPP: set Ports or
// Heuristic. Zero limits take the Default* values.
type Options struct {
	// Ports are TCP ports that carry SMPP: a connection with either port
	// listed is SMPP. The caller applies the 2775 default.
	Ports []uint16
	// Heuristic detects SMPP on other connections from their first bytes:
	// each direction with data must start with a plausible header (and, when
	// it holds two PDUs, the second must follow the first); both directions
	// must show a complete PDU, or one direction two chained PDUs.
	Heuristic bool
	// MaxPDU is the largest command_length accepted; 0 means
	// decode.DefaultMaxPDU.
	MaxPDU uint32
	// MaxBufferedPagesTotal and MaxBufferedPagesPerConn cap gopacket's
	// out-of-order buffers. At a cap, the oldest hole is given up (a Gap
	// with ReasonMemory).
	MaxBufferedPagesTotal   int
	MaxBufferedPagesPerConn int
	// MaxStreams caps the connections tracked at once; packets of further
	// connections are counted in Stats.StreamsDropped and otherwise ignored.
	MaxStreams int
	// MaxHalfOpen caps the connections known only by their handshake (a
	// SYN or SYN-ACK, no data yet) at once. They do not count against
	// MaxStreams; at this limit the least recently active one is forgotten
	// (Stats.HalfOpenEvicted), so that a SYN flood costs bounded memory and
	// keeps no real session out. A connection forgotten that way and seen
	// again with data is tracked from there, as if captured mid-stream.
	MaxHalfOpen int
	// FlushIdle closes connections silent this long in capture time. A
	// connection seen again after that gets a new Stream index.
	FlushIdle time.Duration
	// LossTimeout is how long out-of-order data waits, in capture time, for
	// a missing segment before the hole is reported as lost.
	LossTimeout time.Duration
	// Limit stops Run after this many PDUs; 0 means no limit.
	Limit int
	// Stdin is read for the file name "-"; nil means os.Stdin.
	Stdin io.Reader

	// KeepDuplicates turns off the detection of mirror connections: the
	// same conversation captured twice under two 4-tuples, as on both
	// sides of a NAT or on two interfaces (packets captured twice under
	// the same 4-tuple are always dropped by TCP reassembly). By default
	// the later copy's PDUs and gaps are not delivered; Stats counts them.
	// See the package documentation for the rule.
	KeepDuplicates bool
	// MirrorWindow is how far apart in capture time the two copies of a
	// PDU may be; 0 means DefaultMirrorWindow.
	MirrorWindow time.Duration

	// Progress, when set, is called from Run's goroutine at most every
	// ProgressEvery of wall time while input is read, and once more at the
	// end with ProgressInfo.Done set.
	Progress func(ProgressInfo)
	// ProgressEvery is the least wall time between two Progress calls; 0
	// means 250 ms.
	ProgressEvery time.Duration

	// Spool, when set, keeps a copy of standard input ("-") as Run reads
	// it, and of every frame RunLive captures, so that CopyFrames can read
	// them again. The caller closes it, which removes the copies.
	Spool *Spool

	// Live capture only (RunLive).

	// Filter is a BPF expression in libpcap syntax (tcpdump -f). It needs a
	// build with the "pcap" tag; without it RunLive filters in the kernel
	// on Ports itself (all TCP when Heuristic is set).
	Filter string
	// Snaplen is the largest number of bytes kept of each packet; 0 means
	// DefaultSnaplen.
	Snaplen int
	// Promiscuous puts the interface in promiscuous mode.
	Promiscuous bool
	// Listening, when set, is called once the capture has started, before
	// the first packet is read.
	Listening func(LiveInfo)

	// noDirect keeps every connection in gopacket's assembler (no direct
	// framing, direct.go): the reference the tests compare direct framing with.
	noDirect bool
}

// withDefaults returns o with the zero limits replaced by the defaults.
func (o Options) withDefaults() Options {
	if o.MaxPDU == 0 {
		o.MaxPDU = decode.DefaultMaxPDU
	}
	if o.MaxBufferedPagesTotal <= 0 {
		o.MaxBufferedPagesTotal = DefaultMaxBufferedPagesTotal
	}
	if o.MaxBufferedPagesPerConn <= 0 {
		o.MaxBufferedPagesPerConn = DefaultMaxBufferedPagesPerConn
	}
	if o.MaxStreams <= 0 {
		o.MaxStreams = DefaultMaxStreams
	}
	if o.MaxHalfOpen <= 0 {
		o.MaxHalfOpen = DefaultMaxHalfOpen
	}
	if o.FlushIdle <= 0 {
		o.FlushIdle = DefaultFlushIdle
	}
	if o.LossTimeout <= 0 {
		o.LossTimeout = DefaultLossTimeout
	}
	if o.MirrorWindow <= 0 {
		o.MirrorWindow = DefaultMirrorWindow
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = defaultProgressEvery
	}
	if o.Snaplen <= 0 {
		o.Snaplen = DefaultSnaplen
	}
	return o
}
