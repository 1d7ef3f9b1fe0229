package capgen

import (
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"
)

func TestSegmentSequenceSpace(t *testing.T) {
	tests := []struct {
		name    string
		seg     Segment
		wantLen uint32
		wantEnd uint32
	}{
		{"pure ACK", Segment{Seq: 100, Flags: ACK}, 0, 100},
		{"SYN", Segment{Seq: 100, Flags: SYN}, 1, 101},
		{"FIN with data", Segment{Seq: 100, Flags: FIN | ACK, Payload: make([]byte, 5)}, 6, 106},
		{"data wraps", Segment{Seq: 0xfffffffe, Flags: ACK, Payload: make([]byte, 5)}, 5, 3},
		{"RST", Segment{Seq: 7, Flags: RST | ACK}, 0, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.wantLen, tt.seg.SeqLen())
			require.Equal(t, tt.wantEnd, tt.seg.End())
		})
	}
}

func TestSegmentSlice(t *testing.T) {
	seg := Segment{Seq: 0xfffffffc, Flags: PSH | ACK | FIN, Payload: []byte("abcdefgh")}
	tests := []struct {
		from, to  int
		wantSeq   uint32
		wantFlags Flags
		want      string
	}{
		{0, 8, 0xfffffffc, PSH | ACK | FIN, "abcdefgh"},
		{0, 3, 0xfffffffc, ACK, "abc"},
		{5, 8, 1, PSH | ACK | FIN, "fgh"},
		{4, 6, 0, ACK, "ef"},
	}
	for _, tt := range tests {
		got, err := seg.Slice(tt.from, tt.to)
		require.NoError(t, err)
		require.Equal(t, tt.wantSeq, got.Seq)
		require.Equal(t, tt.wantFlags, got.Flags)
		require.Equal(t, tt.want, string(got.Payload))
	}
	got, err := seg.Slice(0, 2)
	require.NoError(t, err)
	got.Payload[0] = 'X'
	require.Equal(t, byte('a'), seg.Payload[0], "Slice copies the payload")
}

func TestStrings(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{(SYN | ACK).String(), "SYN|ACK"},
		{(FIN | PSH | ACK).String(), "FIN|PSH|ACK"},
		{Flags(0).String(), "none"},
		{(ECE | CWR | URG | RST).String(), "RST|URG|ECE|CWR"},
		{QinQ.String(), "QinQ"},
		{LinkType(42).String(), "LinkType(42)"},
		{PCAPNG.String(), "pcapng"},
		{Format(9).String(), "Format(9)"},
		{Segment{FromClient: true, Seq: 5, Ack: 6, Flags: ACK, Window: 10, Payload: []byte{1}}.String(),
			"client->server [ACK] seq=5 ack=6 win=10 len=1"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.got)
	}
}

func TestPcapLinkType(t *testing.T) {
	tests := []struct {
		link LinkType
		want layers.LinkType
		ok   bool
	}{
		{Ethernet, layers.LinkTypeEthernet, true},
		{Ethernet802_1Q, layers.LinkTypeEthernet, true},
		{QinQ, layers.LinkTypeEthernet, true},
		{LinuxSLL, layers.LinkTypeLinuxSLL, true},
		{LinuxSLL2, layers.LinkTypeLinuxSLL2, true},
		{Null, layers.LinkTypeNull, true},
		{RawIP, layers.LinkTypeRaw, true},
		{LinkType(-1), 0, false},
	}
	for _, tt := range tests {
		got, ok := tt.link.PcapLinkType()
		require.Equal(t, tt.ok, ok, tt.link)
		require.Equal(t, tt.want, got, tt.link)
	}
}
