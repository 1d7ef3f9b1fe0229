package decode

import "testing"

// The four PDUs that make up nearly all of a bulk-SMS capture, shaped like
// those of the benchmark captures: an ESME's GSM 7-bit submit_sm, its
// response, the SMSC's delivery receipt and the receipt's response. Each is
// decoded with Brief, as summary-only runs do.

func benchMarshal(p *PDU) []byte {
	b, err := p.Marshal()
	if err != nil {
		panic(err)
	}
	return b
}

func benchBulkSubmitSM() []byte {
	p := New(SubmitSM, 0, 3)
	p.SetInt(FieldSourceAddrTON, 5).SetString(FieldSourceAddr, "BULK")
	p.SetInt(FieldDestAddrTON, 1).SetInt(FieldDestAddrNPI, 1).SetString(FieldDestinationAddr, "447700905583")
	p.SetInt(FieldRegisteredDelivery, 1)
	p.SetBytes(FieldShortMessage, []byte("Your verification code is 832306. It expires in 5 minutes."))
	return benchMarshal(p)
}

func benchBulkSubmitSMResp() []byte {
	return benchMarshal(New(SubmitSMResp, 0, 3).SetString(FieldMessageID, "000000000f"))
}

func benchBulkReceipt() []byte {
	p := New(DeliverSM, 0, 2)
	p.SetInt(FieldSourceAddrTON, 1).SetInt(FieldSourceAddrNPI, 1).SetString(FieldSourceAddr, "447700976312")
	p.SetInt(FieldDestAddrTON, 5).SetString(FieldDestinationAddr, "BULK")
	p.SetInt(FieldESMClass, 4)
	p.SetBytes(FieldShortMessage, []byte("id:0000000004 sub:001 dlvrd:001 submit date:2603020900 done date:2603020900 stat:DELIVRD err:000 text:"))
	p.AddTLVString(TagReceiptedMessageID, "0000000004").AddTLVInt(TagMessageState, 2)
	return benchMarshal(p)
}

func benchBulkDeliverSMResp() []byte {
	return benchMarshal(New(DeliverSMResp, 0, 2))
}

var briefV34 = Options{Version: V34, Brief: true}

func BenchmarkDecodeBulkSubmitSM(b *testing.B) { benchDecode(b, benchBulkSubmitSM(), briefV34) }

func BenchmarkDecodeBulkSubmitSMResp(b *testing.B) {
	benchDecode(b, benchBulkSubmitSMResp(), briefV34)
}

func BenchmarkDecodeBulkReceipt(b *testing.B) { benchDecode(b, benchBulkReceipt(), briefV34) }

func BenchmarkDecodeBulkDeliverSMResp(b *testing.B) {
	benchDecode(b, benchBulkDeliverSMResp(), briefV34)
}

// BenchmarkDecodeBulkMix decodes the four in turn into one PDU, as a stream
// decoder does.
func BenchmarkDecodeBulkMix(b *testing.B) {
	pdus := [][]byte{benchBulkSubmitSM(), benchBulkSubmitSMResp(), benchBulkReceipt(), benchBulkDeliverSMResp()}
	var p PDU
	for _, raw := range pdus {
		p.Decode(raw, briefV34)
		if p.MaxSeverity() >= SevWarning {
			b.Fatalf("benchmark PDU is not clean: %v", p.Issues)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, raw := range pdus {
			p.Decode(raw, briefV34)
		}
	}
}
