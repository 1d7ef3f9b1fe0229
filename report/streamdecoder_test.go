package report

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/decode"
)

// versionWriter records the version each PDU was decoded under, then
// writes it as JSON.
type versionWriter struct {
	Writer
	versions []decode.Version
}

func (w *versionWriter) PDU(r *PDURecord) error {
	w.versions = append(w.versions, r.PDU.Version)
	return w.Writer.PDU(r)
}

// TestStreamDecoderMatchesAnalyzer: decoding ahead with a StreamDecoder
// and analysing with Decoded gives the same records, decoded under the
// same versions, as Analyzer.PDU, on interleaved streams whose binds
// negotiate v3.3, v3.4 and v5.0 (lowered by the response), and a stream
// with no bind; with small stream numbers, and with numbers past those the
// StreamDecoder keeps in a slice (and a negative one).
func TestStreamDecoderMatchesAnalyzer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		streams [4]int
	}{
		{"small", [4]int{0, 1, 2, 3}},
		{"far", [4]int{denseStreams - 1, denseStreams, denseStreams + 7, -1}},
	} {
		t.Run(tc.name, func(t *testing.T) { testStreamDecoderMatches(t, tc.streams) })
	}
}

func testStreamDecoderMatches(t *testing.T, streams [4]int) {
	bind := func(v uint32, seq uint32) *decode.PDU {
		return decode.New(decode.BindTransceiver, 0, seq).SetString(decode.FieldSystemID, "acme").SetInt(decode.FieldInterfaceVersion, v)
	}
	bindResp := func(sc int, seq uint32) *decode.PDU {
		p := decode.New(decode.BindTransceiverResp, 0, seq).SetString(decode.FieldSystemID, "SMSC")
		if sc > 0 {
			p.AddTLVInt(decode.TagSCInterfaceVersion, uint32(sc))
		}
		return p
	}
	sub := func(seq uint32) *decode.PDU {
		return decode.New(decode.SubmitSM, 0, seq).SetString(decode.FieldDestinationAddr, "447700900123").
			SetString(decode.FieldShortMessage, "hello").AddTLVInt(decode.TagUserMessageReference, 7).
			AddTLVInt(decode.TagBillingIdentification, 1)
	}
	type step struct {
		stream   int
		fromESME bool
		p        *decode.PDU
	}
	steps := []step{
		{0, true, bind(0x34, 1)}, {1, true, bind(0x33, 1)}, {2, true, bind(0x50, 1)},
		{0, false, bindResp(0x34, 1)}, {1, false, bindResp(0, 1)}, {2, false, bindResp(0x34, 1)},
		{3, true, sub(9)},
	}
	for seq := uint32(2); seq < 6; seq++ {
		for s := range 3 {
			steps = append(steps, step{s, true, sub(seq)})
		}
	}
	steps = append(steps, step{2, true, bind(0x50, 9)}, step{2, false, bindResp(0x50, 9)}, step{2, true, sub(10)})
	run := func(ahead bool) (string, []decode.Version) {
		var out bytes.Buffer
		jw, err := New(FormatJSON, WithOutput(&out))
		require.NoError(t, err)
		w := &versionWriter{Writer: jw}
		a := NewAnalyzer(w)
		d := a.StreamDecoder()
		var p decode.PDU
		for i, st := range steps {
			m := meta(i+1, streams[st.stream], st.fromESME)
			raw := encode(t, st.p)
			if ahead {
				d.Decode(m.Stream, raw, &p)
				require.NoError(t, a.Decoded(&m, &p))
			} else {
				require.NoError(t, a.PDU(m, raw))
			}
		}
		require.NoError(t, a.Finish(nil))
		return out.String(), w.versions
	}
	wantOut, wantV := run(false)
	gotOut, gotV := run(true)
	require.Equal(t, wantV, gotV)
	require.Equal(t, wantOut, gotOut)
	seen := map[decode.Version]bool{}
	for _, v := range wantV {
		seen[v] = true
	}
	// (a stream with no bind is decoded under v3.4 rules)
	require.Len(t, seen, 3, "versions 3.3, 3.4 and 5.0 all in use: %v", wantV)
}
