package tshark

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
)

// maxDepth bounds the nesting of tshark's JSON; its trees are a few levels
// deep, so anything deeper is not tshark output.
const maxDepth = 64

type valueKind uint8

const (
	kindString valueKind = iota
	kindScalar           // number, bool or null
	kindObject
	kindArray
)

// jsonValue is a JSON value that keeps object members in order and keeps
// duplicate keys, which tshark's -T json output has unless
// --no-duplicate-keys is given.
type jsonValue struct {
	kind    valueKind
	str     string // kindString and kindScalar
	members []member
	items   []jsonValue
}

type member struct {
	key string
	val jsonValue
}

func readValue(dec *json.Decoder, depth int) (jsonValue, error) {
	tok, err := dec.Token()
	if err != nil {
		return jsonValue{}, err
	}
	return readFrom(dec, tok, depth)
}

func readFrom(dec *json.Decoder, tok json.Token, depth int) (jsonValue, error) {
	if depth > maxDepth {
		return jsonValue{}, errors.New("JSON nested too deeply")
	}
	switch t := tok.(type) {
	case string:
		return jsonValue{kind: kindString, str: t}, nil
	case json.Number:
		return jsonValue{kind: kindScalar, str: t.String()}, nil
	case bool:
		return jsonValue{kind: kindScalar, str: strconv.FormatBool(t)}, nil
	case nil:
		return jsonValue{kind: kindScalar}, nil
	case json.Delim:
		switch t {
		case '{':
			v := jsonValue{kind: kindObject}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return jsonValue{}, err
				}
				key, ok := kt.(string)
				if !ok {
					return jsonValue{}, fmt.Errorf("object key is %T", kt)
				}
				val, err := readValue(dec, depth+1)
				if err != nil {
					return jsonValue{}, err
				}
				v.members = append(v.members, member{key: key, val: val})
			}
			if _, err := dec.Token(); err != nil { // '}'
				return jsonValue{}, err
			}
			return v, nil
		case '[':
			v := jsonValue{kind: kindArray}
			for dec.More() {
				it, err := readValue(dec, depth+1)
				if err != nil {
					return jsonValue{}, err
				}
				v.items = append(v.items, it)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return jsonValue{}, err
			}
			return v, nil
		}
	}
	return jsonValue{}, fmt.Errorf("unexpected JSON token %v", tok)
}

// get returns the first member named key.
func (v jsonValue) get(key string) (jsonValue, bool) {
	for _, m := range v.members {
		if m.key == key {
			return m.val, true
		}
	}
	return jsonValue{}, false
}

// getString returns the first string value of key, looking into the array
// that --no-duplicate-keys makes of repeated keys.
func (v jsonValue) getString(key string) (string, bool) {
	for _, m := range expand(v.members) {
		if m.key == key && m.val.kind == kindString {
			return m.val.str, true
		}
	}
	return "", false
}

// expand undoes --no-duplicate-keys: a member whose value is an array
// becomes one member per element, in order. Raw-data members ("X_raw", whose
// value is [hex, offset, length, bitmask, type] or an array of those) are
// left alone.
func expand(ms []member) []member {
	var out []member
	for _, m := range ms {
		if m.val.kind != kindArray || isRaw(m) {
			out = append(out, m)
			continue
		}
		for _, it := range flatten(m.val) {
			out = append(out, member{key: m.key, val: it})
		}
	}
	return out
}

func flatten(v jsonValue) []jsonValue {
	if v.kind != kindArray {
		return []jsonValue{v}
	}
	var out []jsonValue
	for _, it := range v.items {
		out = append(out, flatten(it)...)
	}
	return out
}

func isRaw(m member) bool {
	return strings.HasSuffix(m.key, "_raw") && m.val.kind == kindArray
}

