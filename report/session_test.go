package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/decode"
)

// step is one PDU of a session script: who sends it and what.
type step struct {
	fromESME bool
	p        *decode.PDU
}

func esme(p *decode.PDU) step { return step{true, p} }
func smsc(p *decode.PDU) step { return step{false, p} }

func bindTRX(seq uint32) *decode.PDU {
	return decode.New(decode.BindTransceiver, 0, seq).SetString(decode.FieldSystemID, "acme").SetInt(decode.FieldInterfaceVersion, 0x34)
}
func bindRX(seq uint32) *decode.PDU {
	return decode.New(decode.BindReceiver, 0, seq).SetString(decode.FieldSystemID, "acme").SetInt(decode.FieldInterfaceVersion, 0x34)
}
func resp(id decode.CommandID, st decode.Status, seq uint32) *decode.PDU {
	p := decode.New(id, st, seq)
	if st != 0 {
		p.Values = p.Values[:0]
	}
	return p
}
func submit(seq uint32) *decode.PDU {
	return decode.New(decode.SubmitSM, 0, seq).SetString(decode.FieldDestinationAddr, "4471").SetString(decode.FieldShortMessage, "x")
}
func deliver(seq uint32) *decode.PDU {
	return decode.New(decode.DeliverSM, 0, seq).SetString(decode.FieldDestinationAddr, "4471").SetString(decode.FieldShortMessage, "x")
}

// capture records the issues of every PDU written.
type capture struct{ issues [][]decode.Code }

func (c *capture) PDU(r *PDURecord) error {
	var codes []decode.Code
	for _, is := range r.PDU.Issues {
		codes = append(codes, is.Code)
	}
	c.issues = append(c.issues, codes)
	return nil
}
func (c *capture) Gap(*GapRecord) error   { return nil }
func (c *capture) Summary(*Summary) error { return nil }
func (c *capture) Close() error           { return nil }

func TestSessionChecks(t *testing.T) {
	bound := []step{esme(bindTRX(1)), smsc(resp(decode.BindTransceiverResp, 0, 1))}
	for _, tc := range []struct {
		name  string
		steps []step
		want  decode.Code // raised on the last step
	}{
		{"SES-01 response without request", append(bound, smsc(resp(decode.SubmitSMResp, 0, 9))), decode.CodeNoMatchingReq},
		{"SES-02 response id mismatch", append(bound, esme(submit(2)), smsc(resp(decode.QuerySMResp, 0, 2))), decode.CodeRespIDMismatch},
		{"SES-03 duplicate outstanding seq", append(bound, esme(submit(2)), esme(submit(2))), decode.CodeDuplicateSeq},
		{"SES-06 deliver_sm from the ESME", append(bound, esme(deliver(3))), decode.CodeWrongSender},
		{"SES-07 submit before bind", []step{esme(bindTRX(1)), esme(submit(2))}, decode.CodeWrongState},
		{"SES-07 submit on a receiver", []step{esme(bindRX(1)), smsc(resp(decode.BindReceiverResp, 0, 1)), esme(submit(2))}, decode.CodeWrongState},
		{"SES-08 enquire_link before bind on v3.4", []step{esme(bindTRX(1)), esme(decode.New(decode.EnquireLink, 0, 2))}, decode.CodeUnboundKeepalive},
		{"SES-09 bind when bound", append(bound, esme(bindTRX(2))), decode.CodeAlreadyBound},
		{"SES-10 traffic after unbind", append(bound, esme(decode.New(decode.Unbind, 0, 2)), smsc(resp(decode.UnbindResp, 0, 2)), esme(submit(3))), decode.CodeAfterUnbind},
		{"SES-12 out-of-order responses", append(bound, esme(submit(2)), esme(submit(3)), smsc(resp(decode.SubmitSMResp, 0, 3))), decode.CodeOutOfOrderResp},
		{"SES-14 TLVs to an SMSC that announced no TLV support", []step{esme(bindTRX(1)), smsc(decode.New(decode.BindTransceiverResp, 0, 1).SetString(decode.FieldSystemID, "S")),
			esme(submit(2).AddTLVInt(decode.TagUserMessageReference, 7))}, decode.CodeTLVToV33},
		{"SES-15 enquire_link_resp with an error", append(bound, esme(decode.New(decode.EnquireLink, 0, 2)), smsc(resp(decode.EnquireLinkResp, 8, 2))), decode.CodeEnquireStatus},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &capture{}
			a := NewAnalyzer(c)
			for i, s := range tc.steps {
				raw, err := s.p.Marshal()
				require.NoError(t, err)
				m := meta(i+1, 0, s.fromESME)
				require.NoError(t, a.PDU(m, raw))
			}
			last := c.issues[len(c.issues)-1]
			require.Contains(t, last, tc.want)
			for _, earlier := range c.issues[:len(c.issues)-1] {
				require.NotContains(t, earlier, tc.want, "raised too early")
			}
		})
	}
}

func TestSessionCleanExchangeRaisesNothing(t *testing.T) {
	c := &capture{}
	a := NewAnalyzer(c)
	steps := []step{esme(bindTRX(1)), smsc(resp(decode.BindTransceiverResp, 0, 1)),
		esme(submit(2)), smsc(resp(decode.SubmitSMResp, 0, 2).SetString(decode.FieldMessageID, "abc")),
		smsc(deliver(1)), esme(resp(decode.DeliverSMResp, 0, 1)),
		esme(decode.New(decode.EnquireLink, 0, 3)), smsc(resp(decode.EnquireLinkResp, 0, 3)),
		esme(decode.New(decode.Unbind, 0, 4)), smsc(resp(decode.UnbindResp, 0, 4))}
	for i, s := range steps {
		raw, err := s.p.Marshal()
		require.NoError(t, err)
		require.NoError(t, a.PDU(meta(i+1, 0, s.fromESME), raw))
	}
	for i, is := range c.issues {
		require.Empty(t, is, "step %d", i)
	}
	require.Equal(t, int64(0), a.counts.unansweredN)
	require.NoError(t, a.Finish(nil))
}

