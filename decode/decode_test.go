package decode

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// hexBytes turns a spaced hex dump into bytes.
func hexBytes(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	require.NoError(t, err)
	return b
}

// The example PDUs of smpp-reference.md Appendix A.
var appendixA = []struct {
	name   string
	hex    string
	id     CommandID
	fields map[FieldID]any // string or int
	tlvs   map[uint16]string
}{
	{"bind_transmitter", `00 00 00 2F 00 00 00 02 00 00 00 00 00 00 00 01
		53 4D 50 50 33 54 45 53 54 00 73 65 63 72 65 74
		30 38 00 53 55 42 4D 49 54 31 00 00 01 01 00`, BindTransmitter,
		map[FieldID]any{FieldSystemID: "SMPP3TEST", FieldPassword: "secret08", FieldSystemType: "SUBMIT1",
			FieldInterfaceVersion: 0, FieldAddrTON: 1, FieldAddrNPI: 1, FieldAddressRange: ""}, nil},
	{"bind_transceiver", `00 00 00 21 00 00 00 09 00 00 00 00 00 00 00 01
		65 73 6D 65 30 31 00 70 77 31 32 00 00 34 00 00 00`, BindTransceiver,
		map[FieldID]any{FieldSystemID: "esme01", FieldPassword: "pw12", FieldInterfaceVersion: 0x34}, nil},
	{"bind_transceiver_resp", `00 00 00 1A 80 00 00 09 00 00 00 00 00 00 00 01
		53 4D 53 43 00 02 10 00 01 34`, BindTransceiverResp,
		map[FieldID]any{FieldSystemID: "SMSC"}, map[uint16]string{TagSCInterfaceVersion: "34"}},
	{"submit_sm", `00 00 00 36 00 00 00 04 00 00 00 00 00 00 00 02
		00 05 00 41 43 4D 45 00 01 01 34 34 37 37 30 30
		39 30 30 31 32 33 00 00 00 00 00 00 01 00 00 00
		05 48 65 6C 6C 6F`, SubmitSM,
		map[FieldID]any{FieldSourceAddrTON: 5, FieldSourceAddr: "ACME", FieldDestAddrTON: 1, FieldDestAddrNPI: 1,
			FieldDestinationAddr: "447700900123", FieldRegisteredDelivery: 1, FieldSMLength: 5, FieldShortMessage: "Hello"}, nil},
	{"submit_sm_resp", `00 00 00 17 80 00 00 04 00 00 00 00 00 00 00 02
		31 61 32 62 33 63 00`, SubmitSMResp, map[FieldID]any{FieldMessageID: "1a2b3c"}, nil},
	{"submit_sm_resp error without body", `00 00 00 10 80 00 00 04 00 00 00 45 00 00 00 03`, SubmitSMResp, nil, nil},
	{"deliver_sm receipt", `00 00 00 A8 00 00 00 05 00 00 00 00 00 00 00 07
		00 01 01 34 34 37 37 30 30 39 30 30 31 32 33 00
		05 00 41 43 4D 45 00 04 00 00 00 00 00 00 00 00
		67 69 64 3A 31 61 32 62 33 63 20 73 75 62 3A 30
		30 31 20 64 6C 76 72 64 3A 30 30 31 20 73 75 62
		6D 69 74 20 64 61 74 65 3A 32 34 30 31 31 35 31
		32 33 30 20 64 6F 6E 65 20 64 61 74 65 3A 32 34
		30 31 31 35 31 32 33 31 20 73 74 61 74 3A 44 45
		4C 49 56 52 44 20 65 72 72 3A 30 30 30 20 74 65
		78 74 3A 48 65 6C 6C 6F 00 1E 00 07 31 61 32 62
		33 63 00 04 27 00 01 02`, DeliverSM,
		map[FieldID]any{FieldSourceAddr: "447700900123", FieldDestinationAddr: "ACME", FieldESMClass: 4, FieldSMLength: 103},
		map[uint16]string{TagReceiptedMessageID: "31613262336300", TagMessageState: "02"}},
	{"deliver_sm_resp", `00 00 00 11 80 00 00 05 00 00 00 00 00 00 00 07 00`, DeliverSMResp,
		map[FieldID]any{FieldMessageID: ""}, nil},
	{"submit_sm UDH UCS2", `00 00 00 4B 00 00 00 04 00 00 00 00 00 00 00 04
		00 05 00 41 43 4D 45 00 01 01 34 34 37 37 30 30
		39 30 30 31 32 33 00 40 00 00 00 30 30 30 30 30
		31 30 30 30 30 30 30 30 30 30 52 00 00 00 08 00
		0A 05 00 03 7A 02 01 00 48 00 69`, SubmitSM,
		map[FieldID]any{FieldESMClass: 0x40, FieldValidityPeriod: "000001000000000R", FieldDataCoding: 8, FieldSMLength: 10}, nil},
	{"generic_nack", `00 00 00 10 80 00 00 00 00 00 00 03 00 00 00 05`, GenericNack, nil, nil},
	{"enquire_link", `00 00 00 10 00 00 00 15 00 00 00 00 00 00 00 06`, EnquireLink, nil, nil},
}

