package tshark

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// packet wraps layer members in tshark's per-packet envelope.
func packet(layers string) string {
	return `{"_index":"packets-2025-01-01","_type":"doc","_score":null,"_source":{"layers":{` + layers + `}}}`
}

const (
	frameLayer = `"frame":{"frame.number":"7","frame.protocols":"eth:ethertype:ip:tcp:smpp"}`
	ipTCP      = `"ip":{"ip.src":"10.0.0.1","ip.dst":"10.0.0.2"},` +
		`"tcp":{"tcp.srcport":"40000","tcp.dstport":"2775","tcp.port":["40000","2775"],"tcp.stream":"3"}`
	malformed = `"_ws.malformed":{"_ws.expert":{"_ws.malformed.expert":"",` +
		`"_ws.expert.message":"Malformed Packet (Exception occurred)","_ws.expert.severity":"8388608"},` +
		`"_ws.malformed":"Malformed Packet"}`
	enquireJSON = `{"smpp.command_length":"16","smpp.command_id":"0x00000015","smpp.sequence_number":"%s"}`
)

func enquire(seq string) string { return strings.Replace(enquireJSON, "%s", seq, 1) }

func TestParse(t *testing.T) {
	src := netip.MustParseAddrPort("10.0.0.1:40000")
	dst := netip.MustParseAddrPort("10.0.0.2:2775")
	tests := []struct {
		name  string
		input string
		check func(t *testing.T, pdus []PDU)
	}{
		{
			name:  "no output",
			input: "",
			check: func(t *testing.T, pdus []PDU) { require.Empty(t, pdus) },
		},
		{
			name:  "no packets",
			input: "[\n]\n",
			check: func(t *testing.T, pdus []PDU) { require.Empty(t, pdus) },
		},
		{
			name: "submit_sm_resp with status and message_id",
			input: "[" + packet(frameLayer+","+ipTCP+`,"smpp":{"smpp.command_length":"25",`+
				`"smpp.command_id":"0x80000004","smpp.command_status":"0x00000045",`+
				`"smpp.sequence_number":"3","smpp.message_id":"47c8c77a"}`) + "]",
			check: func(t *testing.T, pdus []PDU) {
				require.Len(t, pdus, 1)
				p := pdus[0]
				require.Equal(t, 7, p.Frame)
				require.Equal(t, 3, p.Stream)
				require.Equal(t, src, p.Src)
				require.Equal(t, dst, p.Dst)
				require.Equal(t, uint32(0x80000004), p.CommandID)
				require.Equal(t, uint32(25), p.CommandLength)
				require.Equal(t, uint32(0x45), p.Status)
				require.True(t, p.HasStatus)
				require.True(t, p.IsResponse())
				require.Equal(t, uint32(3), p.Seq)
				require.Equal(t, "47c8c77a", p.MessageID)
				require.True(t, p.HasMessageID)
				require.Empty(t, p.Fields)
				require.Len(t, p.All, 5)
				require.False(t, p.Malformed)
			},
		},
		{
			name: "request has no command_status",
			input: "[" + packet(frameLayer+`,"smpp":{"smpp.command_length":"17","smpp.command_id":"0x80000005",`+
				`"smpp.command_status":"0x00000000","smpp.sequence_number":"9"}`) + "," +
				packet(frameLayer+`,"smpp":`+enquire("1")) + "]",
			check: func(t *testing.T, pdus []PDU) {
				require.Len(t, pdus, 2)
				require.True(t, pdus[0].HasStatus)
				require.False(t, pdus[0].HasMessageID)
				require.False(t, pdus[1].HasStatus)
				require.Equal(t, -1, pdus[1].Stream)
				require.False(t, pdus[1].Src.IsValid())
			},
		},
		{
			name: "repeated smpp keys with a malformed PDU in the middle",
			input: "[" + packet(frameLayer+","+ipTCP+`,"smpp":`+enquire("20")+
				`,"smpp":{"smpp.command_length":"18","smpp.command_id":"0x00000004","smpp.sequence_number":"21",`+
				`"smpp.service_type":"(Default)","smpp.source_addr_ton":"0x01"},`+malformed+
				`,"smpp":`+enquire("22")) + "]",
			check: func(t *testing.T, pdus []PDU) {
				require.Len(t, pdus, 3)
				require.Equal(t, []uint32{20, 21, 22}, []uint32{pdus[0].Seq, pdus[1].Seq, pdus[2].Seq})
				require.Equal(t, []bool{false, true, false},
					[]bool{pdus[0].Malformed, pdus[1].Malformed, pdus[2].Malformed})
				require.Equal(t, []string{"Malformed Packet (Exception occurred)"}, pdus[1].Expert)
				require.Equal(t, map[string]string{"service_type": "(Default)", "source_addr_ton": "0x01"}, pdus[1].Fields)
				for _, p := range pdus {
					require.Equal(t, 7, p.Frame)
					require.Equal(t, src, p.Src)
				}
			},
		},
		{
			name: "--no-duplicate-keys arrays",
			input: "[" + packet(`"frame":{"frame.number":"4"},`+ipTCP+`,"smpp":[`+enquire("2")+","+enquire("3")+","+
				enquire("4")+`]`) + "]",
			check: func(t *testing.T, pdus []PDU) {
				require.Len(t, pdus, 3)
				require.Equal(t, []uint32{2, 3, 4}, []uint32{pdus[0].Seq, pdus[1].Seq, pdus[2].Seq})
				require.Equal(t, 4, pdus[2].Frame)
			},
		},
		{
			name: "optional parameters, list and single",
			input: "[" + packet(frameLayer+`,"smpp":{"smpp.command_length":"60","smpp.command_id":"0x00000005",`+
				`"smpp.sequence_number":"7","smpp.esm.submit.msg_mode":"0x00","smpp.esm.submit.msg_type":"0x01",`+
				`"smpp.esm.submit.features":"0x01","smpp.regdel.receipt":"0x01","smpp.regdel.acks":"0x03",`+
				`"smpp.regdel.notif":"0x01","smpp.message":"69:64:3a","smpp.opt_params":{"smpp.opt_param":[`+
				`{"smpp.opt_param_tag":"0x001e","smpp.opt_param_len":"4","smpp.receipted_message_id":"abc"},`+
				`{"smpp.opt_param_tag":"0x0427","smpp.opt_param_len":"1","smpp.message_state":"2"},`+
				`{"smpp.opt_param_tag":"0x1400","smpp.opt_param_len":"2","smpp.vendor_op":"31:32"},`+
				`{"smpp.opt_param_tag":"0x1401","smpp.opt_param_len":"1","smpp.vendor_op":"33"}]},`+
				`"smpp.message_text":"id:"}`) + "," +
				packet(frameLayer+`,"smpp":{"smpp.command_length":"31","smpp.command_id":"0x80000002",`+
					`"smpp.command_status":"0x00000000","smpp.sequence_number":"0","smpp.system_id":"SMPP3TEST",`+
					`"smpp.opt_params":{"smpp.opt_param":{"smpp.opt_param_tag":"0x0210","smpp.opt_param_len":"1",`+
					`"smpp.SC_interface_version":"80"}}}`) + "]",
			check: func(t *testing.T, pdus []PDU) {
				require.Len(t, pdus, 2)
				p := pdus[0]
				require.Equal(t, []TLV{
					{Tag: 0x001e, Length: 4, Fields: map[string]string{"receipted_message_id": "abc"}},
					{Tag: 0x0427, Length: 1, Fields: map[string]string{"message_state": "2"}},
					{Tag: 0x1400, Length: 2, Fields: map[string]string{"vendor_op": "31:32"}},
					{Tag: 0x1401, Length: 1, Fields: map[string]string{"vendor_op": "33"}},
				}, p.TLVs)
				require.Equal(t, "abc", p.Fields["receipted_message_id"])
				require.Equal(t, "31:32", p.Fields["vendor_op"])
				require.Equal(t, []string{"31:32", "33"}, p.Values("vendor_op"))
				require.Equal(t, "id:", p.Fields["message_text"])
				_, ok := p.Fields["opt_param_tag"]
				require.False(t, ok)
				esm, ok := p.ESMClass()
				require.True(t, ok)
				require.Equal(t, uint8(0x44), esm)
				rd, ok := p.RegisteredDelivery()
				require.True(t, ok)
				require.Equal(t, uint8(0x1d), rd)
				b, ok := p.Bytes("message")
				require.True(t, ok)
				require.Equal(t, []byte("id:"), b)
				n, ok := p.Uint("message_state")
				require.True(t, ok)
				require.Equal(t, uint64(2), n)
				_, ok = p.Uint("message_text")
				require.False(t, ok)

				q := pdus[1]
				require.Equal(t, []TLV{{Tag: 0x0210, Length: 1, Fields: map[string]string{"SC_interface_version": "80"}}}, q.TLVs)
				require.Equal(t, map[string]string{"system_id": "SMPP3TEST", "SC_interface_version": "80"}, q.Fields)
				_, ok = q.ESMClass()
				require.False(t, ok)
			},
		},
		{
			name: "expert info inside the tree and repeated list fields",
			input: "[" + packet(frameLayer+`,"smpp":{"smpp.command_length":"42","smpp.command_id":"0x80000021",`+
				`"smpp.command_status":"0x00000000","smpp.sequence_number":"5","smpp.message_id":"MID1",`+
				`"smpp.dlist_resp":{"smpp.dest_addr_ton":"0x01","smpp.destination_addr":"333",`+
				`"smpp.error_status_code":"0x0000000b","smpp.dest_addr_ton":"0x02","smpp.destination_addr":"444",`+
				`"smpp.error_status_code":"0x0000000a"},"smpp.message_payload":"61",`+
				`"smpp.message_payload_tree":{"_ws.expert":{"smpp.message_payload.duplicate":"",`+
				`"_ws.expert.message":"short_message field and message_payload TLV can only appear once in total"}}}`) + "]",
			check: func(t *testing.T, pdus []PDU) {
				require.Len(t, pdus, 1)
				p := pdus[0]
				require.Equal(t, []string{"333", "444"}, p.Values("destination_addr"))
				require.Equal(t, "0x0000000b", p.Fields["error_status_code"])
				require.Equal(t, []string{"short_message field and message_payload TLV can only appear once in total"}, p.Expert)
				require.False(t, p.Malformed)
			},
		},
		{
			name: "raw bytes, one per PDU in order",
			input: "[" + packet(frameLayer+`,"smpp_raw":["00000010000000150000000000000002",54,16,0,1],`+
				`"smpp":{"smpp.command_length_raw":["00000010",54,4,0,7],"smpp.command_length":"16",`+
				`"smpp.command_id":"0x00000015","smpp.sequence_number":"2"},`+
				`"smpp_raw":["00000010000000150000000000000003",70,16,0,1],"smpp":`+enquire("3")) + "," +
				packet(frameLayer+`,"smpp_raw":[["00000010000000150000000000000004",54,16,0,1],`+
					`["00000010000000150000000000000005",70,16,0,1]],"smpp":[`+enquire("4")+","+enquire("5")+`]`) + "]",
			check: func(t *testing.T, pdus []PDU) {
				require.Len(t, pdus, 4)
				for i, p := range pdus {
					require.Len(t, p.Raw, 16)
					require.Equal(t, byte(i+2), p.Raw[15])
					require.Equal(t, uint32(i+2), p.Seq)
				}
				require.Len(t, pdus[0].All, 3, "raw members are not fields")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdus, err := parse(strings.NewReader(tt.input))
			require.NoError(t, err)
			tt.check(t, pdus)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"not an array", `{"a":1}`, "does not start with an array"},
		{"truncated", "[" + packet(frameLayer+`,"smpp":`+enquire("1")), "reading JSON"},
		{"no layers", `[{"_source":{}}]`, "layers"},
		{"no frame number", "[" + packet(`"frame":{},"smpp":`+enquire("1")) + "]", "frame.number"},
		{"bad command_id", "[" + packet(frameLayer+`,"smpp":{"smpp.command_id":"Submit_sm"}`) + "]", "bad smpp.command_id"},
		{"bad tag", "[" + packet(frameLayer+`,"smpp":{"smpp.opt_params":{"smpp.opt_param":{"smpp.opt_param_tag":"0x10000"}}}`) + "]", "bad smpp.opt_param_tag"},
		{"too deep", "[" + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "]", "too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(strings.NewReader(tt.input))
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.want)
			require.True(t, strings.HasPrefix(err.Error(), "tshark: "), err.Error())
		})
	}
}

