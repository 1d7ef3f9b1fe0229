package decode

import "fmt"

// FramingCode names why a header cannot start a PDU on a stream.
type FramingCode string

// Reasons a header fails the strict framing test used to resynchronise a
// stream and to recognise SMPP on unknown ports.
const (
	FrameTooShort      FramingCode = "length_too_short"   // below 16 or the command's minimum (HDR-01/02)
	FrameTooLong       FramingCode = "length_implausible" // above the configured maximum (HDR-03)
	FrameUnknownID     FramingCode = "unknown_command_id" // not in the command table (HDR-06)
	FrameRequestStatus FramingCode = "request_status"     // request with non-zero command_status (HDR-09)
	FrameBadSeq        FramingCode = "bad_sequence"       // seq 0 on a request, or >= 0x80000000
)

// FramingError says why a header is not a plausible PDU start.
type FramingError struct {
	Code   FramingCode
	Header Header
}

func (e *FramingError) Error() string {
	return fmt.Sprintf("decode: implausible header (%s): length %d, command_id 0x%08x, status 0x%08x, seq %d",
		e.Code, e.Header.Length, uint32(e.Header.ID), e.Header.Status, e.Header.Seq)
}

// Plausible applies the strict header test of ref §12.1 used for
// resynchronisation and heuristic detection: a known command_id, a
// command_length between that command's structural minimum and maxPDU, a zero
// status on requests, and a sequence number below 0x80000000 that is non-zero
// on requests (responses may carry 0: generic_nack for an undecodable header,
// and buggy peers that echo nothing). It returns nil when the header may start a PDU. A maxPDU of 0
// means DefaultMaxPDU. It does not allocate when the header is plausible.
func Plausible(h Header, maxPDU uint32) error {
	if code := PlausibleCode(h, maxPDU); code != "" {
		return &FramingError{code, h}
	}
	return nil
}

// PlausibleCode is Plausible without the error: "" when h may start a PDU,
// else why not. It never allocates, for scanners that test every offset.
func PlausibleCode(h Header, maxPDU uint32) FramingCode {
	if maxPDU == 0 {
		maxPDU = DefaultMaxPDU
	}
	c := LookupCommand(h.ID)
	switch {
	case c == nil:
		return FrameUnknownID
	case h.Length < HeaderLen || h.Length < uint32(c.MinLen):
		return FrameTooShort
	case h.Length > maxPDU:
		return FrameTooLong
	case !h.ID.IsResponse() && h.Status != 0:
		return FrameRequestStatus
	case h.Seq >= 0x80000000, h.Seq == 0 && !h.ID.IsResponse():
		return FrameBadSeq
	}
	return ""
}
