package report

import (
	"slices"
	"strings"
	"testing"
	"unsafe"

	"smppdump.dev/smppdump/decode"
)

// TestMsgPartID: ids up to idCopyMax live in idCopy, longer ones in idLong;
// either way id, sameID and hasID agree with the bytes set.
func TestMsgPartID(t *testing.T) {
	for _, id := range []string{"1", "0A1b", strings.Repeat("9", idCopyMax), strings.Repeat("f", idCopyMax+1)} {
		p := &msgPart{}
		if p.hasID() || p.id() != "" {
			t.Fatalf("fresh part has id %q", p.id())
		}
		b := []byte(id)
		p.setID(b)
		b[0] = 'x' // the part keeps a copy
		if got := p.id(); got != id || !p.sameID(id) || !p.hasID() {
			t.Errorf("setID(%q): id %q, sameID %v, hasID %v", id, got, p.sameID(id), p.hasID())
		}
		if short := len(id) <= idCopyMax; short != (p.idLen > 0) || short == (p.idLong != "") {
			t.Errorf("setID(%q): idLen %d, idLong %q", id, p.idLen, p.idLong)
		}
		p.setID([]byte("2"))
		if p.id() != "2" || p.sameID(id) {
			t.Errorf("after %q, setID(2): id %q", id, p.id())
		}
	}
}

// TestLiveIndex: live keeps the waiting messages at the index liveIndex
// gives, emitted ones leave no entry behind the oldest waiting, and a
// message reused for a later submit gets a new entry.
func TestLiveIndex(t *testing.T) {
	for _, tc := range []struct {
		name    string
		submits int
		retire  []int // indexes of the submitted messages, in retire order
		reuse   int   // messages submitted after the retires (reusing freed ones)
		want    []int // the submits still waiting, by index (reused ones as submits+i)
	}{
		{"none retired", 3, nil, 0, []int{0, 1, 2}},
		{"oldest retired", 3, []int{0}, 0, []int{1, 2}},
		{"middle retired", 4, []int{2, 1}, 0, []int{0, 3}},
		{"all retired", 3, []int{1, 2, 0}, 0, nil},
		{"out of order, then reused", 4, []int{3, 0, 1}, 2, []int{2, 4, 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCorrelator(correlatorLimits{})
			submit := func() *message {
				return c.newMessage(decode.New(decode.SubmitSM, 0, 1), &Meta{}, "", "", "", 1)
			}
			var msgs []*message
			for range tc.submits {
				msgs = append(msgs, submit())
			}
			for _, i := range tc.retire {
				msgs[i].reusable = true // (recycle would see it after retire)
				c.retire(msgs[i])
				for _, m := range c.ready {
					c.recycle(m)
				}
				c.ready = c.ready[:0]
			}
			for range tc.reuse {
				msgs = append(msgs, submit())
			}
			var waiting []int
			for i, m := range msgs {
				if slices.Contains(tc.retire, i) {
					continue
				}
				waiting = append(waiting, i)
				if j := c.liveIndex(m); j < 0 || j >= c.live.Len() || c.live.items()[j] != m {
					t.Errorf("message %d: liveIndex %d, live %v", i, j, c.live.items())
				}
			}
			if !slices.Equal(waiting, tc.want) {
				t.Errorf("waiting %v, want %v", waiting, tc.want)
			}
			live := c.live.items()
			nonNil := len(slices.DeleteFunc(slices.Clone(live), func(m *message) bool { return m == nil }))
			if nonNil != len(tc.want) || (len(live) > 0 && live[0] == nil) {
				t.Errorf("live %v: %d waiting, want %d, none emitted at the front", live, nonNil, len(tc.want))
			}
		})
	}
}

// TestMsgHeadSize pins the head of a message to one cache line: matching
// a receipt and retiring its message read the head and the first part's
// id, which follow it.
func TestMsgHeadSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("laid out for 64-bit platforms")
	}
	if got := unsafe.Sizeof(msgHead{}); got != 64 {
		t.Errorf("msgHead is %d bytes, want 64", got)
	}
}