func TestDecodeAppendixA(t *testing.T) {
	for _, tc := range appendixA {
		t.Run(tc.name, func(t *testing.T) {
			b := hexBytes(t, tc.hex)
			p := Decode(b, Options{})
			require.Empty(t, p.Issues, "clean PDU raised issues")
			require.Equal(t, tc.id, p.ID)
			require.Equal(t, uint32(len(b)), p.Length)
			for id, want := range tc.fields {
				v, ok := p.Get(id)
				require.True(t, ok, "field %s missing", id)
				switch w := want.(type) {
				case string:
					require.Equal(t, w, string(v.Bytes), "field %s", id)
				case int:
					require.Equal(t, uint32(w), v.Int, "field %s", id)
				}
			}
			for tag, want := range tc.tlvs {
				tl, ok := p.TLV(tag)
				require.True(t, ok, "TLV 0x%04x missing", tag)
				require.Equal(t, want, hex.EncodeToString(tl.Value))
			}
			// encode(decode(b)) == b
			out, err := p.Append(nil, EncodeOptions{})
			require.NoError(t, err)
			require.Equal(t, b, out)
			out, err = p.Marshal()
			require.NoError(t, err)
			require.Equal(t, b, out)
		})
	}
}

func TestCommandTable(t *testing.T) {
	seen := map[CommandID]bool{}
	for _, c := range Commands() {
		require.False(t, seen[c.ID], "duplicate id 0x%08x", uint32(c.ID))
		seen[c.ID] = true
		require.Same(t, &Commands()[0], LookupCommand(Commands()[0].ID))
		require.Equal(t, c.Name, CommandName(c.ID))
		if c.IsResponse() {
			require.True(t, strings.HasSuffix(c.Name, "_resp") || c.ID == GenericNack, c.Name)
		} else if !c.NoResponse {
			r := LookupCommand(c.ID | RespBit)
			require.NotNil(t, r, "%s has no response row", c.Name)
			require.Equal(t, c.Name+"_resp", r.Name)
		}
		for i, f := range c.Fields {
			require.NotEqual(t, "unknown_field", f.Name(), "%s field %d", c.Name, i)
			if f.Count != FieldNone {
				j := c.Field(f.Count)
				require.True(t, j >= 0 && j < i, "%s: %s counts from a later or missing field", c.Name, f.Name())
				require.True(t, c.Fields[j].Kind.IsInt())
			}
			if f.Kind == KindCString || f.Kind == KindTime {
				require.Positive(t, f.Max, "%s.%s has no maximum", c.Name, f.Name())
			}
		}
	}
	for _, id := range []CommandID{Outbind | RespBit, AlertNotification | RespBit, 0, 0x0000000A, 0x00010200} {
		require.Nil(t, LookupCommand(id), "0x%08x", uint32(id))
	}
	// Minimum lengths of ref §3.1.
	for id, min := range map[CommandID]int{BindTransmitter: 23, Outbind: 18, SubmitSM: 33, DataSM: 26, QuerySM: 20,
		CancelSM: 24, ReplaceSM: 25, AlertNotification: 22, BroadcastSM: 27, CancelBroadcastSM: 21, EnquireLink: 16} {
		require.Equal(t, min, LookupCommand(id).MinLen, CommandName(id))
	}
	require.Equal(t, 17, LookupCommand(SubmitSMResp).MinBody+HeaderLen)
	require.Equal(t, 20, LookupCommand(QuerySMResp).MinBody+HeaderLen)
}

