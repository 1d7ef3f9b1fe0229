package capgen

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"net/netip"
	"time"
)

// Gaps between the packets that one Conn call generates. Both are whole
// microseconds so that timestamps stay strictly increasing at microsecond
// precision.
const (
	// SegmentGap separates consecutive packets sent by one side in one call.
	SegmentGap = 20 * time.Microsecond
	// AckDelay separates a packet from the peer's reply to it (an ACK, a
	// SYN-ACK, a FIN).
	AckDelay = 40 * time.Microsecond
)

// Initial receive windows, as a Linux client and server advertise them
// without window scaling.
const (
	defaultClientWindow = 64240
	defaultServerWindow = 65160
)

// ConnOption customizes a Conn created by Writer.NewConn.
type ConnOption func(*connConfig)

// connConfig collects the ConnOptions.
type connConfig struct {
	seed    uint64
	isn     *[2]uint32
	mss     int
	window  [2]uint16
	mirrors []mirror
}

// mirror is a NAT copy of a connection (see WithMirror).
type mirror struct {
	client, server netip.AddrPort
	delay          time.Duration
}

// WithSeed mixes seed into the derivation of the initial sequence numbers
// and IP IDs, to get different-looking numbers for the same 4-tuple.
func WithSeed(seed uint64) ConnOption {
	return func(c *connConfig) { c.seed = seed }
}

// WithISN sets the initial sequence numbers of the client and the server,
// e.g. close to 2^32 to test sequence-number wraparound. The SYN carries the
// ISN and the first data byte is ISN+1.
func WithISN(client, server uint32) ConnOption {
	return func(c *connConfig) { c.isn = &[2]uint32{client, server} }
}

// WithMSS overrides the Writer's MSS for this connection.
func WithMSS(mss int) ConnOption {
	return func(c *connConfig) { c.mss = mss }
}

// WithWindow sets the receive windows the client and the server advertise
// (defaults 64240 and 65160). No window scaling is negotiated.
func WithWindow(client, server uint16) ConnOption {
	return func(c *connConfig) { c.window = [2]uint16{client, server} }
}

// WithMirror makes every packet written through the Conn's Write (and so
// every high-level operation) be written a second time, delay later, with the
// client and server addresses and ports replaced: the same conversation seen
// on the other side of a NAT. The copy is byte-identical above the IP header
// except for the ports and checksums, and its TTL is one less. Keep delay
// below SegmentGap so the file's timestamps stay in order. The option may be
// given several times.
func WithMirror(client, server netip.AddrPort, delay time.Duration) ConnOption {
	return func(c *connConfig) { c.mirrors = append(c.mirrors, mirror{client, server, delay}) }
}

// side is the sending state of one end of a connection.
type side struct {
	isn    uint32
	nxt    uint32 // next sequence number to send (SND.NXT)
	ipid   uint16 // next IPv4 identification
	window uint16
	fin    bool // FIN sent
}

// Conn simulates one TCP connection between a client and a server and
// writes its packets through a Writer. It tracks both sides' sequence
// numbers: data, SYN and FIN advance them, and every packet acknowledges
// everything the peer has sent so far. Like Writer, it is not safe for
// concurrent use.
type Conn struct {
	w              *Writer
	client, server netip.AddrPort
	mss            int
	sides          [2]side // client, server
	mirrors        []mirror
	started        bool // sequence space used: Handshake may no longer be called
	reset          bool
}

// sideIndex maps a direction to the index of the sending side.
func sideIndex(fromClient bool) int {
	if fromClient {
		return 0
	}
	return 1
}

// NewConn creates a connection between client and server (both IPv4 or both
// IPv6; IPv4-mapped IPv6 addresses are unmapped). Nothing is written yet.
//
// Call Handshake to start with SYN, SYN-ACK, ACK. A connection that sends
// data without a handshake is a capture that started mid-stream: its
// sequence numbers continue from ISN+1 as if the handshake had happened
// before the capture.
//
// The initial sequence numbers and IP IDs look random but are derived from
// the 4-tuple, so the same calls always produce the same capture; see
// WithSeed and WithISN.
func (w *Writer) NewConn(client, server netip.AddrPort, opts ...ConnOption) (*Conn, error) {
	client = netip.AddrPortFrom(client.Addr().Unmap(), client.Port())
	server = netip.AddrPortFrom(server.Addr().Unmap(), server.Port())
	if err := checkPair(client.Addr(), server.Addr()); err != nil {
		return nil, fmt.Errorf("capgen: new connection: %w", err)
	}
	cfg := connConfig{window: [2]uint16{defaultClientWindow, defaultServerWindow}}
	for _, o := range opts {
		o(&cfg)
	}
	for _, m := range cfg.mirrors {
		if err := checkPair(m.client.Addr().Unmap(), m.server.Addr().Unmap()); err != nil {
			return nil, fmt.Errorf("capgen: mirror: %w", err)
		}
		if m.delay < 0 {
			return nil, fmt.Errorf("capgen: mirror delay %v is negative", m.delay)
		}
	}
	mss := cfg.mss
	if mss == 0 {
		mss = w.opts.MSS
	}
	if mss == 0 {
		mss = DefaultMSS
		if client.Addr().Is6() {
			mss = DefaultMSS6
		}
	}
	if mss < 1 || mss > MaxMSS {
		return nil, fmt.Errorf("capgen: MSS %d out of range 1-%d", mss, MaxMSS)
	}

	h := tupleHash(cfg.seed, client, server)
	isn := [2]uint32{uint32(h), uint32(h >> 32)}
	if cfg.isn != nil {
		isn = *cfg.isn
	}
	ids := mix64(h ^ 0x5851f42d4c957f2d)
	c := &Conn{w: w, client: client, server: server, mss: mss, mirrors: cfg.mirrors}
	for i := range c.sides {
		c.sides[i] = side{
			isn:    isn[i],
			nxt:    isn[i] + 1,
			ipid:   uint16(ids >> (16 * i)),
			window: cfg.window[i],
		}
	}
	return c, nil
}

