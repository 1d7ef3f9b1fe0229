package report

import (
	"encoding/hex"
	"fmt"
	"strconv"

	"smppdump.dev/smppdump/decode"
)

// verboseWriter prints every field, TLV, text, UDH and issue of each PDU as
// an indented tree, like tshark -V limited to SMPP.
type verboseWriter struct {
	*textWriter
}

func newVerboseWriter(o options) *verboseWriter { return &verboseWriter{newTextWriter(o)} }

func (v *verboseWriter) PDU(r *PDURecord) error {
	if !v.o.pdus {
		return v.ew.err
	}
	w := v.bw
	p := r.PDU
	fmt.Fprintf(w, "Frame %d, %s, %s > %s, stream %d (%s)\n", r.Frame, r.Time.UTC().Format("2006-01-02 15:04:05.000000"),
		r.Src, r.Dst, r.Stream, r.Dir)
	fmt.Fprintf(w, "SMPP %s\n", p.Name())
	fmt.Fprintf(w, "    command_length: %d\n", p.Length)
	fmt.Fprintf(w, "    command_id: 0x%08x (%s)\n", uint32(p.ID), p.Name())
	fmt.Fprintf(w, "    command_status: 0x%08x (%s)\n", p.Status, decode.Status(p.Status))
	fmt.Fprintf(w, "    sequence_number: %d\n", p.Seq)
	if r.HasLatency {
		fmt.Fprintf(w, "    [response to frame %d, %s later]\n", r.ReqFrame, appendMillis(nil, r.Latency))
	}
	if p.Cmd != nil {
		for i := range p.Values {
			val := &p.Values[i]
			if !val.Present || i >= len(p.Cmd.Fields) {
				continue
			}
			v.field(&p.Cmd.Fields[i], val, p)
		}
	} else if len(p.Raw) > decode.HeaderLen {
		fmt.Fprintf(w, "    body: %s\n", hex.EncodeToString(p.Raw[decode.HeaderLen:]))
	}
	if len(p.TLVs) > 0 {
		fmt.Fprintf(w, "    TLVs (%d)\n", len(p.TLVs))
		for i := range p.TLVs {
			t := &p.TLVs[i]
			fmt.Fprintf(w, "        %s (0x%04x), length %d: %s\n", t.Name(), t.Tag, len(t.Value), tlvValueString(t, v.o))
		}
	}
	if ud, fromPayload := p.UserData(); p.Cmd != nil && (ud != nil || p.Cmd.Field(decode.FieldShortMessage) >= 0) {
		src := "short_message"
		if fromPayload {
			src = "message_payload"
		}
		tx := p.Text()
		fmt.Fprintf(w, "    User data: %s, %d octets, %s\n", src, len(ud), tx.Encoding)
		h, _, err := p.SplitUserData()
		for _, ie := range h.IEs {
			fmt.Fprintf(w, "        UDH IE %s (0x%02x): %s\n", ie.Name(), ie.ID, hex.EncodeToString(ie.Data))
		}
		if err != nil {
			fmt.Fprintf(w, "        UDH error: %v\n", err)
		}
		if seg, ok := p.Segment(); ok {
			fmt.Fprintf(w, "        Segment %d of %d, reference %d (%s)\n", seg.Seq, seg.Total, seg.Ref, seg.Method)
		}
		fmt.Fprintf(w, "        Text: %s\n", strconv.Quote(redactText(tx.Text, v.o)))
	}
	if rc, ok := p.Receipt(); ok {
		q := func(s string) string { return string(appendQuotedIfNeeded(nil, s)) }
		fmt.Fprintf(w, "    Receipt: id=%s sub=%s dlvrd=%s submit_date=%s done_date=%s stat=%s err=%s\n",
			q(rc.ID), q(rc.Sub), q(rc.Dlvrd), q(rc.SubmitDate), q(rc.DoneDate), q(rc.Stat), q(rc.Err))
	}
	if len(p.Issues) > 0 {
		fmt.Fprintf(w, "    Issues (%d)\n", len(p.Issues))
		for _, is := range p.Issues {
			fmt.Fprintf(w, "        %s %s", is.Severity, is.Code)
			if is.Field != "" {
				fmt.Fprintf(w, " %s", is.Field)
			}
			fmt.Fprintf(w, " at offset %d: %s\n", is.Offset, strconv.Quote(is.Detail))
		}
	}
	_ = w.WriteByte('\n')
	return v.ew.err
}

func (v *verboseWriter) field(f *decode.Field, val *decode.Value, p *decode.PDU) {
	w := v.bw
	name := f.Name()
	switch f.Kind {
	case decode.KindU8, decode.KindU32:
		if d := describeField(f.ID, val.Int); d != "" {
			fmt.Fprintf(w, "    %s: %d (0x%02x, %s)\n", name, val.Int, val.Int, d)
		} else {
			fmt.Fprintf(w, "    %s: %d\n", name, val.Int)
		}
	case decode.KindCString, decode.KindTime:
		s := string(val.Bytes)
		if isAddrField(f.ID) {
			s = redactAddr(s, v.o)
		}
		fmt.Fprintf(w, "    %s: %s\n", name, strconv.Quote(s))
	case decode.KindOctets:
		fmt.Fprintf(w, "    %s: %d octets\n", name, len(val.Bytes))
	case decode.KindDestList:
		fmt.Fprintf(w, "    %s (%d)\n", name, len(p.Dests))
		for _, d := range p.Dests {
			if d.Flag == 2 {
				fmt.Fprintf(w, "        distribution list %s\n", strconv.Quote(string(d.Addr)))
			} else {
				fmt.Fprintf(w, "        SME %d/%d %s\n", d.TON, d.NPI, strconv.Quote(redactAddr(string(d.Addr), v.o)))
			}
		}
	case decode.KindUnsuccess:
		fmt.Fprintf(w, "    %s (%d)\n", name, len(p.Unsuccess))
		for _, u := range p.Unsuccess {
			fmt.Fprintf(w, "        %d/%d %s: %s\n", u.TON, u.NPI, strconv.Quote(redactAddr(string(u.Addr), v.o)), u.Status)
		}
	case decode.KindIDList:
		fmt.Fprintf(w, "    %s (%d)\n", name, len(p.MessageIDs))
		for _, id := range p.MessageIDs {
			fmt.Fprintf(w, "        %s\n", strconv.Quote(string(id)))
		}
	}
}

// tlvValueString renders a TLV value for people.
func tlvValueString(t *decode.TLV, o options) string {
	typ := decode.TLVOctets
	if t.Def != nil {
		typ = t.Def.Type
	}
	switch {
	case (typ == decode.TLVU8 || typ == decode.TLVU16 || typ == decode.TLVU32) && len(t.Value) >= 1 && len(t.Value) <= 4:
		n, _ := t.Uint()
		if t.Tag == decode.TagMessageState {
			return fmt.Sprintf("%d (%s)", n, decode.MessageStateName(uint8(n)))
		}
		if t.Tag == decode.TagSCInterfaceVersion {
			return fmt.Sprintf("0x%02x (SMPP %s)", n, decode.Version(n))
		}
		return strconv.FormatUint(uint64(n), 10)
	case typ == decode.TLVCString:
		return strconv.Quote(string(t.CString()))
	case typ == decode.TLVEmpty && len(t.Value) == 0:
		return "(no value)"
	case t.Tag == decode.TagMessagePayload && o.redactText:
		return fmt.Sprintf("(%d octets redacted)", len(t.Value))
	}
	return hex.EncodeToString(t.Value)
}

func (v *verboseWriter) Gap(g *GapRecord) error { return v.textWriter.Gap(g) }
