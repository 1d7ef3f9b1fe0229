package report

import (
	"sort"
	"strings"
	"time"

	"smppdump.dev/smppdump/decode"
)

// MessageRecord tells the story of one submitted short message, its parts
// grouped (design.md "message" record).
type MessageRecord struct {
	MessageID   string   // the first part's message_id
	MessageIDs  []string // every part's, in part order ("" where unknown)
	Command     string
	Stream      int
	Seq         uint32
	SubmitFrame int
	SubmitTime  time.Time
	SystemID    string
	SourceAddr  string
	DestAddr    string
	Text        string // the whole text, parts joined in order ("…" for a missing part)
	// The response: HasResp false when none was seen. RespStatus is the
	// first error status among the parts, else ESME_ROK.
	HasResp     bool
	RespStatus  decode.Status
	RespLatency time.Duration // the slowest part's
	// The final receipt(s).
	ReceiptRequested bool
	Receipts         int    // final receipts matched, all parts together
	ReceiptStat      string // of the last final receipt ("" when none)
	ReceiptErr       string
	ReceiptLatency   time.Duration // submit of the first part to the last part's receipt
	HasReceipt       bool
	Match            decode.MatchRule // rule that matched the receipt(s); the loosest used
	Interim          int              // intermediate notifications and SME acks
	PartList         []PartRecord     // each part seen, in part order
	Parts            int              // parts announced
	PartsSeen        int              // distinct parts seen
	DuplicateParts   int
}

// PartRecord is one submitted part with its response and receipts.
type PartRecord struct {
	PartNo      int
	Stream      int
	Seq         uint32
	SubmitFrame int
	SubmitTime  time.Time
	HasResp     bool
	RespStatus  decode.Status
	RespFrame   int
	RespStream  int
	RespTime    time.Time
	RespLatency time.Duration
	MessageID   string
	Receipts    []ReceiptRecord // final receipts, then notifications, in time order
}

// ReceiptRecord is a receipt or notification matched to a part.
type ReceiptRecord struct {
	Final   bool
	Stream  int
	Frame   int
	Time    time.Time
	Stat    string
	Err     string
	Match   decode.MatchRule
	Latency time.Duration // since the part's submit
}

func (m *message) record() MessageRecord {
	parts := append([]*msgPart(nil), m.parts...)
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].partNo < parts[j].partNo })
	first := m.parts[0]
	r := MessageRecord{Command: m.command, Stream: first.stream, Seq: first.seq, SubmitFrame: first.frame,
		SubmitTime: first.time, SystemID: m.systemID, SourceAddr: m.src, DestAddr: m.dst,
		ReceiptRequested: m.wantsReceipt(), Parts: int(m.total), PartsSeen: int(m.distinct), DuplicateParts: m.dupParts}
	var text strings.Builder
	next := 1
	var lastReceipt time.Time
	for _, p := range parts {
		pid := p.id()
		for ; next < p.partNo; next++ {
			text.WriteString("…")
			r.MessageIDs = append(r.MessageIDs, "")
		}
		if p.partNo == next {
			text.WriteString(p.text)
			r.MessageIDs = append(r.MessageIDs, pid)
			next++
		}
		if p.hasResp {
			if !r.HasResp || (r.RespStatus == 0 && p.respStatus != 0) {
				r.RespStatus = p.respStatus
			}
			r.HasResp = true
			r.RespLatency = max(r.RespLatency, p.latency)
		}
		for _, h := range p.receipts {
			r.Receipts++
			if h.time.After(lastReceipt) || !r.HasReceipt {
				lastReceipt = h.time
				r.ReceiptStat, r.ReceiptErr = h.stat, h.err
			}
			r.HasReceipt = true
			if ruleRank(h.rule) >= ruleRank(r.Match) || r.Match == "" {
				r.Match = h.rule
			}
		}
		r.Interim += p.interim
		pr := PartRecord{PartNo: p.partNo, Stream: p.stream, Seq: p.seq, SubmitFrame: p.frame, SubmitTime: p.time,
			HasResp: p.hasResp, RespStatus: p.respStatus, RespFrame: p.respFrame, RespStream: p.respStream,
			RespTime: p.respTime, RespLatency: p.latency, MessageID: pid}
		for _, h := range append(append([]receiptHit(nil), p.receipts...), p.notes...) {
			pr.Receipts = append(pr.Receipts, ReceiptRecord{Final: h.final, Stream: h.stream, Frame: h.frame, Time: h.time,
				Stat: h.stat, Err: h.err, Match: h.rule, Latency: h.latency})
		}
		sort.SliceStable(pr.Receipts, func(i, j int) bool { return pr.Receipts[i].Time.Before(pr.Receipts[j].Time) })
		r.PartList = append(r.PartList, pr)
	}
	for ; next <= int(m.total); next++ {
		text.WriteString("…")
		r.MessageIDs = append(r.MessageIDs, "")
	}
	r.Text = text.String()
	if len(r.MessageIDs) > 0 {
		r.MessageID = r.MessageIDs[0]
	}
	if r.HasReceipt {
		r.ReceiptLatency = lastReceipt.Sub(first.time)
	}
	return r
}

// missingReceipt is Missing computed without building the record.
func (m *message) missingReceipt() bool {
	if !m.wantsReceipt() {
		return false
	}
	receipts, answered := 0, false
	for _, p := range m.parts {
		if p.hasResp {
			if p.respStatus != 0 {
				return false
			}
			answered = true
		}
		receipts += len(p.receipts)
	}
	return answered && receipts < int(m.distinct)
}

// Missing reports whether a receipt was asked for and every part was
// accepted, but no final receipt came back for some part.
func (r *MessageRecord) Missing() bool {
	return r.ReceiptRequested && r.HasResp && r.RespStatus == 0 && r.Receipts < r.PartsSeen
}