func TestTLVTable(t *testing.T) {
	seen := map[uint16]bool{}
	for _, d := range TLVs() {
		require.False(t, seen[d.Tag], "duplicate tag 0x%04x", d.Tag)
		seen[d.Tag] = true
		require.False(t, IsVendorTag(d.Tag), d.Name)
		require.LessOrEqual(t, d.Min, d.Max, d.Name)
		require.True(t, d.In34 != 0 || d.In50 != 0 || d.Must50 != 0 || d.AnyResponse, "%s allowed nowhere", d.Name)
		if d.Since == V50 {
			require.Zero(t, d.In34, "%s is v5.0 only", d.Name)
		}
		switch d.Type {
		case TLVU8:
			require.Equal(t, 1, d.Max, d.Name)
		case TLVU16:
			require.Equal(t, 2, d.Max, d.Name)
		case TLVU32:
			require.Equal(t, 4, d.Max, d.Name)
		}
		require.Equal(t, d.Name, TLVName(d.Tag))
	}
	require.Equal(t, "tag_0x1234", TLVName(0x1234))
	require.Equal(t, "vendor_source_msc_addr", TLVName(0x1501))
}

func TestStatusNames(t *testing.T) {
	for _, tc := range []struct {
		s    Status
		want string
	}{{0, "ESME_ROK"}, {0x58, "ESME_RTHROTTLED"}, {0x0E, "ESME_RINVPASWD"}, {0xC0, "ESME_RINVTLVSTREAM"},
		{0x112, "ESME_RINVBCASTCHANIND"}, {0x09, "reserved_0x00000009"}, {0x401, "vendor_0x00000401"}} {
		require.Equal(t, tc.want, tc.s.String())
	}
	s, ok := StatusByName("rthrottled")
	require.True(t, ok)
	require.Equal(t, StatusThrottled, s)
}

func TestHeaderOnlyDecodeDoesNotAllocate(t *testing.T) {
	b := hexBytes(t, `00 00 00 10 00 00 00 15 00 00 00 00 00 00 00 06`)
	var p PDU
	allocs := testing.AllocsPerRun(100, func() { p.Decode(b, Options{}) })
	require.Zero(t, allocs)
	_, err := ReadHeader(b)
	require.NoError(t, err)
	require.Zero(t, testing.AllocsPerRun(100, func() { _, _ = ReadHeader(b) }))
}

func TestPlausible(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    Header
		want FramingCode
	}{
		{"enquire_link", Header{16, EnquireLink, 0, 1}, ""},
		{"seq 0 response", Header{17, BindTransmitterResp, 0, 0}, ""},
		{"too short", Header{15, EnquireLink, 0, 1}, FrameTooShort},
		{"submit_sm below minimum", Header{32, SubmitSM, 0, 1}, FrameTooShort},
		{"huge", Header{0xFFFFFFFF, SubmitSM, 0, 1}, FrameTooLong},
		{"unknown", Header{16, 0x0000000A, 0, 1}, FrameUnknownID},
		{"request status", Header{16, EnquireLink, 1, 1}, FrameRequestStatus},
		{"request seq 0", Header{16, EnquireLink, 0, 0}, FrameBadSeq},
		{"high seq", Header{16, EnquireLink, 0, 0x80000000}, FrameBadSeq},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, PlausibleCode(tc.h, 0))
			require.Zero(t, testing.AllocsPerRun(100, func() { _ = PlausibleCode(tc.h, 0) }), "PlausibleCode allocates")
			err := Plausible(tc.h, 0)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			var fe *FramingError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.want, fe.Code)
		})
	}
}
