// Package reassembly turns capture files into framed SMPP PDUs.
//
// Run reads pcap and pcapng files (optionally gzip-compressed, or standard
// input), decodes the link, IP and TCP layers with gopacket's
// DecodingLayerParser, reassembles each TCP connection with gopacket's
// reassembly package, and frames each direction's byte stream into PDUs by
// their command_length. It hands every complete PDU, every gap in a stream
// and every packet- or file-level problem to a Handler.
//
// Within one direction of a connection, PDUs come in stream order. Across
// directions and connections they come in the order their last byte was
// captured, except where reassembly has to wait: out-of-order data waits for
// the missing bytes (at most Options.LossTimeout of capture time), and a
// connection on an unlisted port is held until the heuristic accepts it,
// usually at its first response. Each PDU still carries the frame and
// time of the packet that completed it.
//
// The package knows nothing about SMPP beyond the 16-octet header: it uses
// decode.ReadHeader and decode.Plausible to frame streams, to resynchronise
// after a gap or a mid-stream start, and to recognise SMPP on ports that are
// not configured (Options.Heuristic). Decoding the bodies is decode's job.
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
