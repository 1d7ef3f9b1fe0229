package report

import (
	"bufio"
	"sort"
	"time"

	"smppdump.dev/smppdump/decode"
)

// jsonWriter writes one JSON object per line (design.md "Output contract").
// Each object is appended into a reused buffer and written with one Write.
type jsonWriter struct {
	o  options
	ew *errWriter
	bw *bufio.Writer
	j  jsonObj
}

func newJSONWriter(o options) *jsonWriter {
	ew := &errWriter{w: o.w}
	return &jsonWriter{o: o, ew: ew, bw: bufio.NewWriterSize(ew, 64<<10)}
}

// begin starts a new record of the given type in the reused buffer.
func (w *jsonWriter) begin(typ string) *jsonObj {
	j := &w.j
	j.b, j.first = j.b[:0], j.first[:0]
	j.open('{')
	j.str("type", typ)
	return j
}

// counts writes key: {name: count, ...}.
func (j *jsonObj) counts(key string, list []NamedCount) {
	j.key(key)
	j.open('{')
	for _, c := range list {
		j.int(c.Name, c.Count)
	}
	j.close('}')
}

func (w *jsonWriter) emit() error {
	w.j.b = append(w.j.b, '\n')
	_, _ = w.bw.Write(w.j.b)
	return w.ew.err
}

// Flush writes buffered lines out (live capture calls it after each batch).
func (w *jsonWriter) Flush() error {
	if err := w.bw.Flush(); err != nil && w.ew.err == nil {
		w.ew.err = err
	}
	return w.ew.err
}

func (w *jsonWriter) PDU(r *PDURecord) error {
	if !w.o.pdus {
		return w.ew.err
	}
	w.j.b = appendPDUJSON(w.j.b[:0], r, &w.o)
	return w.emit()
}

// appendPDUJSON appends the "pdu" record of r (without a newline).
func appendPDUJSON(dst []byte, r *PDURecord, o *options) []byte {
	j := jsonObj{b: dst}
	p := r.PDU
	j.open('{')
	j.str("type", "pdu")
	appendMeta(&j, &r.Meta)
	j.str("command", p.Name())
	j.uint("command_id", uint64(p.ID))
	j.uint("status", uint64(p.Status))
	j.str("status_name", decode.Status(p.Status).String())
	j.uint("seq", uint64(p.Seq))
	j.uint("length", uint64(p.Length))
	if id, ok := p.MessageID(); ok {
		j.bytesStr("message_id", id)
	}
	if r.HasLatency {
		j.float("resp_latency_ms", float64(r.Latency.Microseconds())/1000)
		j.int("request_frame", int64(r.ReqFrame))
	}
	j.key("body")
	appendBody(&j, p, o)
	j.key("tlvs")
	appendTLVs(&j, p, o)
	if p.Cmd != nil && (len(p.Values) > 0) {
		if ud, fromPayload := p.UserData(); ud != nil || p.Cmd.Field(decode.FieldShortMessage) >= 0 {
			j.key("user_data")
			appendUserData(&j, p, ud, fromPayload, o)
		}
	}
	if rc, ok := p.Receipt(); ok {
		if o.redactText {
			rc.Text = redactText(rc.Text, *o)
		}
		j.key("receipt")
		appendReceipt(&j, rc)
	}
	j.key("issues")
	j.open('[')
	for _, is := range p.Issues {
		j.elem()
		j.open('{')
		j.str("severity", is.Severity.String())
		j.str("code", string(is.Code))
		j.str("field", is.Field)
		j.int("offset", int64(is.Offset))
		j.str("detail", is.Detail)
		j.close('}')
	}
	j.close(']')
	j.close('}')
	return j.b
}

func appendMeta(j *jsonObj, m *Meta) {
	if m.File != "" {
		j.str("file", m.File)
	}
	j.int("frame", int64(m.Frame))
	j.key("time")
	j.b = append(j.b, '"')
	j.b = appendRFC3339(j.b, m.Time)
	j.b = append(j.b, '"')
	j.int("stream", int64(m.Stream))
	j.str("src", m.Src.String())
	j.str("dst", m.Dst.String())
	if m.Dir != "" {
		j.str("dir", m.Dir)
	}
}

