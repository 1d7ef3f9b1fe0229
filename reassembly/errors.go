package reassembly

import "errors"

// Sentinel errors wrapped by Problem.Err and by Run's error.
var (
	ErrFormat        = errors.New("reassembly: not a pcap or pcapng capture")
	ErrLinkType      = errors.New("reassembly: unsupported link type")
	ErrTruncatedFile = errors.New("reassembly: capture file truncated or damaged")
	ErrSnapLen       = errors.New("reassembly: packet cut by the snap length")
	ErrUndecodable   = errors.New("reassembly: undecodable frame")
	ErrMaxStreams    = errors.New("reassembly: connection limit reached")
	ErrInternal      = errors.New("reassembly: internal error")
	// ErrDamagedFile: octets of a capture file were skipped after a
	// damaged record header or block; reading went on at the next valid one.
	ErrDamagedFile = errors.New("reassembly: capture file damaged")
)
