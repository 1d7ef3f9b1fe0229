package report

import (
	"fmt"
	"strconv"
	"strings"

	"smppdump.dev/smppdump/decode"
)

// Filter selects which PDU records are written. Filters never change what
// is analysed: sessions, correlation and the summary see every PDU. A zero
// Filter selects everything.
type Filter struct {
	Commands    map[decode.CommandID]bool // nil: any
	StatusOK    bool                      // responses with status 0
	StatusError bool                      // responses with a non-zero status
	Statuses    map[decode.Status]bool    // responses with one of these
	SystemIDs   map[string]bool
	Addrs       []string // source_addr or destination_addr equals one of these
	MessageIDs  []string // the PDU carries one of these ids (any form, see decode.MatchMessageID)
	MinSeverity decode.Severity
	Streams     map[int]bool
}

// ParseCommands parses a comma list of command names.
func ParseCommands(list string) (map[decode.CommandID]bool, error) {
	out := map[decode.CommandID]bool{}
	for _, name := range splitList(list) {
		found := false
		for _, c := range decode.Commands() {
			if c.Name == strings.ToLower(name) {
				out[c.ID] = true
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown command %q", name)
		}
	}
	return out, nil
}

// ParseStatuses parses "ok", "error", status names (ESME_RTHROTTLED or
// RTHROTTLED) and numbers (decimal or 0x hex) into f.
func (f *Filter) ParseStatuses(list string) error {
	for _, s := range splitList(list) {
		switch strings.ToLower(s) {
		case "ok":
			f.StatusOK = true
			continue
		case "error", "err":
			f.StatusError = true
			continue
		}
		st, ok := decode.StatusByName(s)
		if !ok {
			n, err := strconv.ParseUint(s, 0, 32)
			if err != nil {
				return fmt.Errorf("unknown status %q (want ok, error, a name such as ESME_RTHROTTLED, or a number)", s)
			}
			st = decode.Status(n)
		}
		if f.Statuses == nil {
			f.Statuses = map[decode.Status]bool{}
		}
		f.Statuses[st] = true
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// active reports whether the filter selects anything less than everything.
func (f *Filter) active() bool {
	return f.Commands != nil || f.StatusOK || f.StatusError || f.Statuses != nil || f.SystemIDs != nil ||
		f.Addrs != nil || f.MessageIDs != nil || f.MinSeverity != 0 || f.Streams != nil
}

// match reports whether the record passes; systemID is its session's bind.
func (f *Filter) match(r *PDURecord, systemID string) bool {
	p := r.PDU
	if f.Commands != nil && !f.Commands[p.ID] {
		return false
	}
	if f.Streams != nil && !f.Streams[r.Stream] {
		return false
	}
	if f.StatusOK || f.StatusError || f.Statuses != nil {
		if !p.ID.IsResponse() {
			return false
		}
		st := decode.Status(p.Status)
		if !(f.StatusOK && st == 0 || f.StatusError && st != 0 || f.Statuses[st]) {
			return false
		}
	}
	if f.SystemIDs != nil && !f.SystemIDs[systemID] {
		return false
	}
	if f.MinSeverity != 0 && p.MaxSeverity() < f.MinSeverity {
		return false
	}
	if f.Addrs != nil && !f.matchAddr(p) {
		return false
	}
	if f.MessageIDs != nil {
		id, ok := p.MessageID()
		if !ok {
			rc, isRc := p.Receipt()
			if !isRc {
				return false
			}
			id = []byte(rc.ID)
		}
		if !matchAnyID(f.MessageIDs, string(id)) {
			return false
		}
	}
	return true
}

func matchAnyID(ids []string, id string) bool {
	for _, want := range ids {
		if decode.SameMessageID(want, id) {
			return true
		}
	}
	return false
}

// normAddr drops a leading "+" so "+4477…" finds "4477…".
func normAddr(a string) string { return strings.TrimPrefix(strings.TrimSpace(a), "+") }

func (f *Filter) matchAddr(p *decode.PDU) bool {
	cands := []string{p.Str(decode.FieldSourceAddr), p.Str(decode.FieldDestinationAddr), p.Str(decode.FieldESMEAddr)}
	for _, d := range p.Dests {
		cands = append(cands, string(d.Addr))
	}
	for _, want := range f.Addrs {
		for _, c := range cands {
			if c != "" && normAddr(c) == normAddr(want) {
				return true
			}
		}
	}
	return false
}

// matchMessage applies the filter to a message record: by bind, address,
// message id, response status, stream and command (the submit's or its
// response's name). A filter on issues selects PDUs only.
func (f *Filter) matchMessage(r *MessageRecord) bool {
	if f.MinSeverity != 0 {
		return false
	}
	if f.Commands != nil {
		ok := false
		for id := range f.Commands {
			if name := decode.CommandName(id &^ decode.RespBit); name == r.Command {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	if f.Streams != nil && !f.Streams[r.Stream] {
		return false
	}
	if f.StatusOK || f.StatusError || f.Statuses != nil {
		if !r.HasResp || !(f.StatusOK && r.RespStatus == 0 || f.StatusError && r.RespStatus != 0 || f.Statuses[r.RespStatus]) {
			return false
		}
	}
	if f.SystemIDs != nil && !f.SystemIDs[r.SystemID] {
		return false
	}
	if f.Addrs != nil {
		ok := false
		for _, a := range f.Addrs {
			if normAddr(a) == normAddr(r.SourceAddr) || normAddr(a) == normAddr(r.DestAddr) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	if f.MessageIDs != nil {
		ok := false
		for _, id := range r.MessageIDs {
			if id != "" && matchAnyID(f.MessageIDs, id) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