// rawHex returns the hex strings of a raw-data member: one for
// [hex, offset, ...], several for an array of those.
func rawHex(v jsonValue) []string {
	if v.kind != kindArray || len(v.items) == 0 {
		return nil
	}
	if v.items[0].kind == kindString {
		return []string{v.items[0].str}
	}
	var out []string
	for _, it := range v.items {
		out = append(out, rawHex(it)...)
	}
	return out
}

// parse reads tshark's -T json output, a JSON array of packets, one packet
// at a time, and returns the SMPP PDUs in frame order and, within a frame,
// in stream order.
func parse(r io.Reader) ([]PDU, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, nil // no output at all: no packets
	}
	if err != nil {
		return nil, fmt.Errorf("tshark: reading JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("tshark: JSON output does not start with an array but %v", tok)
	}
	var out []PDU
	for n := 1; dec.More(); n++ {
		pkt, err := readValue(dec, 1)
		if err != nil {
			return out, fmt.Errorf("tshark: reading JSON packet %d: %w", n, err)
		}
		pdus, err := packetPDUs(pkt)
		if err != nil {
			return out, fmt.Errorf("tshark: packet %d: %w", n, err)
		}
		out = append(out, pdus...)
	}
	if _, err := dec.Token(); err != nil {
		return out, fmt.Errorf("tshark: reading JSON: %w", err)
	}
	return out, nil
}

// packetPDUs extracts the SMPP PDUs of one packet object,
// {"_source": {"layers": {...}}}.
func packetPDUs(pkt jsonValue) ([]PDU, error) {
	src, ok := pkt.get("_source")
	if !ok {
		return nil, errors.New(`no "_source" object`)
	}
	layers, ok := src.get("layers")
	if !ok || layers.kind != kindObject {
		return nil, errors.New(`no "_source.layers" object`)
	}
	var (
		frame    int
		stream   = -1
		ip, ipD  netip.Addr
		sp, dp   uint16
		raws     []string // smpp_raw values not yet matched with an smpp layer
		pdus     []PDU
		gotFrame bool
	)
	for _, m := range expand(layers.members) {
		switch {
		case m.key == "frame":
			s, ok := m.val.getString("frame.number")
			if !ok {
				return nil, errors.New("no frame.number")
			}
			n, err := strconv.Atoi(s)
			if err != nil {
				return nil, fmt.Errorf("bad frame.number %q", s)
			}
			frame, gotFrame = n, true
		case m.key == "ip" || m.key == "ipv6":
			// The last IP layer before TCP is the innermost one.
			if a, err := netip.ParseAddr(str(m.val, m.key+".src")); err == nil {
				ip = a
			}
			if a, err := netip.ParseAddr(str(m.val, m.key+".dst")); err == nil {
				ipD = a
			}
		case m.key == "tcp":
			if v, err := strconv.ParseUint(str(m.val, "tcp.srcport"), 10, 16); err == nil {
				sp = uint16(v)
			}
			if v, err := strconv.ParseUint(str(m.val, "tcp.dstport"), 10, 16); err == nil {
				dp = uint16(v)
			}
			if v, err := strconv.Atoi(str(m.val, "tcp.stream")); err == nil {
				stream = v
			}
		case m.key == "smpp_raw":
			raws = append(raws, rawHex(m.val)...)
		case m.key == "smpp" && m.val.kind == kindObject:
			if !gotFrame {
				return nil, errors.New("smpp layer before the frame layer")
			}
			p, err := newPDU(m.val)
			if err != nil {
				return nil, fmt.Errorf("frame %d: %w", frame, err)
			}
			p.Frame, p.Stream = frame, stream
			if ip.IsValid() {
				p.Src = netip.AddrPortFrom(ip, sp)
			}
			if ipD.IsValid() {
				p.Dst = netip.AddrPortFrom(ipD, dp)
			}
			if len(raws) > 0 {
				b, err := parseHexBytes(raws[0])
				if err != nil {
					return nil, fmt.Errorf("frame %d: bad smpp_raw: %w", frame, err)
				}
				p.Raw, raws = b, raws[1:]
			}
			pdus = append(pdus, p)
		case m.key == "_ws.malformed" && m.val.kind == kindObject:
			// tshark adds the malformed marker at the top of the tree right
			// after the PDU whose dissection threw.
			if len(pdus) > 0 {
				last := &pdus[len(pdus)-1]
				last.Malformed = true
				last.Expert = append(last.Expert, expertMessages(m.val)...)
			}
		}
	}
	return pdus, nil
}

