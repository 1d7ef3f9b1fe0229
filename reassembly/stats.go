package reassembly

// Stats counts what Run read and produced.
type Stats struct {
	Files        int64 // capture files opened
	Packets      int64 // records read from the captures
	CaptureBytes int64 // captured bytes of those records
	NonTCP       int64 // packets that are not TCP over IPv4/IPv6 (ARP, UDP, unsupported or undecodable frames)
	Fragments    int64 // IPv4 fragments (the datagrams are reassembled when complete)
	Truncated    int64 // packets cut short by the capture's snap length
	// NonSMPP counts TCP packets outside SMPP connections: on unlisted
	// ports, rejected by the heuristic, or bare ACK/FIN/RST packets that
	// belong to no tracked connection.
	NonSMPP        int64
	Connections    int64 // TCP connections tracked (each gets a Stream index)
	Streams        int64 // connections recognised as SMPP
	NonSMPPConns   int64 // connections the heuristic rejected
	StreamsDropped int64 // connections not tracked because Options.MaxStreams was reached
	Bytes          int64 // bytes of SMPP streams reassembled (duplicates removed)
	PDUs           int64 // PDUs delivered
	Gaps           int64 // gaps reported
	BytesSkipped   int64 // BytesLost + BytesDiscarded
	BytesLost      int64 // stream bytes missing from the capture, where known (Gap.Lost)
	BytesDiscarded int64 // captured stream bytes not delivered in a PDU (Gap.Discarded)
	Problems       int64 // problems reported
}
