package report

import (
	"strings"
	"testing"
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

// TestLiveRefWaiting: an entry of live stops waiting when its message is
// emitted or reused for a later submit.
func TestLiveRefWaiting(t *testing.T) {
	m := &message{}
	m.order = 7
	for _, tc := range []struct {
		name  string
		done  bool
		order uint64
		want  bool
	}{
		{"live", false, 7, true},
		{"emitted", true, 7, false},
		{"reused", false, 9, false},
		{"reused and emitted", true, 9, false},
	} {
		m.done, m.order = tc.done, tc.order
		if got := (liveRef{m, 7}).waiting(); got != tc.want {
			t.Errorf("%s: waiting() = %v, want %v", tc.name, got, tc.want)
		}
	}
}
