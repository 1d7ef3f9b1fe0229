package report

import (
	"sort"

	"smppdump.dev/smppdump/decode"
)

// NamedCount is a count with its numeric key and name.
type NamedCount struct {
	Code  uint32
	Name  string
	Count int64
}

// IssueCount counts one issue code.
type IssueCount struct {
	Code     decode.Code
	Severity decode.Severity
	Count    int64
}

// Summary is what a run found, written once at the end.
type Summary struct {
	PDUs     int64
	Streams  int
	Commands []NamedCount // by command_id
	Statuses []NamedCount // responses, by command_status
	Issues   []IssueCount // by code
	Gaps     int64
	GapBytes int64
	// MidStream counts gaps of unknown size where the capture started
	// inside a connection's byte stream.
	MidStream int64
	// RequestsUnanswered counts requests that never got a response;
	// RequestsUntracked those not followed because of MaxPending.
	RequestsUnanswered int64
	RequestsUntracked  int64
	// Message correlation (see MessageRecord).
	Messages            int64
	ReceiptsMatched     int64 // final receipts matched to a submit
	ReceiptsOrphan      int64 // final receipts matching no submit
	ReceiptsMissing     int64 // messages that asked for a receipt and got none (for some part)
	ReceiptsUnsolicited int64 // receipts for messages that asked for none
	ReceiptsDuplicate   int64 // final receipts for messages already receipted
	ReceiptsLate        int64 // final receipts for messages already written out without them
	MessagesExpired     int64 // written without receipts after the receipt timeout
	MessagesEvicted     int64 // written early because too many messages waited
	RespLatency         LatencySummary
	ReceiptLatency      LatencySummary
	Binds               []BindRow
	// Capture holds the capture front end's counters (packets, bytes, ...).
	Capture []Counter
}

// counters accumulates the summary's tables.
type counters struct {
	pdus      int64
	commands  commandCounts
	statuses  tally[decode.Status]
	issues    map[decode.Code]*IssueCount
	lastIssue *IssueCount // the row counted last: busy links repeat one code (SES-12) most
	streams   streamSet
	gaps      int64
	gapBytes  int64
	midStream int64
	// Requests never answered (SES-04) and requests not tracked because a
	// connection had too many outstanding.
	unansweredN int64
	evicted     int64
	// Message correlation.
	messages        int64
	receiptsMatched int64
	receiptsMissing int64
}

// unanswered counts a request that got no response (SES-04, a warning).
func (c *counters) unanswered() {
	c.unansweredN++
	ic := c.issues[decode.CodeUnanswered]
	if ic == nil {
		ic = &IssueCount{Code: decode.CodeUnanswered, Severity: decode.SevWarning}
		c.issues[decode.CodeUnanswered] = ic
	}
	ic.Count++
}

func newCounters() counters {
	return counters{issues: map[decode.Code]*IssueCount{}}
}

// add counts p. Its stream is counted apart, once per session (see
// Analyzer.decoded): counting it here cost a bitmap update per PDU.
func (c *counters) add(p *decode.PDU) {
	c.pdus++
	c.commands.add(p.ID)
	if p.ID.IsResponse() {
		c.statuses.add(decode.Status(p.Status))
	}
	for _, is := range p.Issues {
		ic := c.lastIssue
		if ic == nil || ic.Code != is.Code {
			ic = c.issues[is.Code]
			if ic == nil {
				ic = &IssueCount{Code: is.Code, Severity: is.Severity}
				c.issues[is.Code] = ic
			}
			c.lastIssue = ic
		}
		ic.Count++
		ic.Severity = max(ic.Severity, is.Severity)
	}
}

func (c *counters) summary(capture []Counter) *Summary {
	s := &Summary{PDUs: c.pdus, Streams: c.streams.Len(), Gaps: c.gaps, GapBytes: c.gapBytes, MidStream: c.midStream, Capture: capture,
		RequestsUnanswered: c.unansweredN, RequestsUntracked: c.evicted}
	c.commands.all(func(id decode.CommandID, n int64) {
		s.Commands = append(s.Commands, NamedCount{Code: uint32(id), Name: decode.CommandName(id), Count: n})
	})
	sort.Slice(s.Commands, func(i, j int) bool {
		a, b := s.Commands[i].Code, s.Commands[j].Code
		if a&^uint32(decode.RespBit) != b&^uint32(decode.RespBit) {
			return a&^uint32(decode.RespBit) < b&^uint32(decode.RespBit)
		}
		return a < b
	})
	c.statuses.all(func(st decode.Status, n int64) {
		s.Statuses = append(s.Statuses, NamedCount{Code: uint32(st), Name: st.String(), Count: n})
	})
	sort.Slice(s.Statuses, func(i, j int) bool { return s.Statuses[i].Code < s.Statuses[j].Code })
	for _, ic := range c.issues {
		s.Issues = append(s.Issues, *ic)
	}
	sort.Slice(s.Issues, func(i, j int) bool { return s.Issues[i].Code < s.Issues[j].Code })
	return s
}
