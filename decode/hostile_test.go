package decode

import (
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// withTLVs returns an enquire_link-free submit_sm (every mandatory field
// empty or zero) followed by tlvs, with command_length fixed.
func withTLVs(t *testing.T, tlvs []byte) []byte {
	t.Helper()
	b, err := New(SubmitSM, 0, 1).SetString(FieldDestinationAddr, "1").Marshal()
	require.NoError(t, err)
	b = append(b, tlvs...)
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	return b
}

func countCode(is []Issue, c Code) int {
	n := 0
	for _, i := range is {
		if i.Code == c {
			n++
		}
	}
	return n
}

// TestIssuesPerCodeCapped: a PDU that repeats one mistake thousands of
// times lists MaxIssuesPerCode issues of that code and one saying the rest
// are not listed (found by the fuzz/ hostile tests: 16,000 TLVs made 16,000
// issues, about 1 MiB of details per 64 KiB PDU).
func TestIssuesPerCodeCapped(t *testing.T) {
	var tlvs []byte
	for range 1000 {
		tlvs = append(tlvs, 0x02, 0x0C, 0x00, 0x00) // sar_msg_ref_num, length 0: TLV-02 and, but the first, TLV-06
	}
	p := Decode(withTLVs(t, tlvs), Options{})
	require.Len(t, p.TLVs, 1000)
	require.Equal(t, MaxIssuesPerCode+1, countCode(p.Issues, CodeTLVLength))
	require.Equal(t, MaxIssuesPerCode+1, countCode(p.Issues, CodeTLVRepeated))
	for _, c := range []Code{CodeTLVLength, CodeTLVRepeated} {
		var marks int
		for _, is := range p.Issues {
			if is.Code == c && strings.Contains(is.Detail, "not listed") {
				marks++
			}
		}
		require.Equal(t, 1, marks, c)
	}
	require.Less(t, len(p.Issues), 3*(MaxIssuesPerCode+1))

	// Issues added after decoding count against the same limit.
	q := Decode(withTLVs(t, nil), Options{})
	for range 100 {
		q.AddIssue(SevError, CodeUnanswered, "", 0, "unanswered")
	}
	require.Equal(t, MaxIssuesPerCode+1, countCode(q.Issues, CodeUnanswered))
}

// TestRepeatedTLVManyTags: the repeated-TLV check stays linear when the
// first occurrence of each tag comes after thousands of other TLVs (it
// rescanned the list for each TLV: 90 ms per 64 KiB PDU).
func TestRepeatedTLVManyTags(t *testing.T) {
	const n = 16000
	var tlvs []byte
	for i := range n {
		tag := uint16(0x0100) // undefined
		if i >= n/2 {
			tag = tlvTable[i%len(tlvTable)].Tag
		}
		tlvs = binary.BigEndian.AppendUint32(tlvs, uint32(tag)<<16)
	}
	b := withTLVs(t, tlvs)
	var p PDU
	start := time.Now()
	p.Decode(b, Options{Version: V50})
	require.Less(t, time.Since(start), 2*time.Second)
	require.Len(t, p.TLVs, n)
	// Every defined tag occurs n/2/len(tlvTable) times: each non-repeatable
	// one is reported as repeated (up to the per-code limit).
	require.Equal(t, MaxIssuesPerCode+1, countCode(p.Issues, CodeTLVRepeated))
}

// TestRepeatedTLVOnlyAfterFirst pins the repeated-TLV check: the second
// and later occurrences of a non-repeatable tag are reported, the first is
// not, and repeatable tags never are.
func TestRepeatedTLVOnlyAfterFirst(t *testing.T) {
	tlvs := []byte{
		0x02, 0x04, 0x00, 0x02, 0x00, 0x01, // user_message_reference 1
		0x00, 0x06, 0x00, 0x01, 0x01, // dest_network_type 1
		0x02, 0x04, 0x00, 0x02, 0x00, 0x02, // user_message_reference 2: repeated
		0x02, 0x04, 0x00, 0x02, 0x00, 0x03, // user_message_reference 3: repeated
	}
	p := Decode(withTLVs(t, tlvs), Options{})
	var offs []int
	for _, is := range p.Issues {
		if is.Code == CodeTLVRepeated {
			offs = append(offs, is.Offset)
		}
	}
	require.Equal(t, []int{p.TLVs[2].Off, p.TLVs[3].Off}, offs)
}

func TestTLVTableFitsSet(t *testing.T) {
	require.LessOrEqual(t, len(tlvTable), maxTLVDefs)
	for i := range tlvTable {
		require.Equal(t, uint8(i), tlvTable[i].ordinal, tlvTable[i].Name)
	}
}

// TestCloneKeepsAddedIssues: Clone re-decodes a decoded PDU; the issues
// added afterwards (report/'s session checks) must survive it.
func TestCloneKeepsAddedIssues(t *testing.T) {
	p := Decode(withTLVs(t, nil), Options{})
	p.AddIssue(SevError, CodeNoMatchingReq, "", 0, "no request")
	q := p.Clone()
	require.Equal(t, p.Issues, q.Issues)
}

// TestUnpackSeptetsNegativeFill: a negative fill count must not index
// before the input.
func TestUnpackSeptetsNegativeFill(t *testing.T) {
	require.Equal(t, UnpackSeptets(nil, []byte{0xC8, 0x34}, 0, -1), UnpackSeptets(nil, []byte{0xC8, 0x34}, -9, -1))
}

// TestLyingLengthsAllocateNothingLarge: no length read from the input sizes
// an allocation. Each PDU claims far more than it holds: command_length,
// sm_length, number_of_dests, no_unsuccess, number_msgs and a TLV length.
func TestLyingLengthsAllocateNothingLarge(t *testing.T) {
	pdus := map[string][]byte{
		"command_length 0xFFFFFFFF": hexBytes(t, "ffffffff 00000004 00000000 00000001 00"),
		"sm_length 255 of 2": hexBytes(t, `00000023 00000004 00000000 00000001
			00 0000 00 0000 31 00 00 00 00 00 00 00 00 00 ff 4142`),
		"number_of_dests 255": hexBytes(t, `0000001f 00000021 00000000 00000001
			00 0000 00 ff 01 0101 3100 00 00 00 00 00 00 00`),
		"no_unsuccess 255":  hexBytes(t, "00000012 80000021 00000000 00000001 00 ff"),
		"number_msgs 255":   hexBytes(t, "00000012 80000023 00000000 00000001 ff 00"),
		"TLV length 0xFFFF": withTLVs(t, []byte{0x04, 0x24, 0xff, 0xff, 'a'}),
	}
	want := map[string]Code{
		"command_length 0xFFFFFFFF": CodeLengthImplausib,
		"sm_length 255 of 2":        CodeSMLengthOverrun,
		"number_of_dests 255":       CodeNumberOfDests,
		"no_unsuccess 255":          CodeNoUnsuccess,
		"number_msgs 255":           CodeCStringNoNUL,
		"TLV length 0xFFFF":         CodeTLVOverrun,
	}
	for name, b := range pdus {
		require.Positive(t, countCode(Decode(b, Options{}).Issues, want[name]), "%s: %v", name, Decode(b, Options{}).Issues)
		for _, v := range []Version{0, V33, V34, V50} {
			var p PDU
			p.Decode(b, Options{Version: v}) // warm the PDU's storage
			allocs := testing.AllocsPerRun(20, func() { p.Decode(b, Options{Version: v}) })
			require.LessOrEqual(t, allocs, 12.0, "%s v%s", name, v)
		}
	}
}
