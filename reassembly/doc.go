// Package reassembly turns captures into framed SMPP PDUs.
//
// Run reads pcap and pcapng files (optionally gzip-compressed, or standard
// input); RunLive captures from a network interface. Both decode the link,
// IP and TCP layers (Ethernet with up to two VLAN tags, Linux cooked v1
// and v2, BSD loopback, raw IP; IPv4 and IPv6 fragments are reassembled,
// IPv6 extension headers skipped): the usual whole IPv4/TCP frame is read
// in place (fastpath.go), everything else through gopacket's
// DecodingLayerParser,
// reassemble each TCP connection with gopacket's reassembly package, and
// frame each direction's byte stream into PDUs by their command_length.
// A connection whose bytes are all delivered leaves gopacket's assembler:
// its in-order segments are framed directly, and the first one that is not
// (out of order, a hole, SYN, FIN or RST, a cut frame) brings it back
// (direct.go). This changes nothing but speed: a test compares every
// record and counter both ways.
// Every complete PDU, every gap in a stream and every packet- or
// file-level problem goes to a Handler. A packet cut by the snap length is
// counted and reported as a Problem; its missing bytes show as lost in its
// stream, never as other data.
//
// A damaged record header (pcap) or block (pcapng) does not end the file:
// the reader looks for the next offset where a plausible record or block
// starts (its lengths, its timestamp, its packet's link and IP headers,
// and the header after it), skips to it and reports one Problem
// (ErrDamagedFile) naming the last good frame, the offset of the damage and
// the octets skipped (Stats.CaptureBytesSkipped); the records skipped keep
// their frame numbers, counted or estimated. A record whose timestamp alone
// is damaged is read with the time of the one before it. Damage with no
// valid record after it, like a file cut short, ends the file with
// ErrTruncatedFile. The look-ahead this needs is bounded, whatever the
// lengths in the file say; standard input and gzip streams are read once.
//
// # Finding SMPP
//
// A connection with a port in Options.Ports is SMPP unless its bytes say
// otherwise: it is accepted as soon as a direction shows a plausible
// header where a PDU may start, and rejected (counted in
// Stats.NonSMPPConns, its bytes never framed) when none shows by its end.
// Junk before the first PDU, however long, does not reject it: past the
// bytes the heuristic holds, the framers look on, discarding what they
// scan, and the junk becomes a "resync" gap before the first PDU found.
// With Options.Heuristic, a connection on any other port is SMPP when its
// first PDUs pass the strict header test in both directions, or chain in
// one.
//
// A connection that has only exchanged a handshake (SYN, SYN-ACK, no data)
// costs a small record, not a tracked connection: such records do not count
// against Options.MaxStreams, and at most Options.MaxHalfOpen are kept (the
// least recently active is forgotten first, Stats.HalfOpenEvicted), so a
// SYN flood neither fills memory nor keeps real sessions out. A connection
// takes its Stream index at its first packet, data or not.
//
// # Order
//
// Within one direction of a connection, PDUs come in stream order. Across
// directions and connections they come in the order their last byte was
// captured, except where reassembly has to wait: out-of-order data waits for
// the missing bytes (at most Options.LossTimeout of capture time), the
// first packets of a direction captured without its start (no SYN) wait
// for a few more, at most 200 ms of capture time, so that the stream starts
// at the lowest sequence number captured even when its first segments were
// captured out of order (everything captured after them waits too, so that
// the order of the rest is kept), a
// connection is held until it is known to be SMPP (usually at its first
// bytes on a listed port, at its first response with the heuristic), and a
// mirror connection's PDU waits for its twin (below). Each PDU still
// carries the frame and time of the packet that completed it. What a flush
// releases at once (holes given up, idle connections closed, the end of
// input) comes in Stream order, the same every run.
//
// # Mirror connections
//
// The same conversation is often captured twice under two 4-tuples: on
// both sides of a NAT, or on two interfaces that see it addressed
// differently ("tcpdump -i any" on a container host). Copies under one
// 4-tuple are dropped by TCP reassembly as retransmissions; copies under
// two make two connections. Unless Options.KeepDuplicates is set, the
// second is recognised as a mirror of the first and only the first is
// delivered. Two PDUs of different connections are twins when they have
// the same TCP sequence number for their first byte, the same 16-octet
// header, the same last 8 octets, and were captured at most
// Options.MirrorWindow apart. Payload and timing alone cannot tell a copy
// from a look-alike: connection pools exchange byte-identical
// enquire_links on many connections within milliseconds. The 32-bit
// sequence numbers, random per connection and kept by NATs, can: one twin
// is enough evidence. NATs that rewrite sequence numbers defeat the test,
// and both copies are delivered.
//
// A connection whose first PDU has a twin on a connection already
// delivering is a mirror of that one; gaps it reported before are dropped.
// If its first PDU came before the twin (one copy's capture started
// later), it delivers until a twin shows, and then the copy that delivered
// fewer PDUs becomes the mirror. A mirror's PDUs whose twin the other copy
// delivers within the window, before or after, are dropped; one whose twin
// never comes (the other copy's capture lost it) is delivered, as the
// mirror's. Stats counts mirror connections, dropped PDUs and gaps, and
// mirror PDUs delivered anyway.
//
// # Reading again, progress, live capture
//
// CopyFrames writes chosen frames of the input to a pcap or pcapng file
// (smppdump -w): the frames of the PDUs a user selected, from PDU.Frames.
// Standard input and live captures cannot be read twice: give Run or
// RunLive an Options.Spool and they keep a copy; with Spool.Frames set,
// RunLive hands each frame to that FrameSink instead, so a caller can
// write as it goes with memory of its choosing (smppdump's streaming -w).
// ReadFrames and FrameReader read the frames of an input numbered as Run
// numbers them; CaptureWriter writes pcap or pcapng and tells its size
// (for rotation). Options.Progress reports how far reading has got.
//
// On Linux, RunLive reads an AF_PACKET socket through gopacket's afpacket
// package: no libpcap is needed to build or run. The kernel filters on the
// SMPP ports with a classic BPF program built by this package. A build
// with the "pcap" tag captures through libpcap instead, on any system,
// and also takes a BPF expression (Options.Filter); other builds cannot
// capture live (ErrLiveUnsupported). The default build and its tests need
// no libpcap headers.
//
// # Conventions
//
// The package knows nothing about SMPP beyond the 16-octet header: it uses
// decode.ReadHeader and decode.Plausible to frame streams, to resynchronise
// after a gap or a mid-stream start, and to recognise SMPP. Decoding the
// bodies is decode's job.
//
// Records passed to a Handler alias internal buffers: a PDU's Data and
// Frames, and the records themselves, are valid only until the Handler
// method returns. Use PDU.Clone to keep one.
//
// Importing this package imports github.com/gopacket/gopacket/reassembly,
// which registers the global flags assembly_debug_log and
// assembly_memuse_log on the standard flag package. This package adds no
// global mutable state of its own.
package reassembly
