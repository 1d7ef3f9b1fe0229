package decode

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// versionOf returns a version in which the command exists.
func versionOf(c *Command) Version {
	switch {
	case c.Until == V33:
		return V33
	case c.Since == V50:
		return V50
	}
	return V34
}

// sampleField returns a sensible value for a mandatory field.
func sampleField(c *Command, f *Field) Value {
	v := Value{Present: true}
	switch f.ID {
	case FieldInterfaceVersion:
		v.Int = 0x34
	case FieldSourceAddrTON, FieldDestAddrTON, FieldAddrTON, FieldESMEAddrTON, FieldSourceAddrNPI, FieldDestAddrNPI, FieldAddrNPI, FieldESMEAddrNPI:
		v.Int = 1
	case FieldMessageState:
		v.Int = 2
	case FieldFinalDate:
		v.Bytes = []byte("240115123000004+")
	case FieldValidityPeriod:
		v.Bytes = []byte("240115123000004+")
	case FieldMessageID:
		if c.ID != DeliverSMResp {
			v.Bytes = []byte("1a2b3c")
		}
	case FieldOriginalMessageID:
		v.Bytes = []byte("1a2b3c")
	case FieldShortMessage:
		v.Bytes = []byte("Hello")
	case FieldSystemID:
		v.Bytes = []byte("esme01")
	case FieldPassword:
		v.Bytes = []byte("pw")
	case FieldSourceAddr, FieldDestinationAddr, FieldESMEAddr:
		v.Bytes = []byte("447700900123")
	case FieldParamName, FieldParamValue:
		v.Bytes = []byte("param")
	}
	if c.ID == DeliverSM && f.ID == FieldValidityPeriod {
		v.Bytes = nil // must be NULL in v3.4 deliver_sm
	}
	return v
}

// samplePDU builds a valid PDU of c with every mandatory field set.
func samplePDU(c *Command) *PDU {
	p := New(c.ID, 0, 42)
	p.Version = versionOf(c)
	if c.HeaderOnly {
		if c.ID == GenericNack {
			p.Status = uint32(StatusInvCmdID)
		}
		return p
	}
	for i := range c.Fields {
		p.Values[i] = sampleField(c, &c.Fields[i])
	}
	switch c.ID {
	case SubmitMulti, QueryMsgDetailsResp:
		p.Dests = []Dest{sme("447700900123"), {Flag: 2, Addr: []byte("friends")}}
	case SubmitMultiResp:
		p.Unsuccess = []Unsuccess{{TON: 1, NPI: 1, Addr: []byte("447700900124"), Status: StatusInvDstAdr}}
	case QueryLastMsgsResp:
		p.MessageIDs = [][]byte{[]byte("1a"), []byte("2b")}
	case DataSM:
		p.AddTLV(TagMessagePayload, []byte("Hello"))
	case BroadcastSM:
		for _, m := range bcMandatory {
			m(p)
		}
		p.AddTLV(TagMessagePayload, []byte("Storm"))
	case QueryBroadcastSMResp:
		p.AddTLVInt(TagMessageState, 2).AddTLV(TagBroadcastAreaIdentifier, []byte{0, 'P'}).AddTLVInt(TagBroadcastAreaSuccess, 100)
	}
	return p
}

// TestEveryCommandRoundTrip builds each command of the table, encodes,
// decodes and re-encodes it.
func TestEveryCommandRoundTrip(t *testing.T) {
	for i := range Commands() {
		c := &Commands()[i]
		t.Run(c.Name, func(t *testing.T) {
			b, err := samplePDU(c).Marshal()
			require.NoError(t, err)
			p := Decode(b, Options{Version: versionOf(c)})
			require.Same(t, c, p.Cmd)
			require.Less(t, p.MaxSeverity(), SevError, "%v", p.Issues)
			require.Empty(t, p.Issues)
			out, err := p.Append(nil, EncodeOptions{})
			require.NoError(t, err)
			require.Equal(t, b, out)
		})
	}
}

