package decode

import "testing"

// BenchmarkDecodeBulkRing decodes the bulk mix in the proportions of the
// benchmark captures (about 31% submit_sm and as many responses, 19%
// receipts and as many responses) into a ring of PDUs as large as the
// command's pipeline keeps in flight (11 batches of 64). Each PDU is
// therefore decoded with its memory out of the nearest caches, as in a
// whole run, which BenchmarkDecodeBulkMix, reusing one PDU, does not show.
func BenchmarkDecodeBulkRing(b *testing.B) {
	kinds := [][]byte{benchBulkSubmitSM(), benchBulkSubmitSMResp(), benchBulkReceipt(), benchBulkDeliverSMResp()}
	// A fixed interleaving with the capture's proportions (31:31:19:19).
	var order [][]byte
	x := uint32(1)
	for range 1000 {
		x = x*1664525 + 1013904223
		switch r := x >> 24 % 100; {
		case r < 31:
			order = append(order, kinds[0])
		case r < 62:
			order = append(order, kinds[1])
		case r < 81:
			order = append(order, kinds[2])
		default:
			order = append(order, kinds[3])
		}
	}
	ring := make([]PDU, 64*11)
	b.ReportAllocs()
	b.ResetTimer()
	i, j := 0, 0
	for b.Loop() {
		ring[j].Decode(order[i], briefV34)
		if i++; i == len(order) {
			i = 0
		}
		if j++; j == len(ring) {
			j = 0
		}
	}
}
