package tshark

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// brief is what most synthetic cases check: where each PDU was reported.
type brief struct {
	Frame     int
	ID        uint32
	Seq       uint32
	Malformed bool
}

func briefs(pdus []PDU) []brief {
	out := []brief{}
	for _, p := range pdus {
		out = append(out, brief{p.Frame, p.CommandID, p.Seq, p.Malformed})
	}
	return out
}

// TestSyntheticFraming pins down how tshark 4.0 frames SMPP over TCP: which
// frame reports a PDU, several PDUs per segment, retransmissions, reordering
// and what makes it give up on a segment.
func TestSyntheticFraming(t *testing.T) {
	Require(t)
	tests := []struct {
		name  string
		build func(c *tcpConn)
		opts  Options
		want  []brief
	}{
		{
			name: "several PDUs in one segment, in stream order",
			build: func(c *tcpConn) {
				c.send(true, concat(enquireLink(2), enquireLink(3), enquireLink(4)))
				c.send(false, concat(smppPDU(enquireLinkResp, 0, 2), smppPDU(enquireLinkResp, 0, 3)))
			},
			want: []brief{
				{1, enquireLinkID, 2, false}, {1, enquireLinkID, 3, false}, {1, enquireLinkID, 4, false},
				{2, enquireLinkResp, 2, false}, {2, enquireLinkResp, 3, false},
			},
		},
		{
			name: "a malformed PDU between two good ones",
			build: func(c *tcpConn) {
				c.send(true, concat(enquireLink(20), smppPDU(submitSM, 0, 21, cstr(""), []byte{1}), enquireLink(22)))
			},
			want: []brief{{1, enquireLinkID, 20, false}, {1, submitSM, 21, true}, {1, enquireLinkID, 22, false}},
		},
		{
			name: "a PDU over three segments is reported in the last",
			build: func(c *tcpConn) {
				p := submit(submitSM, 5, 0, 1, 0, []byte("hello world"))
				c.send(true, p[:16])
				c.send(true, p[16:30])
				c.send(true, p[30:])
			},
			want: []brief{{3, submitSM, 5, false}},
		},
		{
			name: "a PDU tail and the next PDU's head share a segment",
			build: func(c *tcpConn) {
				a := submit(submitSM, 23, 0, 1, 0, []byte("abc"))
				b := submit(submitSM, 24, 0, 1, 0, []byte("defgh"))
				c.send(true, a[:20])
				c.send(true, concat(a[20:], b[:30]))
				c.send(true, b[30:])
			},
			want: []brief{{2, submitSM, 23, false}, {3, submitSM, 24, false}},
		},
		{
			// tshark 4.0 rejects a segment shorter than the 16-byte header
			// before it starts reassembly: the PDU is lost, and so are the
			// segments after it until one starts on a PDU boundary.
			name: "a first segment shorter than 16 bytes loses the PDU",
			build: func(c *tcpConn) {
				p := submit(submitSM, 5, 0, 1, 0, []byte("hello world"))
				c.send(true, p[:10])
				c.send(true, p[10:30])
				c.send(true, p[30:])
				c.send(true, enquireLink(6))
			},
			want: []brief{{4, enquireLinkID, 6, false}},
		},
		{
			name: "a retransmitted segment is not dissected again",
			build: func(c *tcpConn) {
				seq := c.next(true)
				c.send(true, enquireLink(25))
				c.sendAt(true, seq, enquireLink(25))
				c.send(true, enquireLink(26))
			},
			want: []brief{{1, enquireLinkID, 25, false}, {3, enquireLinkID, 26, false}},
		},
		{
			name: "out of order with reassemble_out_of_order: reported in the frame that fills the hole",
			opts: Options{OutOfOrder: true},
			build: func(c *tcpConn) {
				c.send(true, enquireLink(25))
				p := submit(submitSM, 26, 0, 1, 0, []byte("out of order text"))
				seq := c.next(true)
				c.sendAt(true, seq+20, p[20:])
				c.sendAt(true, seq, p[:20])
				c.skip(true, len(p))
				c.send(true, enquireLink(27))
			},
			want: []brief{{1, enquireLinkID, 25, false}, {3, submitSM, 26, false}, {4, enquireLinkID, 27, false}},
		},
		{
			name: "out of order without reassemble_out_of_order: lost",
			build: func(c *tcpConn) {
				c.send(true, enquireLink(25))
				p := submit(submitSM, 26, 0, 1, 0, []byte("out of order text"))
				seq := c.next(true)
				c.sendAt(true, seq+20, p[20:])
				c.sendAt(true, seq, p[:20])
				c.skip(true, len(p))
				c.send(true, enquireLink(27))
			},
			want: []brief{{1, enquireLinkID, 25, false}, {4, enquireLinkID, 27, false}},
		},
		{
			// tshark starts the stream at the first segment it sees, so
			// bytes sent before it and captured after it are dropped.
			name: "out of order as the very first segments: lost even with reassemble_out_of_order",
			opts: Options{OutOfOrder: true},
			build: func(c *tcpConn) {
				p := submit(submitSM, 26, 0, 1, 0, []byte("out of order text"))
				seq := c.next(true)
				c.sendAt(true, seq+20, p[20:])
				c.sendAt(true, seq, p[:20])
				c.skip(true, len(p))
				c.send(true, enquireLink(27))
			},
			want: []brief{{3, enquireLinkID, 27, false}},
		},
		{
			// The dissector only checks the command_id of the first PDU of
			// a segment.
			name: "unknown command_id: rejected first in a segment, dissected after a known one",
			build: func(c *tcpConn) {
				c.send(true, smppPDU(0x777, 0, 10, []byte{1, 2, 3, 4}))
				c.send(true, concat(enquireLink(27), smppPDU(0x777, 0, 28), enquireLink(29)))
			},
			want: []brief{{2, enquireLinkID, 27, false}, {2, 0x777, 28, false}, {2, enquireLinkID, 29, false}},
		},
		{
			name: "command_length below 16 is not SMPP",
			build: func(c *tcpConn) {
				c.send(true, []byte{0, 0, 0, 8, 0, 0, 0, 0x15})
				c.send(false, smppPDU(genericNack, 2, 0))
			},
			want: []brief{{2, genericNack, 0, false}},
		},
		{
			name: "trailing bytes after a body are ignored, not malformed",
			build: func(c *tcpConn) {
				c.send(true, smppPDU(unbind, 0, 15, []byte{1, 2, 3}))
			},
			want: []brief{{1, unbind, 15, false}},
		},
		{
			// tshark reads a known TLV's natural size, not its declared
			// length, then takes the rest of the value for the next tag.
			name: "a TLV with a wrong length misparses what follows",
			build: func(c *tcpConn) {
				c.send(true, submit(submitSM, 14, 0, 1, 0, []byte("x"),
					tlv(0x0204, 0, 9, 9, 9, 9, 9, 9, 9, 9), tlv(0x0005, 1)))
			},
			want: []brief{{1, submitSM, 14, true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newConn()
			tt.build(c)
			path := writePcap(t, c.frames)
			opts := tt.opts
			opts.Ports = []int{2775}
			pdus, err := Dissect(t.Context(), path, opts)
			require.NoError(t, err)
			require.Equal(t, tt.want, briefs(pdus))
			for _, p := range pdus {
				require.Equal(t, p.Malformed, len(p.Expert) > 0)
			}
		})
	}
}

// TestSyntheticFields pins down tshark's field names and value formats.
func TestSyntheticFields(t *testing.T) {
	Require(t)
	tests := []struct {
		name  string
		pdu   []byte
		opts  Options
		check func(t *testing.T, p PDU)
	}{
		{
			name: "a request's command_status is not printed",
			pdu:  smppPDU(enquireLinkID, 7, 1),
			check: func(t *testing.T, p PDU) {
				require.False(t, p.HasStatus)
				require.Zero(t, p.Status)
			},
		},
		{
			name: "a response's command_status is",
			pdu:  smppPDU(submitSMResp, 0x45, 5, cstr("")),
			check: func(t *testing.T, p PDU) {
				require.True(t, p.HasStatus)
				require.Equal(t, uint32(0x45), p.Status)
				require.False(t, p.HasMessageID, "empty message_id left out")
				require.Equal(t, []Field{{"command_length", "17"}, {"command_id", "0x80000004"},
					{"command_status", "0x00000045"}, {"sequence_number", "5"}}, p.All)
			},
		},
		{
			name: "empty C-octet strings are left out, but service_type is (Default)",
			pdu:  smppPDU(bindTransmitter, 0, 1, cstr(""), cstr("pw"), cstr(""), []byte{0x34, 0, 0}, cstr("")),
			check: func(t *testing.T, p PDU) {
				require.Equal(t, map[string]string{"password": "pw", "interface_version": "52",
					"addr_ton": "0x00", "addr_npi": "0x00"}, p.Fields)
			},
		},
		{
			name: "non-ASCII octets in C-octet strings become U+FFFD",
			pdu:  smppPDU(bindTransceiver, 0, 13, cstr("s\xe9"), cstr("pw"), cstr("t"), []byte{0x34, 1, 1}, cstr("^1.*")),
			check: func(t *testing.T, p PDU) {
				require.Equal(t, "s\uFFFD", p.Fields["system_id"])
				require.Equal(t, "^1.*", p.Fields["address_range"])
			},
		},
		{
			name: "esm_class and registered_delivery as bit fields",
			pdu:  submit(submitSM, 2, 0x43, 0x1d, 0, []byte("x")),
			check: func(t *testing.T, p PDU) {
				require.Equal(t, "0x03", p.Fields["esm.submit.msg_mode"])
				require.Equal(t, "0x00", p.Fields["esm.submit.msg_type"])
				require.Equal(t, "0x01", p.Fields["esm.submit.features"])
				require.Equal(t, "0x01", p.Fields["regdel.receipt"])
				require.Equal(t, "0x03", p.Fields["regdel.acks"])
				require.Equal(t, "0x01", p.Fields["regdel.notif"])
				esm, ok := p.ESMClass()
				require.True(t, ok)
				require.Equal(t, uint8(0x43), esm)
				rd, ok := p.RegisteredDelivery()
				require.True(t, ok)
				require.Equal(t, uint8(0x1d), rd)
			},
		},
		{
			name: "GSM 7-bit default alphabet with escapes",
			pdu:  submit(submitSM, 4, 0, 0, 0, []byte{0x00, 0x11, 0x1b, 0x65, 0x5f, 0x24, 0x40, 0x7f}),
			check: func(t *testing.T, p PDU) {
				require.Equal(t, "@_€§¤¡à", p.Fields["message_text"])
				require.Equal(t, "00:11:1b:65:5f:24:40:7f", p.Fields["message"])
			},
		},
		{
			name: "UCS-2",
			pdu:  submit(submitSM, 8, 0, 0, 8, []byte{0, 'H', 0, 'i', 0x04, 0x10}),
			check: func(t *testing.T, p PDU) {
				require.Equal(t, "HiА", p.Fields["message_text"])
				require.Equal(t, "0x08", p.Fields["data_coding"])
			},
		},
		{
			name: "UDH: message_text is the text after the header",
			pdu:  submit(submitSM, 9, 0x40, 0, 0, concat([]byte{5, 0, 3, 0x42, 2, 1}, []byte("part one"))),
			check: func(t *testing.T, p PDU) {
				require.Equal(t, "part one", p.Fields["message_text"])
				require.Equal(t, "14", p.Fields["sm_length"])
			},
		},
		{
			name: "absolute and relative times",
			pdu: smppPDU(submitSM, 0, 3, cstr("CMT"), []byte{1, 1}, cstr("1"), []byte{1, 1}, cstr("2"),
				[]byte{0, 0, 0}, cstr("250629133217000+"), cstr("000001000000000R"), []byte{0, 0, 0, 0, 0}),
			check: func(t *testing.T, p PDU) {
				require.Equal(t, "CMT", p.Fields["service_type"])
				require.Equal(t, "Jun 29, 2025 13:32:17.000000000 UTC", p.Fields["schedule_delivery_time"])
				require.Equal(t, "86400.000000000", p.Fields["validity_period_r"])
				require.Equal(t, "0", p.Fields["sm_length"])
				require.Equal(t, "", p.Fields["message"])
			},
		},
		{
			name: "deliver_sm receipt TLVs",
			pdu: submit(deliverSM, 7, 0x04, 0, 0, []byte("id:abc stat:DELIVRD"),
				tlv(0x001e, cstr("abc")...), tlv(0x0427, 2), tlv(0x0423, 3, 0, 5),
				tlv(0x020c, 0, 7), tlv(0x020e, 3), tlv(0x020f, 1)),
			check: func(t *testing.T, p PDU) {
				require.Equal(t, []TLV{
					{Tag: 0x001e, Length: 4, Fields: map[string]string{"receipted_message_id": "abc"}},
					{Tag: 0x0427, Length: 1, Fields: map[string]string{"message_state": "2"}},
					{Tag: 0x0423, Length: 3, Fields: map[string]string{"network_error.type": "3", "network_error.code": "0x0005"}},
					{Tag: 0x020c, Length: 2, Fields: map[string]string{"sar_msg_ref_num": "7"}},
					{Tag: 0x020e, Length: 1, Fields: map[string]string{"sar_total_segments": "3"}},
					{Tag: 0x020f, Length: 1, Fields: map[string]string{"sar_segment_seqnum": "1"}},
				}, p.TLVs)
				require.Equal(t, "id:abc stat:DELIVRD", p.Fields["message_text"])
			},
		},
		{
			name: "data_sm: message_payload, unknown TLVs",
			pdu: smppPDU(0x103, 0, 12, cstr(""), []byte{1, 1}, cstr("111"), []byte{1, 1}, cstr("222"), []byte{0, 0, 8},
				tlv(0x0204, 0, 9), tlv(0x0424, 0, 'H'), tlv(0x1234, 9, 9), tlv(0x4321, 1)),
			check: func(t *testing.T, p PDU) {
				require.Equal(t, "0x0009", p.Fields["user_message_reference"])
				require.Equal(t, "00:48", p.Fields["message_payload"])
				require.Equal(t, "H", p.Fields["message_text"])
				require.Equal(t, []string{"09:09", "01"}, p.Values("reserved_op"))
				require.Equal(t, "message_text", p.All[len(p.All)-1].Name, "decoded text comes last")
				_, ok := p.Fields["protocol_id"]
				require.False(t, ok, "data_sm has no protocol_id")
			},
		},
		{
			name: "short_message and message_payload together: expert info, not malformed",
			pdu:  submit(submitSM, 13, 0, 0, 0, []byte("dup"), tlv(0x0424, 'a', 'l', 's', 'o')),
			check: func(t *testing.T, p PDU) {
				require.False(t, p.Malformed)
				require.Equal(t, []string{"short_message field and message_payload TLV can only appear once in total"}, p.Expert)
				require.Equal(t, "also", p.Fields["message_text"])
			},
		},
		{
			name: "submit_multi_resp: repeated unsuccessful-delivery fields",
			pdu: smppPDU(0x80000021, 0, 5, cstr("MID1"), []byte{2},
				[]byte{1, 1}, cstr("333"), []byte{0, 0, 0, 0x0b}, []byte{1, 1}, cstr("444"), []byte{0, 0, 0, 0x0a}),
			check: func(t *testing.T, p PDU) {
				require.Equal(t, "MID1", p.MessageID)
				require.Equal(t, []string{"333", "444"}, p.Values("destination_addr"))
				require.Equal(t, []string{"0x0000000b", "0x0000000a"}, p.Values("error_status_code"))
				require.Equal(t, "333", p.Fields["destination_addr"])
			},
		},
		{
			name: "query_sm_resp",
			pdu:  smppPDU(0x80000003, 0, 6, cstr("MID1"), cstr(""), []byte{2, 0}),
			check: func(t *testing.T, p PDU) {
				require.Equal(t, "MID1", p.MessageID)
				// Unlike schedule_delivery_time and validity_period, an empty
				// final_date is left out.
				require.Equal(t, map[string]string{"message_state": "2", "error_code": "0"}, p.Fields)
			},
		},
		{
			name: "a body cut short",
			pdu:  smppPDU(submitSMResp, 0, 11, []byte("NONUL")),
			check: func(t *testing.T, p PDU) {
				require.True(t, p.Malformed)
				require.False(t, p.HasMessageID)
				require.Equal(t, []string{"Malformed Packet (Exception occurred)"}, p.Expert)
			},
		},
		{
			name: "raw bytes",
			pdu:  submit(submitSM, 2, 0x43, 0x1d, 0, []byte("x")),
			opts: Options{Raw: true},
			check: func(t *testing.T, p PDU) {
				require.Equal(t, submit(submitSM, 2, 0x43, 0x1d, 0, []byte("x")), p.Raw)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newConn()
			c.send(true, tt.pdu)
			path := writePcap(t, c.frames)
			opts := tt.opts
			opts.Ports = []int{2775}
			pdus, err := Dissect(t.Context(), path, opts)
			require.NoError(t, err)
			require.Len(t, pdus, 1)
			tt.check(t, pdus[0])
		})
	}
}

func TestDissectErrors(t *testing.T) {
	Require(t)
	c := newConn()
	c.send(true, enquireLink(1))
	c.send(true, enquireLink(2))
	good := writePcap(t, c.frames)

	_, err := Dissect(t.Context(), good+".missing", Options{})
	require.ErrorContains(t, err, "tshark: ")

	_, err = Dissect(t.Context(), good, Options{Ports: []int{2775}, Extra: []string{"--no-such-option"}})
	require.ErrorContains(t, err, "tshark: ")

	// A file cut inside the last packet: the complete packets still count.
	data, err := os.ReadFile(good)
	require.NoError(t, err)
	cut := writeFile(t, data[:len(data)-5])
	pdus, err := Dissect(t.Context(), cut, Options{Ports: []int{2775}})
	require.ErrorIs(t, err, ErrCutShort)
	require.Equal(t, []brief{{1, enquireLinkID, 1, false}}, briefs(pdus))
}

func TestVersion(t *testing.T) {
	Require(t)
	v, err := Version(t.Context())
	require.NoError(t, err)
	require.Contains(t, v, "TShark")
}
