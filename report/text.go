package report

import (
	"bufio"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"smppdump.dev/smppdump/decode"
)

// textWriter prints one line per PDU, tcpdump style, then summary tables.
type textWriter struct {
	o   options
	ew  *errWriter
	bw  *bufio.Writer
	buf []byte
}

func newTextWriter(o options) *textWriter {
	ew := &errWriter{w: o.w}
	return &textWriter{o: o, ew: ew, bw: bufio.NewWriterSize(ew, 64<<10)}
}

// previewLen is how many characters of message text a line shows.
const previewLen = 40

func (t *textWriter) PDU(r *PDURecord) error {
	if !t.o.pdus || t.o.follow {
		return t.ew.err
	}
	t.buf = appendTextLine(t.buf[:0], r, &t.o)
	t.buf = append(t.buf, '\n')
	_, _ = t.bw.Write(t.buf)
	return t.ew.err
}

// ANSI colours of the text view.
const (
	colorRed    = "\x1b[31m"
	colorGreen  = "\x1b[32m"
	colorYellow = "\x1b[33m"
	colorBold   = "\x1b[1m"
	colorReset  = "\x1b[0m"
)

func paint(b []byte, o *options, color string, s string) []byte {
	if !o.color {
		return append(b, s...)
	}
	return append(append(append(b, color...), s...), colorReset...)
}

// appendTextLine appends the one-line rendering of r (without a newline).
func appendTextLine(b []byte, r *PDURecord, o *options) []byte {
	p := r.PDU
	b = r.Time.UTC().AppendFormat(b, o.timeLayout)
	b = append(b, ' ')
	b = append(b, r.Src.String()...)
	b = append(b, " > "...)
	b = append(b, r.Dst.String()...)
	b = append(b, " #"...)
	b = strconv.AppendInt(b, int64(r.Stream), 10)
	b = append(b, ' ')
	b = paint(b, o, colorBold, p.Name())
	if p.ID.IsResponse() {
		b = append(b, ' ')
		if p.Status == 0 {
			b = paint(b, o, colorGreen, decode.Status(p.Status).String())
		} else {
			b = paint(b, o, colorRed, decode.Status(p.Status).String())
		}
	} else if p.Status != 0 {
		b = append(b, " status="...)
		b = append(b, decode.Status(p.Status).String()...)
	}
	b = append(b, " seq="...)
	b = strconv.AppendUint(b, uint64(p.Seq), 10)
	if r.HasLatency {
		b = append(b, " latency="...)
		b = appendMillis(b, r.Latency)
	}
	b = appendDetails(b, p, o)
	if len(p.Issues) > 0 {
		b = append(b, " ["...)
		for i, is := range p.Issues {
			if i > 0 {
				b = append(b, ' ')
			}
			col := colorYellow
			if is.Severity == decode.SevError {
				col = colorRed
			}
			b = paint(b, o, col, is.Severity.String()+":"+string(is.Code))
		}
		b = append(b, ']')
	}
	return b
}