// tupleHash hashes the seed and the 4-tuple into 64 well-mixed bits.
func tupleHash(seed uint64, client, server netip.AddrPort) uint64 {
	h := fnv.New64a()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	_, _ = h.Write(b[:]) // hash.Hash writes never fail
	for _, ap := range []netip.AddrPort{client, server} {
		a := ap.Addr().As16()
		_, _ = h.Write(a[:])
		binary.BigEndian.PutUint16(b[:2], ap.Port())
		_, _ = h.Write(b[:2])
	}
	return mix64(h.Sum64())
}

// mix64 is the splitmix64 finalizer.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// String returns "client->server".
func (c *Conn) String() string { return c.client.String() + "->" + c.server.String() }

// Client returns the client endpoint.
func (c *Conn) Client() netip.AddrPort { return c.client }

// Server returns the server endpoint.
func (c *Conn) Server() netip.AddrPort { return c.server }

// Writer returns the Writer the connection writes to.
func (c *Conn) Writer() *Writer { return c.w }

// MSS returns the connection's maximum segment size.
func (c *Conn) MSS() int { return c.mss }

// ISN returns the initial sequence number of the client (fromClient) or of
// the server. The first data byte a side sends has sequence number ISN+1.
func (c *Conn) ISN(fromClient bool) uint32 { return c.sides[sideIndex(fromClient)].isn }

// NextSeq returns the sequence number the client (fromClient) or the server
// will use for its next byte (SND.NXT), which is also the ACK number the peer
// sends. Segments allocated with Segments count even if never written.
func (c *Conn) NextSeq(fromClient bool) uint32 { return c.sides[sideIndex(fromClient)].nxt }

// newSegment builds a segment from one side at seq with a fresh IP ID,
// acknowledging everything the peer has sent if flags include ACK. It does
// not advance the sequence state.
func (c *Conn) newSegment(t time.Time, fromClient bool, seq uint32, flags Flags, payload []byte) Segment {
	s := &c.sides[sideIndex(fromClient)]
	seg := Segment{
		Time: t, FromClient: fromClient, Seq: seq, Flags: flags,
		Window: s.window, Payload: payload, IPID: s.ipid,
	}
	s.ipid++
	if flags.Has(ACK) {
		seg.Ack = c.sides[sideIndex(!fromClient)].nxt
	}
	return seg
}

// check returns an error if the side cannot send any more: the connection
// was reset or the side already sent its FIN.
func (c *Conn) check(fromClient bool) error {
	if c.reset {
		return fmt.Errorf("capgen: %v: connection was reset", c)
	}
	if c.sides[sideIndex(fromClient)].fin {
		return fmt.Errorf("capgen: %v: %s already sent FIN", c, sideName(fromClient))
	}
	return nil
}

// sideName names a direction's sender for error messages.
func sideName(fromClient bool) string {
	if fromClient {
		return "client"
	}
	return "server"
}

// Write writes segments in the given order, unchanged, and returns their
// frame numbers (mirror copies are written too but not returned). It keeps
// no state and checks nothing: write Segments out of order, twice (a
// duplicate captured on two interfaces), or leave one out (capture loss: the
// sequence space was already allocated, so the receiver sees a hole).
func (c *Conn) Write(segs ...Segment) ([]int, error) {
	frames := make([]int, 0, len(segs))
	for _, seg := range segs {
		f, err := c.w.WriteSegment(c.client, c.server, seg)
		if err != nil {
			return frames, fmt.Errorf("%w (connection %v)", err, c)
		}
		frames = append(frames, f)
		for _, m := range c.mirrors {
			copied := seg
			copied.Time = seg.Time.Add(m.delay)
			if ttl := ttlOrDefault(seg.TTL); ttl > 1 {
				copied.TTL = ttl - 1
			}
			if _, err := c.w.WriteSegment(m.client, m.server, copied); err != nil {
				return frames, fmt.Errorf("%w (mirror of connection %v)", err, c)
			}
		}
	}
	return frames, nil
}

// ttlOrDefault resolves a Segment's TTL.
func ttlOrDefault(ttl uint8) uint8 {
	if ttl == 0 {
		return defaultTTL
	}
	return ttl
}

// RenderSegment builds seg's frame on this connection without writing it
// (see Writer.RenderSegment).
func (c *Conn) RenderSegment(seg Segment) (Packet, error) {
	return c.w.RenderSegment(c.client, c.server, seg)
}
