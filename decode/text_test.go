package decode

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeText(t *testing.T) {
	for _, tc := range []struct {
		name string
		dc   uint8
		ud   []byte
		enc  string
		want string
	}{
		{"gsm7 unpacked underscore as 0x11 (pcab capture)", 0x00, []byte("message\x111"), "gsm7", "message_1"},
		{"gsm7 extension euro and braces", 0x00, []byte{0x1B, 0x65, 0x1B, 0x28, 'x', 0x1B, 0x29}, "gsm7", "€{x}"},
		{"gsm7 basic specials", 0x00, []byte{0x00, 0x01, 0x10, 0x5F, 0x7F}, "gsm7", "@£Δ§à"},
		{"gsm7 packed hellohello", 0x00, []byte{0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37}, "gsm7-packed", "hellohello"},
		{"ascii", 0x01, []byte("Hi there"), "ascii", "Hi there"},
		{"latin1", 0x03, []byte{'c', 0xE9}, "latin1", "cé"},
		{"cyrillic", 0x06, []byte{0xB0, 0xE0, 0xF0}, "iso-8859-5", "Ар№"},
		{"hebrew", 0x07, []byte{0xE0, 0xFA}, "iso-8859-8", "את"},
		{"ucs2 with surrogate pair", 0x08, []byte{0x00, 'H', 0xD8, 0x3D, 0xDE, 0x00}, "ucs2", "H😀"},
		{"binary", 0x04, []byte{0xDE, 0xAD}, "binary", "dead"},
		{"gsm dcs 0xF0 class 0 7-bit", 0xF0, []byte("Hi"), "gsm7", "Hi"},
		{"gsm dcs 0x18 ucs2 class 0", 0x18, []byte{0x04, 0x10}, "ucs2", "А"},
		{"gsm dcs 0xF5 8-bit", 0xF5, []byte{1, 2}, "binary", "0102"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := DecodeText(ParseDCS(tc.dc), tc.ud)
			require.Equal(t, tc.enc, got.Encoding)
			require.Equal(t, tc.want, got.Text)
		})
	}
}

func TestGSMProblemsAndUCS2Problems(t *testing.T) {
	_, pr := DecodeGSM7(nil, []byte{'a', 0x1B})
	require.True(t, pr.TrailingEsc)
	_, pr = DecodeGSM7(nil, []byte{0x1B, 'a'})
	require.Equal(t, 1, pr.BadEscape)
	tx := DecodeText(ParseDCS(8), []byte{0xD8, 0x3D, 0x00})
	require.True(t, tx.OddUCS2)
	require.Equal(t, 1, tx.BadSurrogates)
}

func TestGSMRoundTrip(t *testing.T) {
	for _, s := range []string{"Hello world", "Price: 5€ {ok} [x] ~ ^ | \\", "Äpfel ñ ü à §", "line1\nline2"} {
		sept, ok := EncodeGSM7(nil, s)
		require.True(t, ok, s)
		got, _ := DecodeGSM7(nil, sept)
		require.Equal(t, s, string(got))
		packed := PackSeptets(nil, sept)
		require.Equal(t, sept, UnpackSeptets(nil, packed, 0, len(sept)))
	}
	_, ok := EncodeGSM7(nil, "日本")
	require.False(t, ok)
}

func TestParseDCS(t *testing.T) {
	require.True(t, ParseDCS(0x0B).Reserved)
	require.True(t, ParseDCS(0xF8).Reserved)
	d := ParseDCS(0xC9)
	require.True(t, d.MWI)
	require.True(t, d.MWIActive)
	require.Equal(t, uint8(1), d.MWIType)
	require.Equal(t, 0, ParseDCS(0x10).Class)
	require.Equal(t, -1, ParseDCS(0x00).Class)
}

