package tshark

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Command IDs used by the tests.
const (
	genericNack           = 0x80000000
	bindReceiver          = 0x00000001
	bindTransmitter       = 0x00000002
	bindTransmitterResp   = 0x80000002
	submitSM              = 0x00000004
	submitSMResp          = 0x80000004
	deliverSM             = 0x00000005
	deliverSMResp         = 0x80000005
	unbind                = 0x00000006
	unbindResp            = 0x80000006
	bindTransceiver       = 0x00000009
	bindTransceiverResp   = 0x80000009
	enquireLinkID         = 0x00000015
	enquireLinkResp       = 0x80000015
	tagSCInterfaceVersion = 0x0210
)

// commandMix counts PDUs per command_id.
func commandMix(pdus []PDU) map[uint32]int {
	m := map[uint32]int{}
	for _, p := range pdus {
		m[p.CommandID]++
	}
	return m
}

func only(pdus []PDU, id uint32) []PDU {
	var out []PDU
	for _, p := range pdus {
		if p.CommandID == id {
			out = append(out, p)
		}
	}
	return out
}

// checkOrder asserts that PDUs come in frame order.
func checkOrder(t *testing.T, pdus []PDU) {
	t.Helper()
	for i := 1; i < len(pdus); i++ {
		require.LessOrEqual(t, pdus[i-1].Frame, pdus[i].Frame, "PDU %d", i)
	}
}

// TestPublicCaptures checks the counts and command mixes that SOURCES.md
// gives for every public capture, with the SMPP heuristic off and the
// server ports decoded as SMPP, with the heuristic alone, and with
// --no-duplicate-keys.
func TestPublicCaptures(t *testing.T) {
	Require(t)
	dir := PublicCaptures(t)
	tests := []struct {
		file  string
		ports []int
		count int
		mix   map[uint32]int
	}{
		{
			file: "ndpi-smpp_in_general.pcap", ports: []int{9000}, count: 8,
			mix: map[uint32]int{bindTransmitter: 1, bindTransmitterResp: 1, enquireLinkID: 1, enquireLinkResp: 1,
				submitSM: 1, submitSMResp: 1, unbind: 1, unbindResp: 1},
		},
		{
			file: "pcab_analyze-smpp_sample.pcap", ports: []int{4001}, count: 60,
			mix: map[uint32]int{bindTransceiver: 20, bindTransceiverResp: 20, submitSM: 10, submitSMResp: 10},
		},
		{
			file: "smpp_loss-v2smpp33.pcap", ports: []int{12028, 12041, 12042, 14010, 14011}, count: 368,
			mix: map[uint32]int{enquireLinkID: 180, enquireLinkResp: 180, submitSM: 2, submitSMResp: 2,
				deliverSM: 2, deliverSMResp: 2},
		},
		{
			file: "segoranov-smpp_library-client_server_test.pcap", ports: []int{7778}, count: 2,
			mix: map[uint32]int{bindTransmitter: 1, bindTransmitterResp: 1},
		},
	}
	variants := []struct {
		name string
		opts func(ports []int) Options
	}{
		{"heuristic", func([]int) Options { return Options{Heuristic: true, OutOfOrder: true} }},
		{"no-duplicate-keys", func(ports []int) Options {
			return Options{Ports: ports, OutOfOrder: true, Extra: []string{"--no-duplicate-keys"}}
		}},
		{"raw", func(ports []int) Options { return Options{Ports: ports, OutOfOrder: true, Raw: true} }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, tt.file)
			base, err := Dissect(t.Context(), path, Options{Ports: tt.ports, OutOfOrder: true})
			require.NoError(t, err)
			require.Len(t, base, tt.count)
			require.Equal(t, tt.mix, commandMix(base))
			checkOrder(t, base)
			for _, p := range base {
				require.False(t, p.Malformed, "frame %d", p.Frame)
				require.Empty(t, p.Expert, "frame %d", p.Frame)
				require.Equal(t, p.IsResponse(), p.HasStatus, "frame %d", p.Frame)
				require.Zero(t, p.Status, "frame %d", p.Frame)
				require.GreaterOrEqual(t, p.Stream, 0)
				require.True(t, p.Src.IsValid() && p.Dst.IsValid())
				require.NotEmpty(t, p.All)
				require.Nil(t, p.Raw)
			}
			// The heuristic alone, tshark's merged duplicate keys and the
			// raw-data output all give the same PDUs.
			for _, v := range variants {
				t.Run(v.name, func(t *testing.T) {
					pdus, err := Dissect(t.Context(), path, v.opts(tt.ports))
					require.NoError(t, err)
					require.Len(t, pdus, len(base))
					for i := range pdus {
						if v.name == "raw" {
							require.Len(t, pdus[i].Raw, int(pdus[i].CommandLength), "frame %d", pdus[i].Frame)
							pdus[i].Raw = nil
						}
					}
					require.Equal(t, base, pdus)
				})
			}
		})
	}
}

