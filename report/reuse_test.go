package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"smppdump.dev/smppdump/decode"
)

// Message reuse (correlator.recycle / newMessage) must be invisible: a
// message handed to a new submit may not be reachable from anything that
// still belongs to its old life (id index, pending requests, groups, live
// list, ready list), and no record may show state of another message. The
// tests below run each script three ways and compare:
//
//   - the reference: the free list is emptied after every PDU, so no
//     message is ever reused;
//   - with reuse, every free message poisoned after every PDU (garbage in
//     every field newMessage and submit are meant to overwrite, a nil bind
//     and message pointer), and every structure checked for references to
//     a free message;
//   - the expectations of the case (summary counters, per-message fields).

// rstep is one PDU of a reuse script.
type rstep struct {
	fromESME bool
	stream   int
	p        *decode.PDU
	wait     time.Duration // capture time since the previous step (default 1ms)
	sweep    bool          // the analyzer sweeps (timeouts) at this PDU
}

func rE(p *decode.PDU) rstep                { return rstep{fromESME: true, p: p} }
func rS(p *decode.PDU) rstep                { return rstep{p: p} }
func (s rstep) on(stream int) rstep         { s.stream = stream; return s }
func (s rstep) after(d time.Duration) rstep { s.wait = d; return s }
func (s rstep) sweeping() rstep             { s.sweep = true; return s }

// rSub is a submit_sm to dst with text, asking for a receipt when dlr.
func rSub(seq uint32, dst, text string, dlr bool) *decode.PDU {
	p := decode.New(decode.SubmitSM, 0, seq).SetString(decode.FieldSourceAddr, "src-"+dst).
		SetString(decode.FieldDestinationAddr, dst).SetString(decode.FieldShortMessage, text)
	if dlr {
		p.SetInt(decode.FieldRegisteredDelivery, 1)
	}
	return p
}

// rPart is part no of total of a concatenated message (8-bit reference ref).
func rPart(seq uint32, dst string, ref, total, no uint8, text string, dlr bool) *decode.PDU {
	ud := append([]byte{5, 0, 3, ref, total, no}, text...)
	p := decode.New(decode.SubmitSM, 0, seq).SetString(decode.FieldSourceAddr, "src-"+dst).
		SetString(decode.FieldDestinationAddr, dst).SetInt(decode.FieldESMClass, 0x40).SetBytes(decode.FieldShortMessage, ud)
	if dlr {
		p.SetInt(decode.FieldRegisteredDelivery, 1)
	}
	return p
}

func rResp(seq uint32, id string) *decode.PDU {
	return decode.New(decode.SubmitSMResp, 0, seq).SetString(decode.FieldMessageID, id)
}

// rDLR is a final receipt (message type 0x04) for id with stat.
func rDLR(seq uint32, id, stat string) *decode.PDU {
	return decode.New(decode.DeliverSM, 0, seq).SetInt(decode.FieldESMClass, 4).SetString(decode.FieldDestinationAddr, "src").
		SetString(decode.FieldShortMessage, "id:"+id+" sub:001 dlvrd:001 submit date:2603020900 done date:2603020901 stat:"+stat+" err:000 text:x").
		AddTLVString(decode.TagReceiptedMessageID, id)
}

// rNote is an intermediate notification (message type 0x20) for id.
func rNote(seq uint32, id, stat string) *decode.PDU {
	return decode.New(decode.DeliverSM, 0, seq).SetInt(decode.FieldESMClass, 0x20).SetString(decode.FieldDestinationAddr, "src").
		SetString(decode.FieldShortMessage, "id:"+id+" sub:001 dlvrd:000 submit date:2603020900 done date:2603020901 stat:"+stat+" err:000 text:x").
		AddTLVString(decode.TagReceiptedMessageID, id)
}

func rDLRResp(seq uint32) *decode.PDU { return decode.New(decode.DeliverSMResp, 0, seq) }

func rBound(stream int) []rstep {
	return []rstep{rE(bindTRX(1)).on(stream), rS(resp(decode.BindTransceiverResp, 0, 1)).on(stream)}
}

