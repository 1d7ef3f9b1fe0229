package decode

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// HeaderLen is the size of the fixed SMPP PDU header (ref §1.1).
const HeaderLen = 16

// RespBit is bit 31 of command_id; it is set on every response (ref §1.3).
const RespBit CommandID = 0x80000000

// DefaultMaxPDU is the largest command_length accepted before a stream is
// considered desynchronised (ref §1.2, §12.1 HDR-03): one maximal
// message_payload plus a maximal submit_sm mandatory part, rounded up.
const DefaultMaxPDU = 66 * 1024

// ErrShort is returned (wrapped) when fewer bytes are available than a read needs.
var ErrShort = errors.New("decode: truncated")

// CommandID is the command_id header field.
type CommandID uint32

// IsResponse reports whether bit 31 is set.
func (id CommandID) IsResponse() bool { return id&RespBit != 0 }

// Header is the fixed 16-octet PDU header.
type Header struct {
	Length uint32    // command_length, including the header
	ID     CommandID // command_id
	Status uint32    // command_status
	Seq    uint32    // sequence_number
}

// ReadHeader decodes the header at the start of b. It does not allocate.
func ReadHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, fmt.Errorf("decode: header: %d bytes, need %d: %w", len(b), HeaderLen, ErrShort)
	}
	return Header{
		Length: binary.BigEndian.Uint32(b[0:]),
		ID:     CommandID(binary.BigEndian.Uint32(b[4:])),
		Status: binary.BigEndian.Uint32(b[8:]),
		Seq:    binary.BigEndian.Uint32(b[12:]),
	}, nil
}

// AppendHeader appends the 16-octet encoding of h to dst.
func AppendHeader(dst []byte, h Header) []byte {
	dst = binary.BigEndian.AppendUint32(dst, h.Length)
	dst = binary.BigEndian.AppendUint32(dst, uint32(h.ID))
	dst = binary.BigEndian.AppendUint32(dst, h.Status)
	return binary.BigEndian.AppendUint32(dst, h.Seq)
}