// appendDetails adds the most useful fields of each kind of PDU.
func appendDetails(b []byte, p *decode.PDU, o *options) []byte {
	if p.Cmd == nil {
		return append(append(b, " len="...), strconv.FormatUint(uint64(p.Length), 10)...)
	}
	str := func(name string, id decode.FieldID) {
		if v, ok := p.Get(id); ok {
			b = append(b, ' ')
			b = append(b, name...)
			b = append(b, '=')
			b = appendQuotedIfNeeded(b, string(v.Bytes))
		}
	}
	addr := func(name string, ton, npi, a decode.FieldID) {
		v, ok := p.Get(a)
		if !ok {
			return
		}
		t, _ := p.Int(ton)
		n, _ := p.Int(npi)
		b = append(b, ' ')
		b = append(b, name...)
		b = append(b, '=')
		b = strconv.AppendUint(b, uint64(t), 10)
		b = append(b, '/')
		b = strconv.AppendUint(b, uint64(n), 10)
		b = append(b, ':')
		b = appendQuotedIfNeeded(b, redactAddr(string(v.Bytes), *o))
	}
	switch p.ID {
	case decode.BindTransmitter, decode.BindReceiver, decode.BindTransceiver:
		str("system_id", decode.FieldSystemID)
		str("password", decode.FieldPassword)
		str("system_type", decode.FieldSystemType)
		if v, ok := p.Int(decode.FieldInterfaceVersion); ok {
			b = append(b, " version="...)
			b = append(b, decode.Version(v).String()...)
		}
	case decode.Outbind:
		str("system_id", decode.FieldSystemID)
		str("password", decode.FieldPassword)
	case decode.BindTransmitterResp, decode.BindReceiverResp, decode.BindTransceiverResp:
		str("system_id", decode.FieldSystemID)
		if t, ok := p.TLV(decode.TagSCInterfaceVersion); ok && len(t.Value) == 1 {
			b = append(b, " sc_version="...)
			b = append(b, decode.Version(t.Value[0]).String()...)
		}
	case decode.SubmitSM, decode.DeliverSM, decode.DataSM, decode.SubmitMulti:
		addr("src", decode.FieldSourceAddrTON, decode.FieldSourceAddrNPI, decode.FieldSourceAddr)
		if p.ID == decode.SubmitMulti {
			b = append(b, " dests="...)
			b = strconv.AppendInt(b, int64(len(p.Dests)), 10)
		} else {
			addr("dst", decode.FieldDestAddrTON, decode.FieldDestAddrNPI, decode.FieldDestinationAddr)
		}
		if v, ok := p.Int(decode.FieldESMClass); ok && v != 0 {
			b = append(b, " esm=0x"...)
			b = appendHex2(b, byte(v))
		}
		if v, ok := p.Int(decode.FieldRegisteredDelivery); ok && v != 0 {
			b = append(b, " dlr="...)
			b = strconv.AppendUint(b, uint64(v), 10)
		}
		if v, ok := p.Int(decode.FieldDataCoding); ok {
			b = append(b, " dc="...)
			b = strconv.AppendUint(b, uint64(v), 10)
		}
		if seg, ok := p.Segment(); ok {
			b = append(b, " part="...)
			b = strconv.AppendUint(b, uint64(seg.Seq), 10)
			b = append(b, '/')
			b = strconv.AppendUint(b, uint64(seg.Total), 10)
			b = append(b, " ref="...)
			b = strconv.AppendUint(b, uint64(seg.Ref), 10)
		}
		if rc, ok := p.Receipt(); ok {
			b = append(b, " receipt id="...)
			b = appendQuotedIfNeeded(b, rc.ID)
			b = append(b, " stat="...)
			b = appendQuotedIfNeeded(b, rc.Stat)
			b = append(b, " err="...)
			b = appendQuotedIfNeeded(b, rc.Err)
		} else if ud, _ := p.UserData(); len(ud) > 0 || p.ID != decode.DataSM {
			tx := p.Text()
			b = append(b, ' ')
			if tx.Hex && !o.redactText {
				b = append(b, "hex:"...)
			}
			b = appendPreview(b, redactText(tx.Text, *o))
		}
		if t, ok := p.TLV(decode.TagReceiptedMessageID); ok {
			b = append(b, " receipted_id="...)
			b = appendQuotedIfNeeded(b, string(t.CString()))
		}
	case decode.SubmitSMResp, decode.DataSMResp, decode.SubmitMultiResp, decode.BroadcastSMResp,
		decode.QuerySM, decode.QuerySMResp, decode.CancelSM, decode.ReplaceSM, decode.QueryBroadcastSM,
		decode.CancelBroadcastSM, decode.BroadcastSM:
		str("id", decode.FieldMessageID)
		if p.ID == decode.QuerySMResp {
			if v, ok := p.Int(decode.FieldMessageState); ok {
				b = append(b, " state="...)
				b = append(b, decode.MessageStateName(uint8(v))...)
			}
		}
		if p.ID == decode.SubmitMultiResp && len(p.Unsuccess) > 0 {
			b = append(b, " unsuccess="...)
			b = strconv.AppendInt(b, int64(len(p.Unsuccess)), 10)
		}
	case decode.AlertNotification:
		addr("ms", decode.FieldSourceAddrTON, decode.FieldSourceAddrNPI, decode.FieldSourceAddr)
		addr("esme", decode.FieldESMEAddrTON, decode.FieldESMEAddrNPI, decode.FieldESMEAddr)
	}
	return b
}