func TestNDPI(t *testing.T) {
	Require(t)
	path := filepath.Join(PublicCaptures(t), "ndpi-smpp_in_general.pcap")
	pdus, err := Dissect(t.Context(), path, Options{Ports: []int{9000}, OutOfOrder: true})
	require.NoError(t, err)

	type row struct {
		frame int
		id    uint32
		seq   uint32
	}
	var got []row
	for _, p := range pdus {
		got = append(got, row{p.Frame, p.CommandID, p.Seq})
	}
	require.Equal(t, []row{
		{4, bindTransmitter, 1}, {5, bindTransmitterResp, 1},
		{7, enquireLinkID, 2}, {8, enquireLinkResp, 2},
		{9, submitSM, 3}, {10, submitSMResp, 3},
		{12, unbind, 4}, {13, unbindResp, 4},
	}, got)

	bind := pdus[0]
	require.Equal(t, map[string]string{
		"system_id": "abhik", "password": "password", "system_type": "SMPP",
		"interface_version": "1", // 0x01, printed in decimal
		"addr_ton":          "0x00", "addr_npi": "0x00",
	}, bind.Fields)
	require.Equal(t, "10.226.202.118:1770", bind.Src.String())
	require.Equal(t, "10.226.202.53:9000", bind.Dst.String())

	require.Equal(t, map[string]string{"system_id": "SMSC"}, pdus[1].Fields)

	sm := pdus[4]
	require.Equal(t, map[string]string{
		"service_type":    "(Default)",
		"source_addr_ton": "0x00", "source_addr_npi": "0x01", "source_addr": "100",
		"dest_addr_ton": "0x01", "dest_addr_npi": "0x01", "destination_addr": "1234567890",
		"esm.submit.msg_mode": "0x00", "esm.submit.msg_type": "0x00", "esm.submit.features": "0x00",
		"protocol_id": "0x00", "priority_flag": "0x00",
		"schedule_delivery_time_r": "0.000000000", "validity_period_r": "0.000000000",
		"regdel.receipt": "0x00", "regdel.acks": "0x00", "regdel.notif": "0x00",
		"replace_if_present_flag": "0x00", "data_coding": "0x00", "sm_default_msg_id": "0",
		"sm_length": "4", "message": "74:65:73:74", "message_text": "test",
	}, sm.Fields)
	require.Empty(t, sm.TLVs)

	resp := pdus[5]
	require.True(t, resp.HasMessageID)
	require.Equal(t, "47c8c77a", resp.MessageID)
	require.Empty(t, resp.Fields)
}

