package decode

import (
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
)

// benchHex decodes a spaced hex dump for benchmarks (no testing.T needed).
func benchHex(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

func appendixHex(name string) []byte {
	for _, a := range appendixA {
		if a.name == name {
			return benchHex(a.hex)
		}
	}
	panic("no appendix PDU " + name)
}

// benchSubmitMulti254 builds a submit_multi with 254 SME destinations.
func benchSubmitMulti254() []byte {
	p := New(SubmitMulti, 0, 9)
	p.SetString(FieldSourceAddr, "ACME")
	for i := range 254 {
		p.Dests = append(p.Dests, Dest{Flag: 1, TON: 1, NPI: 1, Addr: []byte("4477009" + strconv.Itoa(10000+i))})
	}
	p.SetBytes(FieldShortMessage, []byte("Hello everybody"))
	return benchMarshal(p)
}

// benchManyTLVs builds a data_sm carrying 20 valid TLVs.
func benchManyTLVs() []byte {
	p := New(DataSM, 0, 10)
	p.SetString(FieldSourceAddr, "447700900123").SetString(FieldDestinationAddr, "ACME")
	p.AddTLVInt(TagDestAddrSubunit, 1).AddTLVInt(TagDestNetworkType, 1).AddTLVInt(TagDestBearerType, 1).
		AddTLVInt(TagDestTelematicsID, 0x0100).AddTLVInt(TagSourceAddrSubunit, 1).AddTLVInt(TagSourceNetworkType, 1).
		AddTLVInt(TagSourceBearerType, 1).AddTLVInt(TagSourceTelematicsID, 1).AddTLVInt(TagQOSTimeToLive, 3600).
		AddTLVInt(TagPayloadType, 0).AddTLVInt(TagMSMsgWaitFacilities, 0x80).AddTLVInt(TagPrivacyIndicator, 0).
		AddTLVInt(TagUserMessageReference, 7).AddTLVInt(TagUserResponseCode, 1).AddTLVInt(TagLanguageIndicator, 1).
		AddTLVInt(TagSARMsgRefNum, 42).AddTLVInt(TagSARTotalSegments, 2).AddTLVInt(TagSARSegmentSeqnum, 1).
		AddTLVInt(TagSetDPF, 1).AddTLV(TagMessagePayload, []byte("Hello from a data_sm"))
	return benchMarshal(p)
}

func benchDecode(b *testing.B, pdu []byte, o Options) {
	var p PDU
	p.Decode(pdu, o)
	if p.MaxSeverity() >= SevWarning {
		b.Fatalf("benchmark PDU is not clean: %v", p.Issues)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(pdu)))
	b.ResetTimer()
	for b.Loop() {
		p.Decode(pdu, o)
	}
}

func BenchmarkDecodeSubmitSM(b *testing.B) { benchDecode(b, appendixHex("submit_sm"), Options{}) }

func BenchmarkDecodeDeliverSMReceipt(b *testing.B) {
	benchDecode(b, appendixHex("deliver_sm receipt"), Options{})
}

func BenchmarkDecodeEnquireLink(b *testing.B) { benchDecode(b, appendixHex("enquire_link"), Options{}) }

func BenchmarkDecodeSubmitMulti254(b *testing.B) { benchDecode(b, benchSubmitMulti254(), Options{}) }

func BenchmarkDecodeManyTLVs(b *testing.B) { benchDecode(b, benchManyTLVs(), Options{}) }

func BenchmarkDecodeTextUCS2(b *testing.B) {
	ud := make([]byte, 0, 140)
	for i := range 70 {
		ud = append(ud, 0x04, byte(0x10+i%32)) // Cyrillic А…Я
	}
	dcs := ParseDCS(0x08)
	b.ReportAllocs()
	b.SetBytes(int64(len(ud)))
	for b.Loop() {
		_ = DecodeText(dcs, ud)
	}
}