// appendMillis writes d in milliseconds with three decimals ("12.345ms").
func appendMillis(b []byte, d time.Duration) []byte {
	return append(strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', 3, 64), "ms"...)
}

func appendHex2(b []byte, c byte) []byte { return append(b, hexDigits[c>>4], hexDigits[c&0xf]) }

// appendQuotedIfNeeded writes s bare when it is a plain token, quoted and
// escaped otherwise (empty, spaces, quotes, control or non-printable characters).
func appendQuotedIfNeeded(b []byte, s string) []byte {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return r <= ' ' || r == '"' || r == '\\' || r == 0x7f || !strconv.IsPrint(r)
	}) {
		return append(b, s...)
	}
	return strconv.AppendQuote(b, s)
}

// appendPreview quotes the first previewLen characters of message text,
// escaping control characters so sender-made text cannot drive the terminal.
func appendPreview(b []byte, s string) []byte {
	n := 0
	for i := range s {
		if n == previewLen {
			return append(strconv.AppendQuote(b, s[:i]), "…"...)
		}
		n++
	}
	return strconv.AppendQuote(b, s)
}

func (t *textWriter) Gap(g *GapRecord) error {
	if !t.o.pdus || t.o.follow {
		return t.ew.err
	}
	b := g.Time.UTC().AppendFormat(t.buf[:0], t.o.timeLayout)
	b = append(b, ' ')
	b = append(b, g.Src.String()...)
	b = append(b, " > "...)
	b = append(b, g.Dst.String()...)
	b = append(b, " #"...)
	b = strconv.AppendInt(b, int64(g.Stream), 10)
	b = append(b, " GAP "...)
	if g.Bytes >= 0 {
		b = strconv.AppendInt(b, g.Bytes, 10)
		b = append(b, " bytes"...)
	} else {
		b = append(b, "unknown bytes"...)
	}
	if g.Reason != "" {
		b = append(b, " ("...)
		b = append(b, g.Reason...)
		b = append(b, ')')
	}
	b = append(b, " frame "...)
	b = strconv.AppendInt(b, int64(g.Frame), 10)
	t.buf = append(b, '\n')
	_, _ = t.bw.Write(t.buf)
	return t.ew.err
}

func (t *textWriter) Summary(s *Summary) error {
	if !t.o.summary {
		return t.ew.err
	}
	if t.o.pdus {
		_, _ = t.bw.WriteString("\n")
	}
	if err := writeSummaryTables(t.bw, s); err != nil && t.ew.err == nil {
		t.ew.err = err
	}
	return t.ew.err
}

// Flush writes buffered lines out (live capture calls it after each batch).
func (t *textWriter) Flush() error {
	if err := t.bw.Flush(); err != nil && t.ew.err == nil {
		t.ew.err = err
	}
	return t.ew.err
}

func (t *textWriter) Close() error {
	if err := t.bw.Flush(); err != nil && t.ew.err == nil {
		t.ew.err = err
	}
	return t.ew.err
}

// Message prints a message's timeline in the follow view; otherwise the
// text view leaves messages to the summary tables.
func (t *textWriter) Message(r *MessageRecord) error {
	if !t.o.follow {
		return t.ew.err
	}
	_, _ = t.bw.Write(appendTimeline(t.buf[:0], r, &t.o))
	return t.ew.err
}

// Interval prints one line per bind for a reporting interval.
func (t *textWriter) Interval(r *IntervalRecord) error {
	for _, b := range r.Binds {
		line := r.End.UTC().AppendFormat(t.buf[:0], t.o.timeLayout)
		line = fmt.Appendf(line, " INTERVAL %s bind=%s tps=%.1f submits=%d ok=%d err=%d throttled=%d",
			r.End.Sub(r.Start), appendQuotedIfNeeded(nil, b.SystemID), b.TPS, b.Submits, b.Accepted, b.Errors, b.Throttled)
		if b.Submits > 0 || b.Accepted+b.Errors > 0 {
			line = append(line, " resp_p50="...)
			line = appendMillis(line, b.RespP50)
			line = append(line, " resp_p99="...)
			line = appendMillis(line, b.RespP99)
		}
		stats := make([]string, 0, len(b.Receipts))
		for st := range b.Receipts {
			stats = append(stats, st)
		}
		sort.Strings(stats)
		for _, st := range stats {
			line = fmt.Appendf(line, " %s=%d", strings.ToLower(st), b.Receipts[st])
		}
		line = fmt.Appendf(line, " window=%d\n", b.Window)
		t.buf = line
		_, _ = t.bw.Write(line)
	}
	return t.ew.err
}