func TestPcabAnalyze(t *testing.T) {
	Require(t)
	path := filepath.Join(PublicCaptures(t), "pcab_analyze-smpp_sample.pcap")
	pdus, err := Dissect(t.Context(), path, Options{Ports: []int{4001}, OutOfOrder: true})
	require.NoError(t, err)
	require.Len(t, pdus, 60)

	streams := map[int]bool{}
	for _, p := range pdus {
		streams[p.Stream] = true
	}
	require.Len(t, streams, 20, "20 TCP connections")

	systemIDs := map[string]int{}
	for _, p := range only(pdus, bindTransceiver) {
		require.Equal(t, uint32(2), p.Seq, "frame %d: the first PDU of each connection has sequence_number 2", p.Frame)
		require.Equal(t, "52", p.Fields["interface_version"])
		require.Equal(t, "smpp", p.Fields["system_type"])
		systemIDs[p.Fields["system_id"]+"/"+p.Fields["password"]]++
	}
	require.Equal(t, map[string]int{"test_client_1/Admin@12": 10, "test_client_3/Admin@13": 10}, systemIDs)
	for _, p := range only(pdus, bindTransceiverResp) {
		require.Equal(t, "SmppServer1", p.Fields["system_id"])
	}

	subs := only(pdus, submitSM)
	resps := only(pdus, submitSMResp)
	require.Len(t, subs, 10)
	require.Len(t, resps, 10)
	for i, p := range subs {
		require.Equal(t, uint32(i+3), p.Seq)
		require.Equal(t, "0x05", p.Fields["source_addr_ton"])
		require.Equal(t, "98100027969", p.Fields["source_addr"])
		require.Equal(t, "98600022811", p.Fields["destination_addr"])
		require.Equal(t, "0x00", p.Fields["data_coding"])
		// "_" is sent as 0x11, its GSM 03.38 code; decoding data_coding 0
		// as GSM 7-bit gives it back.
		want := fmt.Sprintf("message_%d", i+1)
		require.Equal(t, want, p.Fields["message_text"])
		b, ok := p.Bytes("message")
		require.True(t, ok)
		require.Equal(t, []byte(strings.ReplaceAll(want, "_", "\x11")), b)

		r := resps[i]
		require.Equal(t, p.Seq, r.Seq)
		require.True(t, r.HasMessageID)
		require.Equal(t, fmt.Sprintf("%X", 0xB21D8E+i), r.MessageID)
	}

	// With tshark's default (no decoding of data_coding 0) there is no
	// text; as ASCII the 0x11 stays a control character.
	none, err := Dissect(t.Context(), path, Options{Ports: []int{4001}, DefaultAlphabet: "None"})
	require.NoError(t, err)
	ascii, err := Dissect(t.Context(), path, Options{Ports: []int{4001}, DefaultAlphabet: "ASCII"})
	require.NoError(t, err)
	for i, p := range only(none, submitSM) {
		_, ok := p.Fields["message_text"]
		require.False(t, ok)
		require.Equal(t, fmt.Sprintf("message\x11%d", i+1), only(ascii, submitSM)[i].Fields["message_text"])
	}
}

func TestSmppLoss(t *testing.T) {
	Require(t)
	path := filepath.Join(PublicCaptures(t), "smpp_loss-v2smpp33.pcap")
	pdus, err := Dissect(t.Context(), path, Options{Ports: []int{12028, 12041, 12042, 14010, 14011}, OutOfOrder: true})
	require.NoError(t, err)
	require.Len(t, pdus, 368)

	// Every PDU is dissected exactly twice: once after NAT (10.51.3.123)
	// and once on the container side, from whichever of the veth and
	// docker0 copies came first: the other has the same 4-tuple and is a
	// suspected retransmission, which tshark does not dissect again. SNAT
	// keeps the client port.
	server := map[uint16]bool{12028: true, 12041: true, 12042: true, 14010: true, 14011: true}
	copies := map[string]int{}
	natted := 0
	for _, p := range pdus {
		c, s := p.Src, p.Dst
		if server[c.Port()] {
			c, s = s, c
		}
		require.True(t, server[s.Port()], "frame %d", p.Frame)
		copies[fmt.Sprintf("%08x/%d/%d/%d", p.CommandID, p.Seq, c.Port(), s.Port())]++
		if c.Addr().String() == "10.51.3.123" {
			natted++
		}
	}
	require.Len(t, copies, 184)
	for k, n := range copies {
		require.Equal(t, 2, n, k)
	}
	require.Equal(t, 184, natted)

	subs := only(pdus, submitSM)
	require.Len(t, subs, 2)
	sm := subs[0]
	require.Equal(t, uint32(58322), sm.Seq)
	require.Equal(t, uint16(14011), sm.Dst.Port())
	rd, ok := sm.RegisteredDelivery()
	require.True(t, ok)
	require.Equal(t, uint8(1), rd)
	require.Equal(t, "ONEXTL", sm.Fields["source_addr"])
	require.Equal(t, "0x05", sm.Fields["source_addr_ton"])
	require.Equal(t, "40", sm.Fields["sm_length"])
	require.Len(t, sm.Fields["message_text"], 40)
	var tags []uint16
	var lens []int
	for _, tlv := range sm.TLVs {
		tags = append(tags, tlv.Tag)
		lens = append(lens, tlv.Length)
		require.Len(t, tlv.Fields, 1)
		require.Contains(t, tlv.Fields, "vendor_op")
	}
	require.Equal(t, []uint16{0x1400, 0x1401, 0x1402}, tags)
	require.Equal(t, []int{19, 19, 64}, lens)
	require.Len(t, sm.Values("vendor_op"), 3)
	v, ok := sm.Bytes("vendor_op")
	require.True(t, ok)
	require.Regexp(t, `^[0-9]{19}$`, string(v))

	resps := only(pdus, submitSMResp)
	require.Len(t, resps, 2)
	msgID := resps[0].MessageID
	require.Len(t, msgID, 38)
	require.Equal(t, "581840bcd593403799d872a5efaf1651250629", msgID)
	require.Equal(t, sm.Seq, resps[0].Seq)

	// The delivery receipt comes on another connection; tshark has no
	// receipt parser, the receipt is only in short_message.
	dlrs := only(pdus, deliverSM)
	require.Len(t, dlrs, 2)
	dlr := dlrs[0]
	require.Equal(t, uint32(135595), dlr.Seq)
	require.NotEqual(t, sm.Src.Port(), dlr.Dst.Port(), "receipt on another connection")
	esm, ok := dlr.ESMClass()
	require.True(t, ok)
	require.Equal(t, uint8(0x04), esm)
	require.Equal(t, "0x01", dlr.Fields["esm.submit.msg_type"], "esm_class 0x04 shifted down")
	require.Equal(t, "919420320856", dlr.Fields["source_addr"])
	require.Equal(t, "JK-ONEXTL-S", dlr.Fields["destination_addr"])
	require.Equal(t, "134", dlr.Fields["sm_length"])
	require.Empty(t, dlr.TLVs, "no receipted_message_id / message_state TLVs")
	receipt := regexp.MustCompile(`^id:(\S+) sub:(\d{3}) dlvrd:(\d{3}) submit date:(\d{12}) done date:(\d{12}) stat:(\S+) err:(\d{3}) text:$`)
	m := receipt.FindStringSubmatch(dlr.Fields["message_text"])
	require.NotNil(t, m, dlr.Fields["message_text"])
	require.Equal(t, []string{msgID, "001", "001", "250629133217", "250629133220", "DELIVRD", "000"}, m[1:])
	b, ok := dlr.Bytes("message")
	require.True(t, ok)
	require.Equal(t, dlr.Fields["message_text"], string(b))

	for _, r := range only(pdus, deliverSMResp) {
		require.Equal(t, uint32(17), r.CommandLength, "empty message_id present on the wire")
		require.False(t, r.HasMessageID, "but tshark leaves it out")
	}
}