// reuseRun is what running a script gave.
type reuseRun struct {
	out    string           // the whole JSON output
	msgs   []map[string]any // the message records, in output order
	sum    map[string]any   // the summary record
	reused int              // messages taken off the free list
}

// runReuse runs steps through an analyzer with JSON output. Without reuse,
// the free list is emptied after every PDU; with it, free messages are
// poisoned and every structure is checked for references to them.
func runReuse(t *testing.T, steps []rstep, reuse bool, aopts ...AnalyzerOption) reuseRun {
	t.Helper()
	var out bytes.Buffer
	w, err := New(FormatJSON, WithOutput(&out))
	require.NoError(t, err)
	a := NewAnalyzer(w, aopts...)
	var run reuseRun
	at := t0
	prevFree := map[*message]bool{}
	for i, s := range steps {
		raw, err := s.p.Marshal()
		require.NoError(t, err)
		wait := s.wait
		if wait == 0 {
			wait = time.Millisecond
		}
		at = at.Add(wait)
		m := meta(i+1, s.stream, s.fromESME)
		m.Time = at
		if s.sweep {
			a.sinceSweep = sweepEvery - 1
		}
		require.NoError(t, a.PDU(m, raw), "step %d", i)
		if !reuse {
			clear(a.corr.free)
			a.corr.free = a.corr.free[:0]
			continue
		}
		free := map[*message]bool{}
		for _, fm := range a.corr.free {
			require.False(t, free[fm], "step %d: a message is on the free list twice", i)
			free[fm] = true
		}
		for fm := range prevFree {
			if !free[fm] {
				run.reused++
			}
		}
		checkNoRefsToFree(t, a, free, fmt.Sprintf("step %d", i))
		for fm := range free {
			if !prevFree[fm] {
				poisonMessage(fm)
			}
		}
		prevFree = free
	}
	require.NoError(t, a.Finish(nil))
	run.out = out.String()
	for _, l := range strings.Split(strings.TrimSuffix(run.out, "\n"), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &rec), l)
		switch rec["type"] {
		case "message":
			run.msgs = append(run.msgs, rec)
		case "summary":
			run.sum = rec
		}
	}
	return run
}

// poisonMessage fills a free message with garbage where newMessage and
// submit are to overwrite it: whoever reads it before that shows garbage
// (or crashes on the nil bind and message pointers).
func poisonMessage(m *message) {
	junk := receiptHit{stream: 99, final: true, frame: 9999, time: t0.Add(99 * time.Hour), stat: "POISON", err: "999", rule: "poison", latency: time.Hour}
	m.msgHead = msgHead{registered: 0xff, done: false, grouped: true, reusable: true, distinct: 42, total: 42,
		parts: []*msgPart{{text: "POISON"}}, bind: nil, order: 0,
		partsBuf: [1]*msgPart{{text: "POISON"}}, seenBuf: [1]uint8{9}}
	fp := &m.firstPart
	// The receipts array is kept for the next life: poison its contents too.
	rs := fp.receipts[:cap(fp.receipts)]
	for i := range rs {
		rs[i] = junk
	}
	*fp = msgPart{msg: nil, idLong: "POISON-LONG-ID-POISON-LONG-ID", idHash: 0xdeadbeef, idLen: 0,
		time: t0.Add(-time.Hour), hasResp: true, respStatus: 0x99, receipts: append(rs[:0], junk, junk),
		interim: 7, notes: []receiptHit{junk}, partNo: 9, stream: 9, seq: 999, frame: 999, text: "POISON",
		respTime: t0.Add(time.Hour), respFrame: 999, respStream: 9, latency: time.Hour}
	m.msgTail = msgTail{command: "POISON", systemID: "POISON", src: "POISON", dst: "POISON",
		seen: []uint8{9, 9, 9}, dupParts: 9, segMethod: "POISON", segRef: 999, first: t0.Add(-time.Hour),
		group: partKey{bind: "POISON"}}
}

