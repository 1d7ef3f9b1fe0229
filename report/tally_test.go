package report

import (
	"testing"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/decode"
)

func TestTallyAgainstMap(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys []uint32
	}{
		{"empty", nil},
		{"few", []uint32{4, 4, 0x80000004, 4, 5}},
		{"past inline", func() (k []uint32) {
			for i := range 200 {
				k = append(k, uint32(i%37), uint32(i%5))
			}
			return k
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got tally[uint32]
			want := map[uint32]int64{}
			for _, k := range tc.keys {
				got.add(k)
				want[k]++
			}
			seen := map[uint32]int64{}
			got.all(func(k uint32, n int64) {
				if _, dup := seen[k]; dup {
					t.Errorf("key %d reported twice", k)
				}
				seen[k] = n
			})
			if len(seen) != len(want) {
				t.Fatalf("%d keys, want %d", len(seen), len(want))
			}
			for k, n := range want {
				if seen[k] != n {
					t.Errorf("key %d: %d, want %d", k, seen[k], n)
				}
			}
		})
	}
}

// TestCommandCountsAgainstMap: ids counted in the array and in the tally
// come back once each, with their counts, on both sides of each edge.
func TestCommandCountsAgainstMap(t *testing.T) {
	const resp = decode.RespBit
	for _, tc := range []struct {
		name string
		ids  []decode.CommandID
	}{
		{"empty", nil},
		{"traffic", []decode.CommandID{decode.SubmitSM, decode.SubmitSMResp, decode.SubmitSM, decode.DeliverSM,
			decode.DeliverSMResp, decode.EnquireLink, decode.EnquireLinkResp, decode.GenericNack, decode.DataSM}},
		{"edges", []decode.CommandID{0, resp, denseCommands - 1, denseCommands, denseCommands | resp,
			(denseCommands - 1) | resp, decode.CancelBroadcastSM, decode.CancelBroadcastSMResp,
			0x7FFFFFFF, 0xFFFFFFFF, 0x7FFFFFFF, denseCommands}},
		{"many odd ids", func() (ids []decode.CommandID) {
			for i := range 300 {
				ids = append(ids, decode.CommandID(0x1000+i%40), decode.CommandID(i%7)|resp)
			}
			return ids
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c commandCounts
			want := map[decode.CommandID]int64{}
			for _, id := range tc.ids {
				c.add(id)
				want[id]++
			}
			got := map[decode.CommandID]int64{}
			c.all(func(id decode.CommandID, n int64) {
				if _, dup := got[id]; dup {
					t.Errorf("id %#x reported twice", uint32(id))
				}
				got[id] = n
			})
			require.Equal(t, want, got)
		})
	}
}

func TestStreamSet(t *testing.T) {
	for _, tc := range []struct {
		name    string
		streams []int
		want    int
	}{
		{"none", nil, 0},
		{"dense", []int{0, 1, 2, 1, 0, 63, 64}, 5},
		{"odd numbers", []int{-1, -1, maxStreamBits, maxStreamBits - 1, 5, 5}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s streamSet
			for _, n := range tc.streams {
				s.add(n)
			}
			if s.Len() != tc.want {
				t.Errorf("Len %d, want %d", s.Len(), tc.want)
			}
		})
	}
}

// TestCountersIssues: issue rows count every issue of every PDU, whether
// the code repeats the one counted before (the cached row) or not, and
// keep the highest severity seen.
func TestCountersIssues(t *testing.T) {
	type iss struct {
		code decode.Code
		sev  decode.Severity
	}
	for _, tc := range []struct {
		name string
		pdus [][]iss
	}{
		{"none", [][]iss{nil, nil}},
		{"repeat", [][]iss{{{"SES-12", decode.SevInfo}}, {{"SES-12", decode.SevInfo}}, nil, {{"SES-12", decode.SevInfo}}}},
		{"alternate", [][]iss{{{"SES-12", decode.SevInfo}, {"SES-13", decode.SevInfo}}, {{"SES-12", decode.SevWarning}}, {{"SES-13", decode.SevInfo}, {"SES-13", decode.SevError}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCounters()
			want := map[decode.Code]IssueCount{}
			for _, issues := range tc.pdus {
				p := &decode.PDU{}
				for _, is := range issues {
					p.Issues = append(p.Issues, decode.Issue{Code: is.code, Severity: is.sev})
					w := want[is.code]
					w.Code, w.Count, w.Severity = is.code, w.Count+1, max(w.Severity, is.sev)
					want[is.code] = w
				}
				c.add(p)
				c.unanswered() // SES-04 rows are kept beside the cached one
				w := want[decode.CodeUnanswered]
				w.Code, w.Count, w.Severity = decode.CodeUnanswered, w.Count+1, decode.SevWarning
				want[decode.CodeUnanswered] = w
			}
			got := map[decode.Code]IssueCount{}
			for code, ic := range c.issues {
				got[code] = *ic
			}
			require.Equal(t, want, got)
		})
	}
}