func (c *capture) Message(*MessageRecord) error { return nil }

// detailWriter records every issue detail of every PDU written.
type detailWriter struct {
	capture
	details [][]string
}

func (c *detailWriter) PDU(r *PDURecord) error {
	var d []string
	for _, is := range r.PDU.Issues {
		d = append(d, string(is.Code)+" "+is.Detail)
	}
	c.details = append(c.details, d)
	return nil
}

// TestOutOfOrderNamesOldest: SES-12 names the oldest request still
// outstanding (not whichever a map yields first), also after requests
// were answered, replaced by a duplicate sequence number, or many came
// and went (the arrival list is compacted).
func TestOutOfOrderNamesOldest(t *testing.T) {
	bound := []step{esme(bindTRX(1)), smsc(resp(decode.BindTransceiverResp, 0, 1))}
	for _, tc := range []struct {
		name  string
		steps []step
		want  string // detail of the SES-12 on the last step, "" for none
	}{
		{"oldest of several", append(bound, esme(submit(2)), esme(submit(3)), esme(submit(4)), esme(submit(5)), smsc(resp(decode.SubmitSMResp, 0, 5))),
			"SES-12 answered before the earlier request 2 (frame 3)"},
		{"oldest answered first", append(bound, esme(submit(2)), esme(submit(3)), esme(submit(4)), smsc(resp(decode.SubmitSMResp, 0, 2)), smsc(resp(decode.SubmitSMResp, 0, 4))),
			"SES-12 answered before the earlier request 3 (frame 4)"},
		{"in order", append(bound, esme(submit(2)), esme(submit(3)), smsc(resp(decode.SubmitSMResp, 0, 2)), smsc(resp(decode.SubmitSMResp, 0, 3))), ""},
		{"duplicate seq replaces the older", append(bound, esme(submit(2)), esme(submit(3)), esme(submit(2)), smsc(resp(decode.SubmitSMResp, 0, 2))),
			"SES-12 answered before the earlier request 3 (frame 4)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &detailWriter{}
			a := NewAnalyzer(c)
			for i, s := range tc.steps {
				raw, err := s.p.Marshal()
				require.NoError(t, err)
				require.NoError(t, a.PDU(meta(i+1, 0, s.fromESME), raw))
			}
			var got string
			for _, d := range c.details[len(c.details)-1] {
				if strings.HasPrefix(d, "SES-12") {
					got = d
				}
			}
			require.Equal(t, tc.want, got)
		})
	}
	t.Run("compaction", func(t *testing.T) {
		c := &detailWriter{}
		a := NewAnalyzer(c, Window(100000))
		steps := append([]step{}, bound...)
		steps = append(steps, esme(submit(2))) // stays outstanding throughout
		for seq := uint32(3); seq < 3000; seq++ {
			steps = append(steps, esme(submit(seq)), smsc(resp(decode.SubmitSMResp, 0, seq)))
		}
		for i, s := range steps {
			raw, err := s.p.Marshal()
			require.NoError(t, err)
			require.NoError(t, a.PDU(meta(i+1, 0, s.fromESME), raw))
		}
		require.Contains(t, c.details[len(c.details)-1], "SES-12 answered before the earlier request 2 (frame 3)")
		require.LessOrEqual(t, a.sessions[0].arrivals[0].Len(), 2*a.sessions[0].pending[0].Len()+64)
	})
}

// TestAnalyzerSessionLookup: a stream's session is the same whether found
// in byStream or the map, for numbers in and out of byStream's range.
func TestAnalyzerSessionLookup(t *testing.T) {
	for _, tc := range []struct {
		name    string
		streams []int
	}{
		{"in order", []int{0, 1, 2, 0, 2}},
		{"gaps", []int{5, 0, 5, 3}},
		{"out of range", []int{-1, maxStreamIndex, maxStreamIndex + 7, -1, maxStreamIndex}},
		{"mixed", []int{2, maxStreamIndex - 1, -3, 2, maxStreamIndex - 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := NewAnalyzer(&capture{})
			first := map[int]*session{}
			for _, st := range tc.streams {
				s := a.session(st)
				require.Equal(t, st, s.stream)
				if f, ok := first[st]; ok {
					require.Same(t, f, s, "stream %d", st)
				}
				first[st] = s
			}
			require.Len(t, a.sessions, len(first))
		})
	}
}

// TestIsBindOrResp: the analyzer and StreamDecoder skip nextVersion for
// PDUs that are not binds or bind responses, so no other command may
// change the version, even one carrying interface_version or
// sc_interface_version; and the binds and their responses do.
func TestIsBindOrResp(t *testing.T) {
	const cur = decode.V34
	for _, c := range decode.Commands() {
		p := decode.New(c.ID, 0, 1)
		if c.Field(decode.FieldInterfaceVersion) >= 0 {
			p.SetInt(decode.FieldInterfaceVersion, 0x50)
		}
		p.AddTLV(decode.TagSCInterfaceVersion, []byte{0x33})
		changes := nextVersion(cur, p) != cur
		if changes != isBindOrResp(c.ID) {
			t.Errorf("%s: nextVersion changes the version: %v, isBindOrResp %v", c.Name, changes, isBindOrResp(c.ID))
		}
	}
}
