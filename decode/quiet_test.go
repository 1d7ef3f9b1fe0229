package decode

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestQuietSkipsOnlySilentValues checks, for every value of every field of
// a few commands under every version, that a value readFields lets validate
// skip is one of a one-octet field on which checkField raises nothing.
func TestQuietSkipsOnlySilentValues(t *testing.T) {
	for _, id := range []CommandID{SubmitSM, DeliverSM, QuerySMResp, SubmitMulti} {
		c := LookupCommand(id)
		for _, ver := range quietVersions {
			quiet := c.quietFor(ver)
			require.Len(t, quiet, len(c.Fields))
			for i := range c.Fields {
				f := &c.Fields[i]
				for x := range 256 {
					p := &PDU{Cmd: c, Version: ver, opts: Options{Brief: true}}
					p.ID = id
					d := bodyDecoder{p: p}
					d.checkField(f, &Value{Int: uint32(x), Present: true, Len: 1})
					if quiet[i].has(uint8(x)) {
						require.Empty(t, p.Issues, "%s %s %s=%d", c.Name, ver, f.Name(), x)
						require.Equal(t, KindU8, f.Kind)
					}
				}
			}
		}
	}
	var s u8Set
	s.add(255)
	require.True(t, s.has(255))
	require.False(t, s.has(254))
}

// TestMayRaiseSkipsOnlySilentFields checks, for every field of every
// command that is not a one-octet one, under every version, that a value
// readFields lets validate skip (cstringField, mayRaise) is one on which
// checkField raises nothing.
func TestMayRaiseSkipsOnlySilentFields(t *testing.T) {
	probes := []string{"", "A", "0123abcd", "123456789", "0123456789abcdefghij", "\x01", "ab\xffcd", "abcdefg\x7f", "abcdefgh\x01ijk", "\x80abcdefghij", "abcdefghijk\x7f", "abc\x1f",
		"260302090000000+", "260302090000000R", "2603020900", "26030209000", strings.Repeat("x", 300)}
	for i := range Commands() {
		c := &Commands()[i]
		require.LessOrEqual(t, len(c.Fields), 32, "%s: bodyDecoder.check has 32 bits", c.Name)
		for _, ver := range quietVersions {
			for j := range c.Fields {
				f := &c.Fields[j]
				if f.Kind == KindU8 {
					continue // TestQuietSkipsOnlySilentValues
				}
				for _, s := range probes {
					newDecoder := func() *bodyDecoder {
						p := &PDU{Cmd: c, Version: ver, opts: Options{Brief: true}}
						p.ID = c.ID
						return &bodyDecoder{p: p}
					}
					v := &Value{Bytes: []byte(s), Int: uint32(len(s)), Off: HeaderLen, Len: len(s) + 1, Present: true}
					switch f.Kind {
					case KindCString, KindTime:
						d := newDecoder()
						d.r.b = append([]byte(s), 0, 'x')
						if _, raise := d.cstringField(v, f); raise {
							continue
						}
					default:
						if mayRaise(f) {
							continue
						}
					}
					d := newDecoder()
					d.checkField(f, v)
					require.Empty(t, d.p.Issues, "%s %s %s=%q", c.Name, ver, f.Name(), s)
				}
			}
		}
	}
}

func TestParseReceiptSharedCopy(t *testing.T) {
	for _, tc := range []struct {
		text string
		want Receipt
	}{
		{"id:0000000004 sub:001 dlvrd:001 submit date:2603020900 done date:2603020901 stat:DELIVRD err:000 text:",
			Receipt{ID: "0000000004", Sub: "001", Dlvrd: "001", SubmitDate: "2603020900", DoneDate: "2603020901",
				Stat: "DELIVRD", Err: "000", HasText: true}},
		{"id:ab sub:2 dlvrd:0 submit date:x done date:y stat:undeliv err:42 text:Hello there",
			Receipt{ID: "ab", Sub: "2", Dlvrd: "0", SubmitDate: "x", DoneDate: "y", Stat: "UNDELIV", Err: "42",
				Text: "Hello there", HasText: true}},
		{"stat:weird id:7", Receipt{ID: "7", Stat: "WEIRD"}},
		{"id:only", Receipt{ID: "only"}},
	} {
		raw := []byte(tc.text)
		got, ok := ParseReceipt(raw)
		require.True(t, ok, tc.text)
		require.Equal(t, tc.want, got, tc.text)
		clear(raw) // the values are copies
		require.Equal(t, tc.want, got, tc.text)
	}
}

// TestNoUserDataSkip checks the shortcut of validate: for a command that
// cannot carry user data, without TLVs and outside v5.0, the TLV and
// user-data checks it skips raise nothing.
func TestNoUserDataSkip(t *testing.T) {
	for i := range Commands() {
		c := &Commands()[i]
		if c.mayCarryUserData() {
			continue
		}
		for _, ver := range []Version{V33, V34} {
			for _, status := range []uint32{0, 8} {
				p := &PDU{Cmd: c, Version: ver, opts: Options{Brief: true}}
				p.ID, p.Status = c.ID, status
				for range c.Fields {
					p.Values = append(p.Values, Value{Present: true, Off: HeaderLen})
				}
				d := bodyDecoder{p: p}
				d.ud, d.udField, d.udOff = p.userDataLoc()
				d.checkTLVValues()
				d.checkUserData()
				require.Empty(t, p.Issues, "%s %s", c.Name, ver)
				require.Nil(t, p.value(FieldESMClass), "%s: no esm_class, no receipt", c.Name)
			}
		}
	}
}

func TestStatState(t *testing.T) {
	for _, tc := range []struct {
		stat  string
		state uint8
		ok    bool
	}{
		{"DELIVRD", 2, true}, {"delivrd", 2, true}, {"Undeliv", 5, true}, {"REJECTD", 8, true},
		{"DEL\u0131VRD", 2, true}, // dotless i: upper case is I
		{"ACKED", 0, false}, {"", 0, false}, {"DELIVERED", 0, false},
	} {
		state, ok := StatState(tc.stat)
		require.Equal(t, tc.state, state, tc.stat)
		require.Equal(t, tc.ok, ok, tc.stat)
	}
}
