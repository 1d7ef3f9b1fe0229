package decode

import (
	"bytes"
	"testing"
)

// TestReuseDropsOldInput decodes every corpus PDU into a PDU that last
// decoded another one, and checks that no slice of its storage, the unused
// inline entries included, still points into the earlier input: a reused
// PDU must not keep an old capture buffer alive.
func TestReuseDropsOldInput(t *testing.T) {
	pdus := corpus(t)
	var p PDU
	for i, first := range pdus {
		for j, next := range pdus {
			if (i+j)%5 != 0 { // a fifth of the pairs keeps the test quick
				continue
			}
			old := bytes.Clone(first)
			p.Decode(old, Options{Version: V34})
			_, _ = p.Receipt()
			p.Decode(bytes.Clone(next), Options{Version: V34})
			for k := range p.valBuf {
				if len(p.valBuf[k].Bytes) > 0 && within(old, p.valBuf[k].Bytes) {
					t.Fatalf("corpus %d then %d: valBuf[%d] aliases the first input", i, j, k)
				}
			}
			for k := range p.tlvBuf {
				if len(p.tlvBuf[k].Value) > 0 && within(old, p.tlvBuf[k].Value) {
					t.Fatalf("corpus %d then %d: tlvBuf[%d] aliases the first input", i, j, k)
				}
			}
			for k, v := range p.rcptVals.vals {
				if len(v) > 0 && within(old, v) {
					t.Fatalf("corpus %d then %d: the receipt's value %d aliases the first input", i, j, k)
				}
			}
		}
	}
}
