package report

import (
	"fmt"
	"strconv"
	"time"
)

// appendTimeline renders a message's story: every part's submit, its
// response with latency, and its receipts with stat, err and latency.
func appendTimeline(b []byte, r *MessageRecord, o *options) []byte {
	id := r.MessageID
	if id == "" {
		id = "(no message_id)"
	}
	b = fmt.Appendf(b, "message %s", id)
	if r.Parts > 1 {
		b = fmt.Appendf(b, " (%d parts, %d seen)", r.Parts, r.PartsSeen)
	}
	b = fmt.Appendf(b, " bind=%s %s → %s", appendQuotedIfNeeded(nil, r.SystemID),
		appendQuotedIfNeeded(nil, redactAddr(r.SourceAddr, *o)), appendQuotedIfNeeded(nil, redactAddr(r.DestAddr, *o)))
	b = append(b, ' ')
	b = appendPreview(b, redactText(r.Text, *o))
	b = append(b, '\n')
	stamp := func(t time.Time, stream, frame int) {
		b = t.UTC().AppendFormat(b, "  "+o.timeLayout)
		b = fmt.Appendf(b, " #%d frame %d ", stream, frame)
	}
	for _, p := range r.PartList {
		stamp(p.SubmitTime, p.Stream, p.SubmitFrame)
		b = fmt.Appendf(b, "%s seq=%d", r.Command, p.Seq)
		if r.Parts > 1 {
			b = fmt.Appendf(b, " part %d/%d", p.PartNo, r.Parts)
		}
		b = append(b, '\n')
		if p.HasResp {
			stamp(p.RespTime, p.RespStream, p.RespFrame)
			b = fmt.Appendf(b, "%s_resp ", r.Command)
			if p.RespStatus == 0 {
				b = paint(b, o, colorGreen, p.RespStatus.String())
			} else {
				b = paint(b, o, colorRed, p.RespStatus.String())
			}
			if p.MessageID != "" {
				b = append(b, " id="...)
				b = appendQuotedIfNeeded(b, p.MessageID)
			}
			b = append(b, " +"...)
			b = appendMillis(b, p.RespLatency)
			b = append(b, '\n')
		} else {
			b = append(b, "  (no response seen)\n"...)
		}
		for _, rc := range p.Receipts {
			stamp(rc.Time, rc.Stream, rc.Frame)
			kind := "receipt"
			if !rc.Final {
				kind = "notification"
			}
			b = fmt.Appendf(b, "%s stat=%s err=%s match=%s +%s\n", kind, appendQuotedIfNeeded(nil, rc.Stat),
				appendQuotedIfNeeded(nil, rc.Err), rc.Match, durationString(rc.Latency))
		}
		if len(p.Receipts) == 0 && r.ReceiptRequested && p.HasResp && p.RespStatus == 0 {
			b = append(b, "  (receipt requested, none seen)\n"...)
		}
	}
	return append(b, '\n')
}

// durationString prints milliseconds below ten seconds, seconds above.
func durationString(d time.Duration) string {
	if d < 10*time.Second {
		return string(appendMillis(nil, d))
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) + "s"
}