// tlvHome returns a command and version under which def is allowed.
func tlvHome(def *TLVDef) (*Command, Version) {
	v := V34
	allowed := def.In34
	if def.Since == V50 || allowed == 0 {
		v, allowed = V50, def.In50|def.Must50
	}
	for i := range Commands() {
		c := &Commands()[i]
		if c.In(v) && !c.HeaderOnly && def.AllowedIn(c.TLVGroup, c.IsResponse(), v) && (allowed&c.TLVGroup != 0 || def.AnyResponse) &&
			c.ID != SubmitMulti { // dest_subaddress is listed but unsupported there (§5.3 Y*)
			return c, v
		}
	}
	return nil, 0
}

// sampleTLV returns a valid value of def's minimum length.
func sampleTLV(def *TLVDef) []byte {
	switch def.Tag {
	case TagBroadcastEndTime:
		return []byte("240115123000004+\x00")
	case TagSCInterfaceVersion:
		return []byte{0x34}
	case TagSourceNodeID, TagDestNodeID:
		return []byte("000001")
	case TagDestAddrNPInformation:
		return []byte("0123456789")
	case TagSARTotalSegments, TagSARSegmentSeqnum:
		return []byte{1}
	case TagMessageState:
		return []byte{2}
	}
	b := make([]byte, def.Min)
	if def.Type == TLVCString {
		for i := range len(b) - 1 {
			b[i] = '1'
		}
	}
	return b
}

// companions are the TLVs a TLV needs beside it to be clean (ref §5.6).
func companions(tag uint16) []uint16 {
	switch tag {
	case TagSARMsgRefNum, TagSARTotalSegments, TagSARSegmentSeqnum:
		return []uint16{TagSARMsgRefNum, TagSARTotalSegments, TagSARSegmentSeqnum}
	case TagCallbackNumPresInd, TagCallbackNumAtag:
		return []uint16{TagCallbackNum}
	case TagSourceNetworkID:
		return []uint16{TagSourceNodeID}
	case TagDestNetworkID:
		return []uint16{TagDestNodeID}
	}
	return nil
}

// setTLV replaces every TLV with tag by one with value v.
func setTLV(p *PDU, tag uint16, v []byte) {
	p.TLVs = slices.DeleteFunc(p.TLVs, func(t TLV) bool { return t.Tag == tag })
	p.AddTLV(tag, v)
}

func TestEveryTLVRoundTrip(t *testing.T) {
	for i := range TLVs() {
		def := &TLVs()[i]
		t.Run(def.Name, func(t *testing.T) {
			c, v := tlvHome(def)
			require.NotNil(t, c, "%s is allowed nowhere", def.Name)
			build := func(val []byte) []byte {
				p := samplePDU(c)
				if c.ID == SubmitSM && def.Tag == TagMessagePayload {
					p.SetBytes(FieldShortMessage, nil)
				}
				for _, tag := range companions(def.Tag) {
					if tag != def.Tag {
						setTLV(p, tag, sampleTLV(LookupTLV(tag)))
					}
				}
				setTLV(p, def.Tag, val)
				b, err := p.Marshal()
				require.NoError(t, err)
				return b
			}
			good := build(sampleTLV(def))
			p := Decode(good, Options{Version: v})
			require.Empty(t, p.Issues, "%s in %s v%s", def.Name, c.Name, v)
			tl, ok := p.TLV(def.Tag)
			require.True(t, ok)
			require.Equal(t, sampleTLV(def), tl.Value)
			out, err := p.Append(nil, EncodeOptions{})
			require.NoError(t, err)
			require.Equal(t, good, out)

			if def.MaxFor(v) == 65535 {
				return // message_payload: every length is allowed
			}
			bad := build(make([]byte, def.MaxFor(v)+2))
			q := Decode(bad, Options{Version: v})
			is := requireIssue(t, q, CodeTLVLength)
			require.Equal(t, def.Name, is.Field)
			require.Equal(t, SevError, is.Severity)
		})
	}
}