// appendBody writes the mandatory fields under their specification names.
func appendBody(j *jsonObj, p *decode.PDU, o *options) {
	j.open('{')
	if p.Cmd != nil {
		for i := range p.Values {
			v := &p.Values[i]
			if !v.Present || i >= len(p.Cmd.Fields) {
				continue
			}
			f := &p.Cmd.Fields[i]
			switch f.Kind {
			case decode.KindU8, decode.KindU32:
				j.uint(f.Name(), uint64(v.Int))
			case decode.KindCString, decode.KindTime:
				if isAddrField(f.ID) && o.redactAddr {
					j.str(f.Name(), redactAddr(string(v.Bytes), *o))
				} else {
					j.bytesStr(f.Name(), v.Bytes)
				}
			case decode.KindOctets:
				j.key(f.Name())
				if o.redactText {
					j.b = append(j.b, `""`...)
				} else {
					j.b = appendHexString(j.b, v.Bytes)
				}
			case decode.KindDestList:
				j.key(f.Name())
				j.open('[')
				for _, d := range p.Dests {
					j.elem()
					j.open('{')
					j.uint("dest_flag", uint64(d.Flag))
					if d.Flag == 2 {
						j.bytesStr("dl_name", d.Addr)
					} else {
						j.uint("dest_addr_ton", uint64(d.TON))
						j.uint("dest_addr_npi", uint64(d.NPI))
						j.str("destination_addr", redactAddr(string(d.Addr), *o))
					}
					j.close('}')
				}
				j.close(']')
			case decode.KindUnsuccess:
				j.key(f.Name())
				j.open('[')
				for _, u := range p.Unsuccess {
					j.elem()
					j.open('{')
					j.uint("dest_addr_ton", uint64(u.TON))
					j.uint("dest_addr_npi", uint64(u.NPI))
					j.str("destination_addr", redactAddr(string(u.Addr), *o))
					j.uint("error_status_code", uint64(u.Status))
					j.str("error_status_name", u.Status.String())
					j.close('}')
				}
				j.close(']')
			case decode.KindIDList:
				j.key(f.Name())
				j.open('[')
				for _, id := range p.MessageIDs {
					j.elem()
					j.b = appendJSONBytes(j.b, id)
				}
				j.close(']')
			}
		}
	}
	j.close('}')
}

// appendTLVs writes every TLV: integers as numbers, C-strings as strings,
// everything else as hex.
func appendTLVs(j *jsonObj, p *decode.PDU, o *options) {
	j.open('[')
	for i := range p.TLVs {
		t := &p.TLVs[i]
		j.elem()
		j.open('{')
		j.uint("tag", uint64(t.Tag))
		j.str("name", t.Name())
		j.int("length", int64(len(t.Value)))
		j.key("value")
		typ := decode.TLVOctets
		if t.Def != nil {
			typ = t.Def.Type
		}
		switch {
		case (typ == decode.TLVU8 || typ == decode.TLVU16 || typ == decode.TLVU32) && len(t.Value) >= 1 && len(t.Value) <= 4:
			v, _ := t.Uint()
			j.b = appendUint(j.b, v)
		case typ == decode.TLVCString:
			j.b = appendJSONBytes(j.b, t.CString())
		case typ == decode.TLVEmpty && len(t.Value) == 0:
			j.b = append(j.b, "null"...)
		case t.Tag == decode.TagMessagePayload && o.redactText:
			j.b = append(j.b, `""`...)
		default:
			j.b = appendHexString(j.b, t.Value)
		}
		j.close('}')
	}
	j.close(']')
}

