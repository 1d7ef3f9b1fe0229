package tshark

import (
	"encoding/binary"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// This file writes small synthetic captures (pcap, Ethernet, IPv4, TCP
// without handshake) to probe how tshark's SMPP dissector behaves.

// tcpConn is one TCP connection between 10.0.0.1:40000 (client) and
// 10.0.0.2:2775 (server) with a sequence number per direction.
type tcpConn struct {
	frames [][]byte
	seq    [2]uint32 // next sequence number: [0] client, [1] server
}

func newConn() *tcpConn { return &tcpConn{seq: [2]uint32{1000, 5000}} }

// send writes payload as one segment at the current sequence number and
// advances it.
func (c *tcpConn) send(fromClient bool, payload []byte) {
	i := dirIndex(fromClient)
	c.sendAt(fromClient, c.seq[i], payload)
	c.seq[i] += uint32(len(payload))
}

// sendAt writes payload at seq without touching the sequence state.
func (c *tcpConn) sendAt(fromClient bool, seq uint32, payload []byte) {
	ips := [2][4]byte{{10, 0, 0, 1}, {10, 0, 0, 2}}
	ports := [2]uint16{40000, 2775}
	s, d := 0, 1
	if !fromClient {
		s, d = 1, 0
	}
	ack := c.seq[d]
	c.frames = append(c.frames, ethIPv4TCP(ips[s], ips[d], ports[s], ports[d], seq, ack, payload))
}

// next returns the next sequence number of a direction.
func (c *tcpConn) next(fromClient bool) uint32 { return c.seq[dirIndex(fromClient)] }

// skip advances a direction's sequence number by n bytes.
func (c *tcpConn) skip(fromClient bool, n int) { c.seq[dirIndex(fromClient)] += uint32(n) }

func dirIndex(fromClient bool) int {
	if fromClient {
		return 0
	}
	return 1
}

func checksum(b []byte, sum uint32) uint16 {
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

func ethIPv4TCP(src, dst [4]byte, sport, dport uint16, seq, ack uint32, payload []byte) []byte {
	tcp := make([]byte, 20+len(payload))
	binary.BigEndian.PutUint16(tcp[0:], sport)
	binary.BigEndian.PutUint16(tcp[2:], dport)
	binary.BigEndian.PutUint32(tcp[4:], seq)
	binary.BigEndian.PutUint32(tcp[8:], ack)
	tcp[12] = 5 << 4
	tcp[13] = 0x18 // PSH, ACK
	binary.BigEndian.PutUint16(tcp[14:], 65535)
	copy(tcp[20:], payload)
	pseudo := uint32(6 + len(tcp))
	for i := 0; i < 4; i += 2 {
		pseudo += uint32(binary.BigEndian.Uint16(src[i:])) + uint32(binary.BigEndian.Uint16(dst[i:]))
	}
	binary.BigEndian.PutUint16(tcp[16:], checksum(tcp, pseudo))

	ip := make([]byte, 20)
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+len(tcp)))
	ip[8], ip[9] = 64, 6
	copy(ip[12:], src[:])
	copy(ip[16:], dst[:])
	binary.BigEndian.PutUint16(ip[10:], checksum(ip, 0))

	eth := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00}
	out := append(eth, ip...)
	return append(out, tcp...)
}

// writePcap writes frames to a classic little-endian pcap file, one second
// apart, and returns its path.
func writePcap(t *testing.T, frames [][]byte) string {
	t.Helper()
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], 1) // Ethernet
	out := hdr
	for i, f := range frames {
		rec := make([]byte, 16)
		binary.LittleEndian.PutUint32(rec[0:], uint32(1_700_000_000+i))
		binary.LittleEndian.PutUint32(rec[8:], uint32(len(f)))
		binary.LittleEndian.PutUint32(rec[12:], uint32(len(f)))
		out = append(append(out, rec...), f...)
	}
	return writeFile(t, out)
}

// writeFile writes data to a new file in the test's temporary directory.
func writeFile(t *testing.T, data []byte) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "*.pcap")
	require.NoError(t, err)
	_, err = f.Write(data)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	return f.Name()
}

// SMPP encoding helpers.

func smppPDU(id, status, seq uint32, body ...[]byte) []byte {
	b := make([]byte, 16)
	for _, p := range body {
		b = append(b, p...)
	}
	binary.BigEndian.PutUint32(b[0:], uint32(len(b)))
	binary.BigEndian.PutUint32(b[4:], id)
	binary.BigEndian.PutUint32(b[8:], status)
	binary.BigEndian.PutUint32(b[12:], seq)
	return b
}

func cstr(s string) []byte { return append([]byte(s), 0) }

func tlv(tag uint16, v ...byte) []byte {
	b := make([]byte, 4, 4+len(v))
	binary.BigEndian.PutUint16(b, tag)
	binary.BigEndian.PutUint16(b[2:], uint16(len(v)))
	return append(b, v...)
}

func concat(bs ...[]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}

func enquireLink(seq uint32) []byte { return smppPDU(enquireLinkID, 0, seq) }

// submit builds a submit_sm (or deliver_sm with id deliverSM) from
// 12345 to 67890 with the given esm_class, registered_delivery,
// data_coding, short_message and TLVs.
func submit(id, seq uint32, esm, regdel, dcs byte, msg []byte, tlvs ...[]byte) []byte {
	body := [][]byte{
		cstr(""), {1, 1}, cstr("12345"), {1, 1}, cstr("67890"),
		{esm, 0, 0}, cstr(""), cstr(""), {regdel, 0, dcs, 0, byte(len(msg))}, msg,
	}
	return smppPDU(id, 0, seq, append(body, tlvs...)...)
}
