package decode

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestQuietSkipsOnlySilentValues checks, for every value of every field of
// a few commands under every version, that a value validate skips is one
// of a one-octet field on which checkField raises nothing.
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
					if quiet[i].has(uint32(x)) {
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
	require.False(t, s.has(256+255))
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