// genPDU draws a random valid PDU of one of the kinds the property test
// covers. Values stay in the ranges ref §3 allows under v3.4.
func genPDU(r *rand.Rand) *PDU {
	kinds := []CommandID{SubmitSM, DeliverSM, SubmitMulti, DataSM, BindTransmitter, BindReceiver, BindTransceiver}
	id := kinds[r.IntN(len(kinds))]
	p := New(id, 0, 1+r.Uint32N(0x7FFFFFFE))
	str := func(max int, alphabet string) []byte {
		b := make([]byte, r.IntN(max))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return b
	}
	const digits, alnum = "0123456789", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "
	npis := []uint32{0, 1, 3, 4, 6, 8, 9, 10, 14, 18}
	times := []string{"", "000001000000000R", "240115123000004+", "991231235959948-"}
	for i := range p.Cmd.Fields {
		f := &p.Cmd.Fields[i]
		v := &p.Values[i]
		switch f.ID {
		case FieldSourceAddrTON, FieldDestAddrTON, FieldAddrTON:
			v.Int = r.Uint32N(7)
		case FieldSourceAddrNPI, FieldDestAddrNPI, FieldAddrNPI:
			v.Int = npis[r.IntN(len(npis))]
		case FieldInterfaceVersion:
			v.Int = 0x34
		case FieldESMClass:
			v.Int = []uint32{0, 1, 3, 0x08, 0x80}[r.IntN(5)]
		case FieldProtocolID:
			v.Int = r.Uint32N(256)
		case FieldPriorityFlag:
			v.Int = r.Uint32N(4)
		case FieldRegisteredDelivery:
			v.Int = r.Uint32N(3) | r.Uint32N(4)<<2 | r.Uint32N(2)<<4
		case FieldDataCoding:
			v.Int = []uint32{0, 1, 3, 4, 8}[r.IntN(5)]
		case FieldSMDefaultMsgID:
			v.Int = r.Uint32N(255)
		case FieldScheduleDeliveryTime, FieldValidityPeriod:
			v.Bytes = []byte(times[r.IntN(len(times))])
		case FieldSourceAddr, FieldDestinationAddr:
			v.Bytes = str(min(f.MaxFor(V34), 21), digits)
		case FieldSystemID, FieldPassword, FieldSystemType, FieldAddressRange, FieldServiceType:
			v.Bytes = str(f.MaxFor(V34), alnum)
		case FieldShortMessage:
			v.Bytes = str(255, alnum)
		}
		if p.ID == DeliverSM && (f.ID == FieldScheduleDeliveryTime || f.ID == FieldValidityPeriod || f.ID == FieldSMDefaultMsgID) {
			v.Bytes, v.Int = nil, 0
		}
	}
	if p.ID == SubmitMulti {
		for range 1 + r.IntN(20) {
			if r.IntN(4) == 0 {
				p.Dests = append(p.Dests, Dest{Flag: 2, Addr: str(21, alnum)})
			} else {
				p.Dests = append(p.Dests, Dest{Flag: 1, TON: uint8(r.IntN(7)), NPI: uint8(npis[r.IntN(len(npis))]), Addr: str(21, digits)})
			}
		}
	}
	if p.ID != BindTransmitter && p.ID != BindReceiver && p.ID != BindTransceiver {
		allowed := []uint16{TagUserMessageReference, TagSourcePort, TagDestinationPort, TagPrivacyIndicator, TagLanguageIndicator,
			TagPayloadType, TagSourceSubaddress, TagCallbackNum}
		for range r.IntN(5) {
			tag := allowed[r.IntN(len(allowed))]
			def := LookupTLV(tag)
			val := make([]byte, def.Min+r.IntN(def.Max-def.Min+1))
			for i := range val {
				val[i] = byte(r.IntN(2))
			}
			p.AddTLV(tag, val)
		}
		if p.ID == DataSM || (len(p.Bytes(FieldShortMessage)) == 0 && r.IntN(2) == 0) {
			p.AddTLV(TagMessagePayload, str(1000, alnum))
		}
	}
	if dc, _ := p.Int(FieldDataCoding); dc == 8 { // UCS2 text has an even length (UD-06)
		if sm := p.Bytes(FieldShortMessage); len(sm)%2 != 0 {
			p.SetBytes(FieldShortMessage, sm[1:])
		}
		if t, ok := p.TLV(TagMessagePayload); ok && len(t.Value)%2 != 0 {
			t.Value = t.Value[1:]
		}
	}
	return p
}

