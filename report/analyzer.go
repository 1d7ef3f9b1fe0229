package report

import (
	"smppdump.dev/smppdump/decode"
)

// Analyzer decodes framed PDUs with the version of their session, masks
// secrets, counts, and hands each record to a Writer.
type Analyzer struct {
	w           Writer
	showSecrets bool
	maxPDU      uint32
	sessions    map[int]*session
	counts      counters
	pdu         decode.PDU // reused for every PDU
	rec         PDURecord
}

// session is what the analyzer remembers about one connection.
type session struct {
	version decode.Version // 0 until a bind says
}

// AnalyzerOption configures an Analyzer.
type AnalyzerOption func(*Analyzer)

// ShowSecrets leaves bind and outbind passwords visible.
func ShowSecrets(on bool) AnalyzerOption { return func(a *Analyzer) { a.showSecrets = on } }

// MaxPDU sets the largest plausible command_length (0 = decode.DefaultMaxPDU).
func MaxPDU(n uint32) AnalyzerOption { return func(a *Analyzer) { a.maxPDU = n } }

// NewAnalyzer returns an Analyzer writing to w.
func NewAnalyzer(w Writer, opts ...AnalyzerOption) *Analyzer {
	a := &Analyzer{w: w, sessions: map[int]*session{}, counts: newCounters()}
	for _, fn := range opts {
		fn(a)
	}
	return a
}

var maskedPassword = []byte("********")

// PDU decodes raw (one whole PDU) seen at m and writes it. raw and the
// decoded PDU are only used until PDU returns.
func (a *Analyzer) PDU(m Meta, raw []byte) error {
	s := a.sessions[m.Stream]
	if s == nil {
		s = &session{}
		a.sessions[m.Stream] = s
	}
	p := &a.pdu
	p.Decode(raw, decode.Options{Version: s.version, MaxPDU: a.maxPDU})
	s.learnVersion(p)
	if !a.showSecrets && (p.ID == decode.BindTransmitter || p.ID == decode.BindReceiver ||
		p.ID == decode.BindTransceiver || p.ID == decode.Outbind) {
		if i := p.Cmd.Field(decode.FieldPassword); i >= 0 && i < len(p.Values) && len(p.Values[i].Bytes) > 0 {
			p.Values[i].Bytes = maskedPassword
		}
	}
	a.rec = PDURecord{Meta: m, PDU: p}
	a.counts.add(&a.rec)
	return a.w.PDU(&a.rec)
}

// learnVersion updates the session version from binds (ref §3.8.1): the
// ESME's interface_version, then the SMSC's sc_interface_version.
func (s *session) learnVersion(p *decode.PDU) {
	switch p.ID {
	case decode.BindTransmitter, decode.BindReceiver, decode.BindTransceiver:
		if v, ok := p.Int(decode.FieldInterfaceVersion); ok {
			s.version = decode.Version(v).Normalize()
		}
	case decode.BindTransmitterResp, decode.BindReceiverResp, decode.BindTransceiverResp:
		if t, ok := p.TLV(decode.TagSCInterfaceVersion); ok && len(t.Value) == 1 {
			sc := decode.Version(t.Value[0]).Normalize()
			if s.version == 0 || sc < s.version {
				s.version = sc // both sides speak the lower version
			}
		}
	}
}

// Gap writes a gap record and counts it.
func (a *Analyzer) Gap(g GapRecord) error {
	a.counts.gaps++
	if g.Bytes > 0 {
		a.counts.gapBytes += g.Bytes
	}
	return a.w.Gap(&g)
}

// Finish writes the summary (with the capture counters given) and closes
// the writer.
func (a *Analyzer) Finish(capture []Counter) error {
	err := a.w.Summary(a.counts.summary(capture))
	if cerr := a.w.Close(); err == nil {
		err = cerr
	}
	return err
}