func TestParseUDH(t *testing.T) {
	for _, tc := range []struct {
		name string
		ud   []byte
		seg  Segment
		err  bool
	}{
		{"8-bit concat", []byte{5, 0, 3, 0x7A, 2, 1, 'h', 'i'}, Segment{"udh8", 0x7A, 2, 1}, false},
		{"16-bit concat", []byte{6, 8, 4, 0x12, 0x34, 3, 3}, Segment{"udh16", 0x1234, 3, 3}, false},
		{"ports + concat", []byte{0x0B, 5, 4, 0x0B, 0x84, 0x23, 0xF0, 0, 3, 9, 2, 2}, Segment{"udh8", 9, 2, 2}, false},
		{"udhl overrun", []byte{9, 0, 3, 1}, Segment{}, true},
		{"ie overrun", []byte{3, 0, 3, 1}, Segment{}, true},
		{"bad concat length", []byte{4, 0, 2, 1, 1}, Segment{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ParseUDH(tc.ud)
			if tc.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			s, ok := h.concat()
			require.True(t, ok)
			require.Equal(t, tc.seg, s)
		})
	}
}

func TestSegmentFromPDU(t *testing.T) {
	p := New(SubmitSM, 0, 1).SetInt(FieldESMClass, 0x40).SetBytes(FieldShortMessage, []byte{5, 0, 3, 7, 3, 2, 'a'})
	b, err := p.Marshal()
	require.NoError(t, err)
	q := Decode(b, Options{})
	s, ok := q.Segment()
	require.True(t, ok)
	require.Equal(t, Segment{"udh8", 7, 3, 2}, s)
	require.Equal(t, "a", q.Text().Text)

	p = New(SubmitSM, 0, 2).SetString(FieldDestinationAddr, "4471").SetString(FieldShortMessage, "part").AddTLVInt(TagSARMsgRefNum, 500).
		AddTLVInt(TagSARTotalSegments, 2).AddTLVInt(TagSARSegmentSeqnum, 1)
	b, err = p.Marshal()
	require.NoError(t, err)
	q = Decode(b, Options{})
	require.Empty(t, q.Issues)
	s, ok = q.Segment()
	require.True(t, ok)
	require.Equal(t, Segment{"sar", 500, 2, 1}, s)
}

func TestParseReceipt(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		want Receipt
	}{
		{"appendix B", "id:1a2b3c sub:001 dlvrd:001 submit date:2401151230 done date:2401151231 stat:DELIVRD err:000 text:Hello",
			Receipt{ID: "1a2b3c", Sub: "001", Dlvrd: "001", SubmitDate: "2401151230", DoneDate: "2401151231", Stat: "DELIVRD", Err: "000", Text: "Hello", HasText: true}},
		{"smpp_loss form, empty text", "id:581840bcd593403799d872a5efaf1651250629 sub:001 dlvrd:001 submit date:250629133217 done date:250629133220 stat:DELIVRD err:000 text:",
			Receipt{ID: "581840bcd593403799d872a5efaf1651250629", Sub: "001", Dlvrd: "001", SubmitDate: "250629133217", DoneDate: "250629133220", Stat: "DELIVRD", Err: "000", HasText: true}},
		{"upper case, reordered, missing sub", "STAT:undeliv ID:0012345 Err:34 Text:a b: c",
			Receipt{ID: "0012345", Stat: "UNDELIV", Err: "34", Text: "a b: c", HasText: true}},
		{"text containing a label", "id:9 stat:DELIVRD text:my id:7 stat:X",
			Receipt{ID: "9", Stat: "DELIVRD", Text: "my id:7 stat:X", HasText: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := ParseReceipt([]byte(tc.text))
			require.True(t, ok)
			require.Equal(t, tc.want, r)
		})
	}
	_, ok := ParseReceipt([]byte("hello world"))
	require.False(t, ok)
}

func TestParseReceiptDate(t *testing.T) {
	for in, want := range map[string]string{
		"2401151230":     "2024-01-15T12:30:00Z",
		"250629133217":   "2025-06-29T13:32:17Z",
		"20250629133217": "2025-06-29T13:32:17Z",
		"9912312359":     "1999-12-31T23:59:00Z",
	} {
		got, ok := ParseReceiptDate(in)
		require.True(t, ok, in)
		require.Equal(t, want, got.Format("2006-01-02T15:04:05Z07:00"), in)
	}
	for _, bad := range []string{"", "12345", "24011512", "24x1151230", "2413151230"} {
		_, ok := ParseReceiptDate(bad)
		require.False(t, ok, bad)
	}
}