func TestSegoranov(t *testing.T) {
	Require(t)
	path := filepath.Join(PublicCaptures(t), "segoranov-smpp_library-client_server_test.pcap")
	pdus, err := Dissect(t.Context(), path, Options{Ports: []int{7778}, OutOfOrder: true})
	require.NoError(t, err)
	require.Len(t, pdus, 2)

	bind, resp := pdus[0], pdus[1]
	require.Equal(t, uint32(bindTransmitter), bind.CommandID)
	require.Equal(t, uint32(1), bind.Seq)
	require.Equal(t, map[string]string{
		"system_id": "SMPP3TEST", "password": "secret08", "system_type": "SUBMIT1",
		"interface_version": "80", "addr_ton": "0x01", "addr_npi": "0x01",
	}, bind.Fields)

	require.Equal(t, uint32(bindTransmitterResp), resp.CommandID)
	require.Equal(t, uint32(0), resp.Seq, "the library answered with sequence_number 0")
	require.True(t, resp.HasStatus)
	require.Equal(t, uint32(31), resp.CommandLength)
	require.Equal(t, []TLV{{Tag: tagSCInterfaceVersion, Length: 1,
		Fields: map[string]string{"SC_interface_version": "80"}}}, resp.TLVs)
	require.Equal(t, map[string]string{"system_id": "SMPP3TEST", "SC_interface_version": "80"}, resp.Fields)
}

func TestNegativeCapture(t *testing.T) {
	Require(t)
	path := filepath.Join(PublicCaptures(t), "negative", "ndpi-tls_false_positives-NOT-SMPP.pcapng")

	pdus, err := Dissect(t.Context(), path, Options{})
	require.NoError(t, err)
	require.Empty(t, pdus, "heuristic off, no decode-as: nothing")

	// The heuristic wrongly takes two frames for bind_receiver.
	pdus, err = Dissect(t.Context(), path, Options{Heuristic: true})
	require.NoError(t, err)
	type row struct {
		frame    int
		id       uint32
		length   uint32
		version  string
		fieldLen int
	}
	var got []row
	for _, p := range pdus {
		got = append(got, row{p.Frame, p.CommandID, p.CommandLength, p.Fields["interface_version"], len(p.Fields)})
		require.False(t, p.Malformed)
	}
	require.Equal(t, []row{
		{8, bindReceiver, 33, "33", 3},
		{14, bindReceiver, 102, "68", 3},
	}, got)
}
