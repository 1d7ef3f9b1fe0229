package report

import "smppdump.dev/smppdump/decode"

// warmer touches, ahead of a batch's analysis, the state its receipts and
// responses will reach: the index slot of each message id and, for a
// receipt, the part and message found there. That state was last used
// seconds before (a receipt follows its submit by seconds) and is out of
// cache; analysed one PDU after another, each miss waits for the one
// before it, while here the loads of a whole batch are independent and
// the processor overlaps them.
//
// Measured with BenchmarkAnalyzeBulkBatches (the consumer's thread CPU on
// the bench traffic in batches of 128, ten alternated runs): 72.5 ms
// without, 62.0 ms with it (medians).
type warmer struct {
	slots []uint64   // index slot of each id, times two, plus one for a receipt
	parts []*msgPart // the parts the batch's receipts will reach
	sink  uintptr    // what the loads read, kept so that they are not dropped
}

// Warm reads ahead the index state that Decoded will reach for pdus, the
// PDUs of the next calls to Decoded, in order. It changes nothing that
// Decoded reads or writes; it only makes it faster.
func (a *Analyzer) Warm(pdus []*decode.PDU) {
	c := a.corr
	w := &a.warm
	w.parts = w.parts[:0]
	var sink uintptr
	slots := c.ids.text.slots
	if len(slots) == 0 {
		return
	}
	mask := uint64(len(slots) - 1)
	w.slots = w.slots[:0]
	for _, p := range pdus {
		var id string
		receipt := false
		switch p.ID {
		case decode.DeliverSM, decode.DataSM:
			if p.MessageType() == 0 {
				continue
			}
			id, _, _ = receiptID(p)
			receipt = true
		case decode.SubmitSMResp, decode.DataSMResp, decode.SubmitMultiResp:
			if p.Status != 0 {
				continue
			}
			id = string(p.Bytes(decode.FieldMessageID)) // not kept: no copy
		default:
			continue
		}
		if id != "" {
			i := textSlot(c.ids.hash(id)) & mask << 1
			if receipt {
				i |= 1
			}
			w.slots = append(w.slots, i)
		}
	}
	// Tight loops of independent loads: many misses in flight at once.
	for _, h := range w.slots {
		sink += uintptr(slots[h>>1].key)
	}
	for _, h := range w.slots {
		if s := &slots[h>>1]; h&1 != 0 && s.val != nil {
			w.parts = append(w.parts, s.val)
		}
	}
	for _, part := range w.parts {
		sink += uintptr(part.idLen) + uintptr(cap(part.receipts))
		if m := part.msg; m != nil && m.partsBuf[0] != nil {
			sink++
		}
	}
	// The receipt goes into the part's array of receipts, which a
	// recycled message keeps from its previous life.
	for _, part := range w.parts {
		if r := part.receipts[:cap(part.receipts)]; len(r) > len(part.receipts) {
			sink += uintptr(r[len(part.receipts)].stream)
		}
	}
	w.sink += sink
}