// checkNoRefsToFree fails when anything the analyzer will read again still
// refers to a message on the free list (or to one of its parts).
func checkNoRefsToFree(t *testing.T, a *Analyzer, free map[*message]bool, where string) {
	t.Helper()
	if len(free) == 0 {
		return
	}
	stale := func(p *msgPart) bool {
		if p == nil {
			return false
		}
		if p.msg != nil && free[p.msg] {
			return true
		}
		for m := range free {
			if p == &m.firstPart {
				return true
			}
		}
		return false
	}
	c := a.corr
	c.ids.text.all(func(_ uint64, p *msgPart) {
		require.False(t, stale(p), "%s: id index (text) holds a part of a free message", where)
	})
	for k, p := range c.ids.clash {
		require.False(t, stale(p), "%s: id index (clash %q) holds a part of a free message", where, k)
	}
	for k, p := range c.ids.num {
		require.False(t, stale(p), "%s: id index (num %d) holds a part of a free message", where, k)
	}
	for k, p := range c.ids.big {
		require.False(t, stale(p), "%s: id index (big %s) holds a part of a free message", where, k)
	}
	for k, m := range c.groups {
		require.False(t, free[m], "%s: group %+v is a free message", where, k)
	}
	for _, m := range c.live.items() {
		if m != nil {
			require.False(t, free[m], "%s: a waiting live entry is a free message", where)
			for _, p := range m.parts {
				require.False(t, stale(p), "%s: a live message has a part of a free message", where)
			}
		}
	}
	for _, m := range a.corr.ready {
		require.False(t, free[m], "%s: a message waiting to be written is free", where)
	}
	for _, s := range a.sessions {
		for d := range s.pending {
			tab := &s.pending[d]
			for _, pr := range tab.ring {
				if pr.order != 0 {
					require.False(t, stale(pr.part), "%s: pending request seq %d (stream %d) names a part of a free message", where, pr.seq, s.stream)
				}
			}
			for _, pr := range tab.over {
				require.False(t, stale(pr.part), "%s: pending request seq %d (stream %d) names a part of a free message", where, pr.seq, s.stream)
			}
		}
	}
}

// wantMsg is what a message record must show; the record is found by its
// message_id ("" for the ones without).
type wantMsg struct {
	id        string
	text      string
	dst       string
	receipts  int
	stat      string // receipt_stat, "" for none
	interim   int
	parts     int
	partsSeen int
	hasResp   bool
}