func appendUint(b []byte, v uint32) []byte {
	var tmp [10]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// appendUserData writes the decoded message text, its encoding, UDH and
// segment information.
func appendUserData(j *jsonObj, p *decode.PDU, ud []byte, fromPayload bool, o *options) {
	j.open('{')
	if fromPayload {
		j.str("source", "message_payload")
	} else {
		j.str("source", "short_message")
	}
	j.int("length", int64(len(ud)))
	h, _, udhErr := p.SplitUserData()
	if len(h.IEs) > 0 {
		j.key("udh")
		j.open('[')
		for _, ie := range h.IEs {
			j.elem()
			j.open('{')
			j.uint("iei", uint64(ie.ID))
			j.str("name", ie.Name())
			j.key("data")
			j.b = appendHexString(j.b, ie.Data)
			j.close('}')
		}
		j.close(']')
	}
	if udhErr != nil {
		j.str("udh_error", udhErr.Error())
	}
	if seg, ok := p.Segment(); ok {
		j.key("segment")
		j.open('{')
		j.str("method", seg.Method)
		j.uint("ref", uint64(seg.Ref))
		j.uint("total", uint64(seg.Total))
		j.uint("seq", uint64(seg.Seq))
		j.close('}')
	}
	tx := p.Text()
	j.str("encoding", tx.Encoding)
	j.str("text", redactText(tx.Text, *o))
	j.close('}')
}

func appendReceipt(j *jsonObj, r decode.Receipt) {
	j.open('{')
	j.str("id", r.ID)
	j.str("sub", r.Sub)
	j.str("dlvrd", r.Dlvrd)
	j.str("submit_date", r.SubmitDate)
	j.str("done_date", r.DoneDate)
	j.str("stat", r.Stat)
	j.str("err", r.Err)
	if r.HasText {
		j.str("text", r.Text)
	}
	j.close('}')
}

func (w *jsonWriter) Gap(g *GapRecord) error {
	if !w.o.pdus {
		return w.ew.err
	}
	j := w.begin("gap")
	appendMeta(j, &g.Meta)
	j.int("bytes", g.Bytes)
	if g.Reason != "" {
		j.str("reason", g.Reason)
	}
	j.close('}')
	return w.emit()
}

func (w *jsonWriter) Summary(s *Summary) error {
	if !w.o.summary {
		return w.ew.err
	}
	j := w.begin("summary")
	j.int("pdus", s.PDUs)
	j.int("streams", int64(s.Streams))
	j.counts("commands", s.Commands)
	j.counts("statuses", s.Statuses)
	j.key("issues")
	j.open('{')
	for _, ic := range s.Issues {
		j.key(string(ic.Code))
		j.open('{')
		j.str("severity", ic.Severity.String())
		j.int("count", ic.Count)
		j.close('}')
	}
	j.close('}')
	j.int("messages", s.Messages)
	j.int("receipts_matched", s.ReceiptsMatched)
	j.int("receipts_orphan", s.ReceiptsOrphan)
	j.int("receipts_missing", s.ReceiptsMissing)
	j.int("receipts_unsolicited", s.ReceiptsUnsolicited)
	j.int("receipts_duplicate", s.ReceiptsDuplicate)
	j.int("receipts_late", s.ReceiptsLate)
	j.int("messages_expired", s.MessagesExpired)
	j.int("messages_evicted", s.MessagesEvicted)
	appendLatency(&w.j, "submit_resp_latency", s.RespLatency)
	appendLatency(&w.j, "submit_receipt_latency", s.ReceiptLatency)
	j.key("binds")
	j.open('[')
	for _, b := range s.Binds {
		j.elem()
		j.open('{')
		j.str("system_id", b.SystemID)
		j.key("modes")
		j.open('[')
		for _, m := range b.Modes {
			j.elem()
			j.b = appendJSONString(j.b, m)
		}
		j.close(']')
		j.int("connections", int64(b.Connections))
		j.int("pdus", b.PDUs)
		j.int("submits", b.Submits)
		j.int("accepted", b.Accepted)
		j.counts("errors", b.Errors)
		appendLatency(j, "submit_resp_latency", b.Resp)
		appendLatency(j, "submit_receipt_latency", b.Receipt)
		j.counts("receipt_outcomes", b.Outcomes)
		j.int("max_window", int64(b.MaxWindow))
		j.float("mean_window", float64(int64(b.MeanWindow*100))/100)
		j.float("mean_tps", float64(int64(b.MeanTPS*1000))/1000)
		j.int("peak_tps", b.PeakTPS)
		j.close('}')
	}
	j.close(']')
	j.int("requests_unanswered", s.RequestsUnanswered)
	j.int("requests_untracked", s.RequestsUntracked)
	j.int("gaps", s.Gaps)
	j.int("gap_bytes", s.GapBytes)
	j.int("gaps_mid_stream", s.MidStream)
	j.key("capture")
	j.open('{')
	for _, c := range s.Capture {
		j.int(c.Name, c.Value)
	}
	j.close('}')
	j.close('}')
	return w.emit()
}

func (w *jsonWriter) Close() error { return w.Flush() }

func (w *jsonWriter) Message(r *MessageRecord) error {
	if !w.o.pdus {
		return w.ew.err
	}
	j := w.begin("message")
	j.str("message_id", r.MessageID)
	j.key("message_ids")
	j.open('[')
	for _, id := range r.MessageIDs {
		j.elem()
		j.b = appendJSONString(j.b, id)
	}
	j.close(']')
	j.str("command", r.Command)
	j.int("stream", int64(r.Stream))
	j.uint("seq", uint64(r.Seq))
	j.int("submit_frame", int64(r.SubmitFrame))
	j.key("submit_time")
	j.b = append(j.b, '"')
	j.b = appendRFC3339(j.b, r.SubmitTime)
	j.b = append(j.b, '"')
	j.str("system_id", r.SystemID)
	j.str("source_addr", redactAddr(r.SourceAddr, w.o))
	j.str("destination_addr", redactAddr(r.DestAddr, w.o))
	j.str("text", redactText(r.Text, w.o))
	if r.HasResp {
		j.uint("resp_status", uint64(r.RespStatus))
		j.str("resp_status_name", r.RespStatus.String())
		j.float("resp_latency_ms", millis(r.RespLatency))
	} else {
		j.null("resp_status")
		j.null("resp_status_name")
		j.null("resp_latency_ms")
	}
	j.boolean("receipt_requested", r.ReceiptRequested)
	if r.HasReceipt {
		j.str("receipt_stat", r.ReceiptStat)
		j.str("receipt_err", r.ReceiptErr)
		j.float("receipt_latency_ms", millis(r.ReceiptLatency))
		j.str("match", string(r.Match))
	} else {
		j.null("receipt_stat")
		j.null("receipt_err")
		j.null("receipt_latency_ms")
		j.null("match")
	}
	j.int("receipts", int64(r.Receipts))
	j.int("interim", int64(r.Interim))
	j.int("parts", int64(r.Parts))
	j.int("parts_seen", int64(r.PartsSeen))
	j.int("duplicate_parts", int64(r.DuplicateParts))
	j.key("part_list")
	j.open('[')
	for _, p := range r.PartList {
		j.elem()
		j.open('{')
		j.int("part", int64(p.PartNo))
		j.int("stream", int64(p.Stream))
		j.uint("seq", uint64(p.Seq))
		j.int("submit_frame", int64(p.SubmitFrame))
		if p.HasResp {
			j.int("resp_frame", int64(p.RespFrame))
			j.uint("resp_status", uint64(p.RespStatus))
			j.float("resp_latency_ms", millis(p.RespLatency))
			j.str("message_id", p.MessageID)
		}
		j.key("receipts")
		j.open('[')
		for _, rc := range p.Receipts {
			j.elem()
			j.open('{')
			j.boolean("final", rc.Final)
			j.int("stream", int64(rc.Stream))
			j.int("frame", int64(rc.Frame))
			j.str("stat", rc.Stat)
			j.str("err", rc.Err)
			j.str("match", string(rc.Match))
			j.float("latency_ms", millis(rc.Latency))
			j.close('}')
		}
		j.close(']')
		j.close('}')
	}
	j.close(']')
	j.close('}')
	return w.emit()
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func appendLatency(j *jsonObj, k string, l LatencySummary) {
	j.key(k)
	j.open('{')
	j.uint("count", l.Count)
	j.float("p50_ms", millis(l.P50))
	j.float("p90_ms", millis(l.P90))
	j.float("p99_ms", millis(l.P99))
	j.float("max_ms", millis(l.Max))
	j.close('}')
}

// appendRFC3339 writes t in UTC with microseconds, or nanoseconds when the
// capture has them, so every timestamp of a run has the same width.
//
// RFC 3339 has four-digit years; a capture timestamp outside years
// 0000–9999 (pcapng's 64-bit times allow it) is damage, and is written as
// the nearest time that fits.
func appendRFC3339(b []byte, t time.Time) []byte {
	t = t.UTC()
	switch {
	case t.Year() > 9999:
		t = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
	case t.Year() < 0:
		t = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if t.Nanosecond()%1000 != 0 {
		return t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000000000Z07:00")
	}
	return t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000000Z07:00")
}

// Interval writes an "interval" record: per bind figures of one slice of
// capture time.
func (w *jsonWriter) Interval(r *IntervalRecord) error {
	j := w.begin("interval")
	j.key("start")
	j.b = append(appendRFC3339(append(j.b, '"'), r.Start), '"')
	j.key("end")
	j.b = append(appendRFC3339(append(j.b, '"'), r.End), '"')
	j.key("binds")
	j.open('[')
	for _, b := range r.Binds {
		j.elem()
		j.open('{')
		j.str("system_id", b.SystemID)
		j.int("pdus", b.PDUs)
		j.float("tps", float64(int64(b.TPS*1000))/1000)
		j.int("submits", b.Submits)
		j.int("accepted", b.Accepted)
		j.int("errors", b.Errors)
		j.int("throttled", b.Throttled)
		j.float("resp_p50_ms", millis(b.RespP50))
		j.float("resp_p99_ms", millis(b.RespP99))
		j.key("receipts")
		j.open('{')
		stats := make([]string, 0, len(b.Receipts))
		for st := range b.Receipts {
			stats = append(stats, st)
		}
		sort.Strings(stats)
		for _, st := range stats {
			j.int(st, b.Receipts[st])
		}
		j.close('}')
		j.int("window", int64(b.Window))
		j.close('}')
	}
	j.close(']')
	j.close('}')
	return w.emit()
}