// str returns the first string value of key in v, or "".
func str(v jsonValue, key string) string {
	s, _ := v.getString(key)
	return s
}

// expertMessages collects the _ws.expert.message values under v.
func expertMessages(v jsonValue) []string {
	var out []string
	for _, m := range expand(v.members) {
		switch {
		case m.key == "_ws.expert.message" && m.val.kind == kindString:
			out = append(out, m.val.str)
		case m.val.kind == kindObject:
			out = append(out, expertMessages(m.val)...)
		}
	}
	return out
}

// newPDU builds a PDU from one "smpp" layer object.
func newPDU(v jsonValue) (PDU, error) {
	p := PDU{Stream: -1, Fields: map[string]string{}}
	if err := p.walk(v.members, nil); err != nil {
		return PDU{}, err
	}
	return p, nil
}

// walk visits the members of an smpp tree in order. tlv is the optional
// parameter being filled, or nil outside "smpp.opt_param".
func (p *PDU) walk(ms []member, tlv *TLV) error {
	for _, m := range expand(ms) {
		if isRaw(m) {
			continue
		}
		switch m.val.kind {
		case kindObject:
			switch m.key {
			case "_ws.expert":
				p.Expert = append(p.Expert, expertMessages(m.val)...)
			case "smpp.opt_param":
				t := TLV{Fields: map[string]string{}}
				if err := p.walk(m.val.members, &t); err != nil {
					return err
				}
				p.TLVs = append(p.TLVs, t)
			default:
				// smpp.opt_params, smpp.dlist, smpp.dlist_resp, "X_tree"
				// subtrees and text-only labels: their fields belong to
				// this PDU.
				if err := p.walk(m.val.members, tlv); err != nil {
					return err
				}
			}
		case kindString:
			name, ok := strings.CutPrefix(m.key, "smpp.")
			if !ok {
				continue
			}
			if err := p.set(name, m.val.str, tlv); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *PDU) set(name, val string, tlv *TLV) error {
	p.All = append(p.All, Field{Name: name, Value: val})
	u32 := func(dst *uint32) error {
		v, err := parseUint(val, 32)
		if err != nil {
			return fmt.Errorf("bad smpp.%s %q", name, val)
		}
		*dst = uint32(v)
		return nil
	}
	switch name {
	case "command_length":
		return u32(&p.CommandLength)
	case "command_id":
		return u32(&p.CommandID)
	case "command_status":
		p.HasStatus = true
		return u32(&p.Status)
	case "sequence_number":
		return u32(&p.Seq)
	case "message_id":
		if !p.HasMessageID {
			p.MessageID, p.HasMessageID = val, true
		}
		return nil
	}
	if tlv != nil {
		switch name {
		case "opt_param_tag":
			v, err := parseUint(val, 16)
			if err != nil {
				return fmt.Errorf("bad smpp.opt_param_tag %q", val)
			}
			tlv.Tag = uint16(v)
			return nil
		case "opt_param_len":
			v, err := strconv.Atoi(val)
			if err != nil {
				return fmt.Errorf("bad smpp.opt_param_len %q", val)
			}
			tlv.Length = v
			return nil
		}
		if _, dup := tlv.Fields[name]; !dup {
			tlv.Fields[name] = val
		}
	}
	if _, dup := p.Fields[name]; !dup {
		p.Fields[name] = val
	}
	return nil
}
