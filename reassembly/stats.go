package reassembly

// Stats counts what Run read and produced.
type Stats struct {
	Files        int64 // capture files opened
	Packets      int64 // records read from the captures
	CaptureBytes int64 // captured bytes of those records
	NonTCP       int64 // packets that are not TCP over IPv4/IPv6 (ARP, UDP, unsupported or undecodable frames)
	Fragments    int64 // IPv4 and IPv6 fragments (the datagrams are reassembled when complete)
	// FragmentsIncomplete counts datagrams given up with fragments missing
	// (after Options.LossTimeout, or at the end of the input); the TCP
	// segments they carried show as lost bytes in their streams.
	FragmentsIncomplete int64
	Truncated           int64 // packets cut short by the capture's snap length
	// CaptureBytesSkipped counts octets of capture files skipped after a
	// damaged record header or block, to the next valid one (each such
	// skip is a Problem wrapping ErrDamagedFile).
	CaptureBytesSkipped int64
	// NonSMPP counts TCP packets outside SMPP connections: on unlisted
	// ports, rejected by the heuristic, or bare ACK/FIN/RST packets that
	// belong to no tracked connection.
	NonSMPP      int64
	Connections  int64 // TCP connections tracked, from their first packet (each gets a Stream index), handshake-only ones included
	Streams      int64 // connections recognised as SMPP, mirror connections excluded
	NonSMPPConns int64 // connections the heuristic rejected
	// StreamsDropped counts connections not tracked because
	// Options.MaxStreams was reached.
	StreamsDropped int64
	IdleClosed     int64 // connections closed after Options.FlushIdle of silence (handshake-only ones included)
	Bytes          int64 // bytes of SMPP streams reassembled (retransmissions and mirror connections excluded)
	PDUs           int64 // PDUs delivered
	Gaps           int64 // gaps reported
	BytesSkipped   int64 // BytesLost + BytesDiscarded
	BytesLost      int64 // stream bytes missing from the capture, where known (Gap.Lost)
	BytesDiscarded int64 // captured stream bytes not delivered in a PDU (Gap.Discarded)
	Problems       int64 // problems reported

	// HalfOpenEvicted counts connections known only by their handshake
	// (a SYN or SYN-ACK, no data yet) forgotten because Options.MaxHalfOpen
	// of them were kept, the least recently active first: a SYN flood.
	HalfOpenEvicted int64

	// Mirror connections (see Options.KeepDuplicates).
	MirrorStreams  int64 // SMPP connections found to be a copy of another one
	DuplicatePDUs  int64 // PDUs of mirror connections not delivered: their twin was
	DuplicateGaps  int64 // gaps of mirror connections not delivered
	DuplicateBytes int64 // stream bytes of mirror connections
	// MirrorDelivered counts PDUs of mirror connections delivered anyway:
	// before the connection was found to be a mirror, or because their twin
	// did not show up within Options.MirrorWindow (the other copy's capture
	// missed them).
	MirrorDelivered int64

	// Live capture (RunLive).
	Drops   int64 // packets the kernel dropped because the capture did not keep up
	IfDrops int64 // packets the interface or its driver dropped (libpcap builds only)

	// Direct framing (direct.go): connections that left the assembler,
	// and that rejoined it. For tests.
	directLeaves, directRejoins int64
}