// TestPropertyDecodeEncode checks decode(encode(x)) == x for generated x.
func TestPropertyDecodeEncode(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 2000 {
		x := genPDU(r)
		b, err := x.Marshal()
		require.NoError(t, err)
		p := Decode(b, Options{Version: V34})
		msg := fmt.Sprintf("case %d %s % x", n, x.Name(), b)
		require.Less(t, p.MaxSeverity(), SevError, "%s: %v", msg, p.Issues)
		require.Equal(t, x.ID, p.ID, msg)
		require.Equal(t, x.Seq, p.Seq, msg)
		require.Len(t, p.Values, len(x.Values), msg)
		for i, want := range x.Values {
			got := p.Values[i]
			f := p.Cmd.Fields[i]
			require.True(t, got.Present, "%s: %s", msg, f.Name())
			if f.Kind.IsInt() {
				if f.ID == FieldSMLength || f.ID == FieldNumberOfDests {
					continue // computed by FixLengths
				}
				require.Equal(t, want.Int, got.Int, "%s: %s", msg, f.Name())
			} else {
				require.True(t, bytes.Equal(want.Bytes, got.Bytes), "%s: %s", msg, f.Name())
			}
		}
		require.Len(t, p.Dests, len(x.Dests), msg)
		for i, d := range x.Dests {
			g := p.Dests[i]
			require.Equal(t, []any{d.Flag, string(d.Addr)}, []any{g.Flag, string(g.Addr)}, msg)
			if d.Flag == 1 {
				require.Equal(t, []uint8{d.TON, d.NPI}, []uint8{g.TON, g.NPI}, msg)
			}
		}
		require.Len(t, p.TLVs, len(x.TLVs), msg)
		for i, tl := range x.TLVs {
			require.Equal(t, tl.Tag, p.TLVs[i].Tag, msg)
			require.True(t, bytes.Equal(tl.Value, p.TLVs[i].Value), msg)
		}
	}
}

// corpus is every valid PDU built by the tests: Appendix A, the clean
// counterparts of the check tables, one of each command.
func corpus(t testing.TB) [][]byte {
	var out [][]byte
	for _, a := range appendixA {
		out = append(out, hexBytes(t, a.hex))
	}
	for _, c := range allChecks() {
		out = append(out, c.bad)
		if c.clean != nil {
			out = append(out, c.clean)
		}
	}
	for i := range Commands() {
		b, err := samplePDU(&Commands()[i]).Marshal()
		require.NoError(t, err)
		out = append(out, b)
	}
	return out
}

// TestCorpusEncodeDecode checks encode(decode(b)) == b for every corpus PDU
// that decodes without an error-severity issue, under each version.
func TestCorpusEncodeDecode(t *testing.T) {
	n := 0
	for _, b := range corpus(t) {
		for _, v := range []Version{V33, V34, V50} {
			p := Decode(b, Options{Version: v})
			if p.MaxSeverity() >= SevError || int(p.Length) > len(b) || len(b) < HeaderLen {
				continue
			}
			n++
			out, err := p.Append(nil, EncodeOptions{})
			require.NoError(t, err)
			require.Equal(t, b[:p.Length], out, "%v", p.Issues)
		}
	}
	require.Greater(t, n, 300)
}