func TestArgs(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		want    []string
		wantErr string
	}{
		{
			name: "defaults",
			want: []string{"-n", "-r", "f.pcap", "-T", "json",
				"-o", "tcp.reassemble_out_of_order:FALSE", "-o", "smpp.decode_sms_over_smpp:GSM 7-bit",
				"--disable-heuristic", "smpp_tcp", "--disable-heuristic", "smpp_x25", "-Y", "smpp"},
		},
		{
			name: "everything",
			opts: Options{Ports: []int{9000, 2775, 9000}, OutOfOrder: true, Heuristic: true,
				DefaultAlphabet: "None", Raw: true, Extra: []string{"--no-duplicate-keys"}},
			want: []string{"-n", "-r", "f.pcap", "-T", "json", "-x",
				"-o", "tcp.reassemble_out_of_order:TRUE", "-o", "smpp.decode_sms_over_smpp:None",
				"--enable-heuristic", "smpp_tcp", "-d", "tcp.port==9000,smpp", "-d", "tcp.port==2775,smpp",
				"--no-duplicate-keys", "-Y", "smpp"},
		},
		{name: "port zero", opts: Options{Ports: []int{0}}, wantErr: "tshark: port 0 out of range"},
		{name: "port too big", opts: Options{Ports: []int{70000}}, wantErr: "tshark: port 70000 out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.opts.Args("f.pcap")
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