func TestReuseLeaksNothing(t *testing.T) {
	bound := rBound(0)
	seqFlow := func() []rstep {
		s := append([]rstep{}, bound...)
		for i := range 6 {
			seq, id := uint32(10+i), fmt.Sprintf("id%d", i)
			s = append(s, rE(rSub(seq, fmt.Sprintf("44%d", i), fmt.Sprintf("text %d", i), true)), rS(rResp(seq, id)),
				rS(rDLR(100+seq, id, "DELIVRD")), rE(rDLRResp(100+seq)))
		}
		return s
	}
	long := strings.Repeat("L", idCopyMax+6)
	for _, tc := range []struct {
		name     string
		steps    []rstep
		opts     []AnalyzerOption
		minReuse int
		msgs     []wantMsg
		sum      map[string]float64
	}{
		{
			name:     "one after another",
			steps:    seqFlow(),
			minReuse: 5,
			msgs: []wantMsg{{id: "id0", text: "text 0", dst: "440", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true},
				{id: "id5", text: "text 5", dst: "445", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true}},
			sum: map[string]float64{"messages": 6, "receipts_matched": 6, "receipts_duplicate": 0},
		},
		{
			name: "duplicate receipt after its message was reused",
			steps: append(append([]rstep{}, bound...),
				rE(rSub(2, "441", "first", true)), rS(rResp(2, "a1")), rS(rDLR(50, "a1", "DELIVRD")),
				rE(rSub(3, "442", "second", true)), rS(rResp(3, "b2")),
				rS(rDLR(51, "a1", "UNDELIV")), // the duplicate: must not reach the reused message
				rS(rDLR(52, "b2", "DELIVRD"))),
			minReuse: 1,
			msgs: []wantMsg{{id: "a1", text: "first", dst: "441", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true},
				{id: "b2", text: "second", dst: "442", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true}},
			sum: map[string]float64{"messages": 2, "receipts_matched": 2, "receipts_duplicate": 1, "receipts_late": 0},
		},
		{
			name: "notifications stay with their message",
			steps: append(append([]rstep{}, bound...),
				rE(rSub(2, "441", "first", true)), rS(rResp(2, "a1")), rS(rNote(50, "a1", "ENROUTE")), rS(rNote(51, "a1", "ACCEPTD")),
				rS(rDLR(52, "a1", "DELIVRD")),
				rE(rSub(3, "442", "second", true)), rS(rResp(3, "b2")), rS(rDLR(53, "b2", "EXPIRED"))),
			minReuse: 1,
			msgs: []wantMsg{{id: "a1", text: "first", dst: "441", receipts: 1, stat: "DELIVRD", interim: 2, parts: 1, partsSeen: 1, hasResp: true},
				{id: "b2", text: "second", dst: "442", receipts: 1, stat: "EXPIRED", interim: 0, parts: 1, partsSeen: 1, hasResp: true}},
		},
		{
			name: "evicted after its response (--max-messages), receipt comes after reuse",
			opts: []AnalyzerOption{MaxMessages(1)},
			steps: append(append([]rstep{}, bound...),
				rE(rSub(2, "441", "first", true)), rS(rResp(2, "a1")),
				rE(rSub(3, "442", "second", true)), // evicts the first: answered, so reusable
				rS(rResp(3, "b2")), rS(rDLR(50, "b2", "DELIVRD")),
				rE(rSub(4, "443", "third", true)), rS(rResp(4, "c3")),
				rS(rDLR(51, "a1", "UNDELIV")), // late: must not reach the third
				rS(rDLR(52, "c3", "DELIVRD"))),
			minReuse: 1,
			msgs: []wantMsg{{id: "a1", text: "first", dst: "441", receipts: 0, parts: 1, partsSeen: 1, hasResp: true},
				{id: "c3", text: "third", dst: "443", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true}},
			sum: map[string]float64{"messages": 3, "receipts_late": 1, "messages_evicted": 1, "receipts_matched": 2},
		},
		{
			name: "evicted before its response (--max-messages), response comes after reuse",
			opts: []AnalyzerOption{MaxMessages(1)},
			steps: append(append([]rstep{}, bound...),
				rE(rSub(2, "441", "first", true)),
				rE(rSub(3, "442", "second", true)), // evicts the first, unanswered: not reusable
				rS(rResp(3, "b2")), rS(rDLR(50, "b2", "DELIVRD")),
				rE(rSub(4, "443", "third", true)), // reuses the second
				rS(rResp(2, "a1")),                // the first's response, after its record
				rS(rResp(4, "c3")),
				rS(rDLR(51, "a1", "UNDELIV")),
				rS(rDLR(52, "c3", "DELIVRD"))),
			minReuse: 1,
			msgs: []wantMsg{{id: "", text: "first", dst: "441", receipts: 0, parts: 1, partsSeen: 1, hasResp: false},
				{id: "b2", text: "second", dst: "442", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true},
				{id: "c3", text: "third", dst: "443", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true}},
			// The first's receipt is late (its record was written without
			// it), neither lost from every counter nor attached to it.
			sum: map[string]float64{"messages": 3, "receipts_late": 1, "messages_evicted": 1, "receipts_matched": 2, "receipts_orphan": 0},
		},
		{
			name: "expired waiting for its receipt (--receipt-timeout), receipt comes after reuse",
			opts: []AnalyzerOption{ReceiptTimeout(time.Minute)},
			steps: append(append([]rstep{}, bound...),
				rE(rSub(2, "441", "first", true)), rS(rResp(2, "a1")),
				rE(rSub(3, "442", "second", true)).after(2*time.Minute).sweeping(), // the first expires (answered: reusable)
				rE(rSub(4, "443", "third", true)), rS(rResp(4, "c3")),
				rS(rDLR(50, "a1", "UNDELIV")), // late
				rS(rResp(3, "b2")), rS(rDLR(51, "c3", "DELIVRD")), rS(rDLR(52, "b2", "REJECTD"))),
			minReuse: 1,
			msgs: []wantMsg{{id: "a1", text: "first", dst: "441", receipts: 0, parts: 1, partsSeen: 1, hasResp: true},
				{id: "b2", text: "second", dst: "442", receipts: 1, stat: "REJECTD", parts: 1, partsSeen: 1, hasResp: true},
				{id: "c3", text: "third", dst: "443", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true}},
			sum: map[string]float64{"messages": 3, "receipts_late": 1, "messages_expired": 1},
		},
		{
			name: "request given up (--response-timeout), response comes after reuse",
			opts: []AnalyzerOption{ResponseTimeout(time.Minute), ReceiptTimeout(90 * time.Second)},
			steps: append(append([]rstep{}, bound...),
				rE(rSub(2, "441", "first", true)),
				rE(rSub(3, "442", "second", false)).after(2*time.Minute).sweeping(), // seq 2 given up, the first expires unanswered
				rS(rResp(3, "b2")),                 // the second completes: reusable
				rE(rSub(4, "443", "third", false)), // reuses it
				rS(rResp(2, "a1")),                 // no request any more
				rS(rResp(4, "c3"))),
			minReuse: 1,
			msgs: []wantMsg{{id: "", text: "first", dst: "441", parts: 1, partsSeen: 1, hasResp: false},
				{id: "b2", text: "second", dst: "442", parts: 1, partsSeen: 1, hasResp: true},
				{id: "c3", text: "third", dst: "443", parts: 1, partsSeen: 1, hasResp: true}},
			sum: map[string]float64{"messages": 3, "messages_expired": 1},
		},
		{
			name: "multipart message reused by a single one, then its reference reused",
			steps: append(append([]rstep{}, bound...),
				rE(rPart(2, "441", 7, 3, 1, "aa", true)), rE(rPart(3, "441", 7, 3, 2, "bb", true)), rE(rPart(4, "441", 7, 3, 3, "cc", true)),
				rS(rResp(2, "p1")), rS(rResp(3, "p2")), rS(rResp(4, "p3")),
				rS(rDLR(50, "p1", "DELIVRD")), rS(rDLR(51, "p2", "DELIVRD")), rS(rDLR(52, "p3", "DELIVRD")),
				rE(rSub(5, "442", "single", true)), rS(rResp(5, "s1")),
				rS(rDLR(53, "p2", "UNDELIV")), // duplicate for a part of the reused message
				rS(rDLR(54, "s1", "DELIVRD")),
				rE(rPart(6, "441", 7, 2, 1, "dd", false)), rE(rPart(7, "441", 7, 2, 2, "ee", false)),
				rS(rResp(6, "q1")), rS(rResp(7, "q2"))),
			minReuse: 2,
			msgs: []wantMsg{{id: "p1", text: "aabbcc", dst: "441", receipts: 3, stat: "DELIVRD", parts: 3, partsSeen: 3, hasResp: true},
				{id: "s1", text: "single", dst: "442", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true},
				{id: "q1", text: "ddee", dst: "441", parts: 2, partsSeen: 2, hasResp: true}},
			sum: map[string]float64{"messages": 3, "receipts_duplicate": 1, "receipts_matched": 4},
		},
		{
			name: "multipart message written out with a part missing, its last part comes after reuse",
			opts: []AnalyzerOption{MaxMessages(1)},
			steps: append(append([]rstep{}, bound...),
				rE(rPart(2, "441", 9, 2, 1, "aa", false)), rS(rResp(2, "p1")),
				rE(rSub(3, "442", "single", false)), // evicts the multipart one (its part answered: reusable)
				rS(rResp(3, "s1")),                  // complete
				rE(rSub(4, "443", "next", false)),   // reuses one of them
				rE(rPart(5, "441", 9, 2, 2, "bb", false)), rS(rResp(5, "p2")), rS(rResp(4, "n1"))),
			minReuse: 1,
			msgs: []wantMsg{{id: "p1", text: "aa…", dst: "441", parts: 2, partsSeen: 1, hasResp: true},
				{id: "s1", text: "single", dst: "442", parts: 1, partsSeen: 1, hasResp: true},
				{id: "", text: "…bb", dst: "441", parts: 2, partsSeen: 1, hasResp: true},
				{id: "", text: "next", dst: "443", parts: 1, partsSeen: 1, hasResp: false}}, // evicted by the last part
		},
		{
			name: "receipts before the response of a reused message",
			steps: append(append([]rstep{}, bound...),
				rE(rSub(2, "441", "first", true)), rS(rResp(2, "a1")), rS(rDLR(50, "a1", "DELIVRD")),
				rE(rSub(3, "442", "second", true)),
				rS(rDLR(51, "b2", "DELIVRD")), rS(rNote(52, "b2", "ENROUTE")), rS(rDLR(53, "B2", "UNDELIV")), // all before the response
				rS(rResp(3, "b2")),
				rE(rSub(4, "443", "third", true)), rS(rResp(4, "c3")), rS(rDLR(54, "c3", "EXPIRED"))),
			minReuse: 2,
			msgs: []wantMsg{{id: "a1", text: "first", dst: "441", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true},
				{id: "b2", text: "second", dst: "442", receipts: 2, stat: "UNDELIV", interim: 1, parts: 1, partsSeen: 1, hasResp: true},
				{id: "c3", text: "third", dst: "443", receipts: 1, stat: "EXPIRED", parts: 1, partsSeen: 1, hasResp: true}},
		},
		{
			name: "duplicate sequence number replaces a pending request",
			steps: append(append([]rstep{}, bound...),
				rE(rSub(2, "441", "first", true)),
				rE(rSub(2, "442", "second", true)), // SES-03: the first is never answered
				rS(rResp(2, "b2")), rS(rDLR(50, "b2", "DELIVRD")),
				rE(rSub(3, "443", "third", true)), rS(rResp(3, "c3")), rS(rDLR(51, "c3", "DELIVRD")),
				rE(rSub(4, "444", "fourth", true)), rS(rResp(4, "d4")), rS(rDLR(52, "d4", "DELIVRD"))),
			minReuse: 2,
			msgs: []wantMsg{{id: "", text: "first", dst: "441", parts: 1, partsSeen: 1, hasResp: false},
				{id: "b2", text: "second", dst: "442", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true},
				{id: "d4", text: "fourth", dst: "444", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true}},
		},
		{
			name: "responses out of order and a window above the guideline",
			opts: []AnalyzerOption{Window(2)},
			steps: append(append([]rstep{}, bound...),
				rE(rSub(2, "441", "m2", false)), rE(rSub(3, "442", "m3", false)), rE(rSub(4, "443", "m4", false)),
				rS(rResp(4, "x4")), rS(rResp(2, "x2")),
				rE(rSub(5, "445", "m5", false)), rE(rSub(6, "446", "m6", false)),
				rS(rResp(6, "x6")), rS(rResp(3, "x3")), rS(rResp(5, "x5"))),
			minReuse: 2,
			msgs: []wantMsg{{id: "x2", text: "m2", dst: "441", parts: 1, partsSeen: 1, hasResp: true},
				{id: "x3", text: "m3", dst: "442", parts: 1, partsSeen: 1, hasResp: true},
				{id: "x5", text: "m5", dst: "445", parts: 1, partsSeen: 1, hasResp: true},
				{id: "x6", text: "m6", dst: "446", parts: 1, partsSeen: 1, hasResp: true}},
		},
		{
			name: "two connections, receipts on the other one",
			steps: append(append(append([]rstep{}, bound...), rBound(1)...),
				rE(rSub(2, "441", "on0", true)), rE(rSub(2, "442", "on1", true)).on(1),
				rS(rResp(2, "z1")).on(1), rS(rResp(2, "z0")),
				rS(rDLR(50, "z0", "DELIVRD")).on(1), rS(rDLR(50, "z1", "UNDELIV")),
				rE(rSub(3, "443", "again0", true)), rE(rSub(3, "444", "again1", true)).on(1),
				rS(rResp(3, "y0")), rS(rResp(3, "y1")).on(1),
				rS(rDLR(51, "z0", "EXPIRED")), // duplicate
				rS(rDLR(51, "y1", "DELIVRD")), rS(rDLR(52, "y0", "DELIVRD")).on(1)),
			minReuse: 2,
			msgs: []wantMsg{{id: "z0", text: "on0", dst: "441", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true},
				{id: "z1", text: "on1", dst: "442", receipts: 1, stat: "UNDELIV", parts: 1, partsSeen: 1, hasResp: true},
				{id: "y0", text: "again0", dst: "443", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true},
				{id: "y1", text: "again1", dst: "444", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true}},
			sum: map[string]float64{"receipts_duplicate": 1},
		},
		{
			name: "long and short ids, hex and decimal forms",
			steps: append(append([]rstep{}, bound...),
				rE(rSub(2, "441", "long", true)), rS(rResp(2, long)), rS(rDLR(50, strings.ToLower(long), "DELIVRD")),
				rE(rSub(3, "442", "hex", true)), rS(rResp(3, "1F")), rS(rDLR(51, "31", "DELIVRD")), // decimal form of 0x1F
				rE(rSub(4, "443", "short", true)), rS(rResp(4, "20")),
				rS(rDLR(52, "31", "UNDELIV")), // for the hex one, written out: recent ids know text keys only, so an orphan
				rS(rDLR(53, long, "UNDELIV")), // duplicate of the long one
				rS(rDLR(54, "0020", "DELIVRD"))),
			minReuse: 2,
			msgs: []wantMsg{{id: long, text: "long", dst: "441", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true},
				{id: "1F", text: "hex", dst: "442", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true},
				{id: "20", text: "short", dst: "443", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true}},
			sum: map[string]float64{"receipts_duplicate": 1, "receipts_orphan": 1, "receipts_matched": 3},
		},
		{
			name:     "--follow keeps the records of the targets only",
			opts:     []AnalyzerOption{Follow([]string{"id3", "441"})},
			steps:    seqFlow(),
			minReuse: 5,
			msgs: []wantMsg{{id: "id1", text: "text 1", dst: "441", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true},
				{id: "id3", text: "text 3", dst: "443", receipts: 1, stat: "DELIVRD", parts: 1, partsSeen: 1, hasResp: true}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := runReuse(t, tc.steps, false, tc.opts...)
			got := runReuse(t, tc.steps, true, tc.opts...)
			require.GreaterOrEqual(t, got.reused, tc.minReuse, "the script must make the analyzer reuse messages")
			require.Equal(t, ref.out, got.out, "output with reuse differs from output without")
			byID := map[string]map[string]any{}
			for _, m := range got.msgs {
				key := m["message_id"].(string)
				if key == "" {
					key = "text:" + m["text"].(string)
				}
				require.NotContains(t, byID, key, "two records for %q", key)
				byID[key] = m
			}
			if tc.opts != nil && len(tc.msgs) > 0 && strings.HasPrefix(tc.name, "--follow") {
				require.Len(t, got.msgs, len(tc.msgs))
			}
			for _, w := range tc.msgs {
				key := w.id
				if key == "" {
					key = "text:" + w.text
				}
				m, ok := byID[key]
				require.True(t, ok, "no record for %q among %v", key, got.msgs)
				require.Equal(t, w.text, m["text"], key)
				require.Equal(t, w.dst, m["destination_addr"], key)
				require.Equal(t, "src-"+w.dst, m["source_addr"], key)
				require.Equal(t, float64(w.receipts), m["receipts"], key)
				if w.stat == "" {
					require.Nil(t, m["receipt_stat"], key)
				} else {
					require.Equal(t, w.stat, m["receipt_stat"], key)
				}
				require.Equal(t, float64(w.interim), m["interim"], key)
				require.Equal(t, float64(w.parts), m["parts"], key)
				require.Equal(t, float64(w.partsSeen), m["parts_seen"], key)
				require.Equal(t, w.hasResp, m["resp_status"] != nil, key)
				require.Len(t, m["part_list"], w.partsSeen, key)
			}
			for k, v := range tc.sum {
				require.Equal(t, v, got.sum[k], "summary %s", k)
			}
		})
	}
}
