package fuzz

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/internal/capgen"
	"smppdump.dev/smppdump/internal/smppgen"
	"smppdump.dev/smppdump/reassembly"
)

// pcapRecord is where one record of a pcap file lies: its 16-octet header
// at Start, its data up to End.
type pcapRecord struct{ Start, End int }

// pcapRecords indexes the records of a classic pcap file (either byte
// order); ok is false for other formats.
func pcapRecords(b []byte) (recs []pcapRecord, order binary.ByteOrder, ok bool) {
	if len(b) < 24 {
		return nil, nil, false
	}
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		order = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		order = binary.BigEndian
	default:
		return nil, nil, false
	}
	for off := 24; off+16 <= len(b); {
		end := off + 16 + int(order.Uint32(b[off+8:]))
		if end > len(b) {
			break
		}
		recs = append(recs, pcapRecord{off, end})
		off = end
	}
	return recs, order, true
}

// floodSession writes a short session on port 2775 from the given ESME
// port: bind, submit, receipt, unbind, each answered, and close.
func floodSession(t *testing.T, w *capgen.Writer, esmePort uint16, at time.Time) {
	t.Helper()
	s, err := smppgen.NewSession(w, netip.AddrPortFrom(netip.MustParseAddr("10.0.0.10"), esmePort), netip.MustParseAddrPort("10.0.0.1:2775"), at, false)
	if err != nil {
		t.Fatal(err)
	}
	src, dst := smppgen.Alpha("ACME"), smppgen.Intl("447700900123")
	bind := smppgen.Bind(decode.BindTransceiver, "acme", "secret", "", decode.V34)
	submit := smppgen.SubmitSM(smppgen.Message{Src: src, Dst: dst, Registered: 1, UserData: smppgen.MustGSM7(fmt.Sprintf("port %d", esmePort))})
	id := fmt.Sprintf("%08x", esmePort)
	rcpt := smppgen.Receipt(src, dst, id, "DELIVRD", "000", at, at.Add(time.Second), "")
	unbind := decode.New(decode.Unbind, 0, 0)
	steps := []struct {
		esme bool
		pdu  func() *decode.PDU
	}{
		{true, func() *decode.PDU { return bind }},
		{false, func() *decode.PDU { return smppgen.BindResp(bind, decode.StatusOK, "SMSC", decode.V34) }},
		{true, func() *decode.PDU { return submit }},
		{false, func() *decode.PDU { return smppgen.Resp(submit, decode.StatusOK, id) }},
		{false, func() *decode.PDU { return rcpt }},
		{true, func() *decode.PDU { return smppgen.Resp(rcpt, decode.StatusOK, "") }},
		{true, func() *decode.PDU { return unbind }},
		{false, func() *decode.PDU { return smppgen.Resp(unbind, decode.StatusOK, "") }},
	}
	for _, st := range steps {
		s.Wait(2 * time.Millisecond)
		send := s.SMSC
		if st.esme {
			send = s.ESME
		}
		if _, err := send(st.pdu()); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(true); err != nil {
		t.Fatal(err)
	}
}

// TestHostileSYNFlood: 100,000 connections that only send a SYN (half to
// the SMPP port, half to other ports, where the heuristic would have to
// look at them), with real sessions before, in the middle of and after the
// flood. The flood spans 50 s of capture time, so nothing is idle long
// enough to be flushed on time alone.
func TestHostileSYNFlood(t *testing.T) {
	const syns = 100_000
	path := filepath.Join(t.TempDir(), "synflood.pcap")
	write := func(flood bool) []byte {
		var buf bytes.Buffer
		f := bufio.NewWriterSize(&buf, 1<<20)
		w, err := capgen.NewWriter(f, capgen.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ts := fuzzT0
		floodSession(t, w, 40001, ts)
		server := netip.MustParseAddrPort("10.0.0.1:2775")
		for i := range syns {
			if i == syns/2 {
				floodSession(t, w, 40002, ts)
			}
			ts = ts.Add(500 * time.Microsecond)
			if !flood {
				continue
			}
			client := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(100 + i>>16), byte(i >> 8), byte(i)}), uint16(1024+i%50_000))
			dst := server
			if i%2 == 1 {
				dst = netip.AddrPortFrom(server.Addr(), uint16(3000+i%20_000))
			}
			seg := capgen.Segment{Time: ts, FromClient: true, Seq: uint32(i) * 2654435761, Flags: capgen.SYN, Window: 64240, MSS: 1460}
			if _, err := w.WriteSegment(client, dst, seg); err != nil {
				t.Fatal(err)
			}
		}
		floodSession(t, w, 40003, ts.Add(time.Millisecond))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.Flush(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	clean := runPipeline(t, []string{"-"}, write(false), smppOptions(), pipeOpts{keep: true})
	if len(clean.PDUs) != 3*8 {
		t.Fatalf("clean run: %d PDUs, want 24", len(clean.PDUs))
	}
	start := time.Now()
	if err := os.WriteFile(path, write(true), 0o644); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	t.Logf("wrote %d SYNs (%.1f MiB) in %v", syns, mib(uint64(st.Size())), time.Since(start).Round(time.Millisecond))
	var got *outcome
	m := measure(func() { got = runPipeline(t, []string{path}, nil, smppOptions(), pipeOpts{keep: true}) })
	// Connections known only by their SYN cost a small record each, at
	// most Options.MaxHalfOpen of them (34 MiB at the time of writing; 206
	// MiB when each was a tracked connection).
	bound(t, "pipeline", m, 96, 512, 60*time.Second)
	t.Logf("stats: %d packets, %d connections, %d SMPP streams, %d dropped at the limit, %d handshake-only connections evicted",
		got.Stats.Packets, got.Stats.Connections, got.Stats.Streams, got.Stats.StreamsDropped, got.Stats.HalfOpenEvicted)
	if got.Stats.StreamsDropped > 0 {
		t.Errorf("%d connections dropped at Options.MaxStreams: handshake-only connections must not fill it", got.Stats.StreamsDropped)
	}
	if want := int64(syns - reassembly.DefaultMaxHalfOpen); got.Stats.HalfOpenEvicted < want {
		t.Errorf("%d handshake-only connections evicted, want at least %d (Options.MaxHalfOpen %d)", got.Stats.HalfOpenEvicted, want, reassembly.DefaultMaxHalfOpen)
	}
	requireAllDelivered(t, clean, got)
}

// halfOpenCapture writes ten connections that only send a SYN, then one
// complete SMPP session on port 2775 (the reduced form of
// TestHostileSYNFlood: run it with Options.MaxStreams 10).
func halfOpenCapture(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := capgen.NewWriter(&buf, capgen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := fuzzT0
	server := netip.MustParseAddrPort("10.0.0.1:2775")
	for i := range 10 {
		ts = ts.Add(time.Millisecond)
		client := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 9, 0, byte(i)}), uint16(1024+i))
		seg := capgen.Segment{Time: ts, FromClient: true, Seq: uint32(i) * 2654435761, Flags: capgen.SYN, Window: 64240, MSS: 1460}
		if _, err := w.WriteSegment(client, server, seg); err != nil {
			t.Fatal(err)
		}
	}
	floodSession(t, w, 40003, ts.Add(time.Second))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestHalfOpenConnectionsDoNotFillMaxStreams: connections that never get
// past their SYN do not count against Options.MaxStreams (they are kept,
// under their own budget Options.MaxHalfOpen, until their first data), so
// a session that follows ten of them is delivered in full with MaxStreams
// 10. Reduced from TestHostileSYNFlood; it used to fail (found by that
// test): SYN-only connections were tracked until Options.FlushIdle, and a
// SYN flood kept every later connection out.
func TestHalfOpenConnectionsDoNotFillMaxStreams(t *testing.T) {
	capture, err := os.ReadFile(filepath.Join("testdata", "known", "half-open-maxstreams-10.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	o := smppOptions()
	o.MaxStreams = 10
	got := runPipeline(t, []string{"-"}, capture, o, pipeOpts{keep: true})
	if len(got.PDUs) != 8 || got.Stats.StreamsDropped != 0 {
		t.Fatalf("%d of the session's 8 PDUs reported, %d connections dropped; problems %v", len(got.PDUs), got.Stats.StreamsDropped, got.Problems)
	}
	// With a budget of 4 handshake-only connections, the 7 oldest of the
	// 11 go (the session's SYN is the 11th), and the session is whole.
	o.MaxHalfOpen = 4
	got = runPipeline(t, []string{"-"}, capture, o, pipeOpts{keep: true})
	if len(got.PDUs) != 8 || got.Stats.HalfOpenEvicted != 7 {
		t.Fatalf("MaxHalfOpen 4: %d PDUs, %d evicted (want 8, 7)", len(got.PDUs), got.Stats.HalfOpenEvicted)
	}
}

// TestHostileTruncatedRecord: a capture cut in the middle of a record,
// inside its header and inside its data. The run reports a problem that
// names the file and the last good frame, and delivers every PDU whose
// frames all precede the damage.
func TestHostileTruncatedRecord(t *testing.T) {
	demo, err := os.ReadFile(filepath.Join(repoDir(t), "pcaps", "demo.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	recs, _, ok := pcapRecords(demo)
	if !ok || len(recs) < 10 {
		t.Fatal("pcaps/demo.pcap is not a pcap file with records")
	}
	clean := runPipeline(t, []string{"-"}, demo, smppOptions(), pipeOpts{keep: true})
	k := len(recs) / 2 // the damaged record's index; its frame number is k+1
	for _, c := range []struct {
		name string
		cut  int
	}{
		{"inside the record header", recs[k].Start + 7},
		{"inside the record data", (recs[k].Start + 16 + recs[k].End) / 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cut.pcap")
			if err := os.WriteFile(path, demo[:c.cut], 0o644); err != nil {
				t.Fatal(err)
			}
			var got *outcome
			m := measure(func() { got = runPipeline(t, []string{path}, nil, smppOptions(), pipeOpts{keep: true}) })
			bound(t, "pipeline", m, 32, 64, 10*time.Second)
			i := slices.IndexFunc(got.Problems, func(p reassembly.Problem) bool { return errors.Is(p.Err, reassembly.ErrTruncatedFile) })
			if i < 0 {
				t.Fatalf("no truncation problem among %v", got.Problems)
			}
			p := got.Problems[i]
			msg := p.Error()
			t.Logf("problem: %s", msg)
			if p.File != path || !strings.Contains(msg, path) || !strings.Contains(msg, fmt.Sprintf("frame %d", k)) {
				t.Errorf("the problem does not name the file and the last good frame %d: %q (File %q, Frame %d)", k, msg, p.File, p.Frame)
			}
			want, have := 0, map[string]bool{}
			for _, q := range got.PDUs {
				have[q.key()] = true
				if q.Frame > k {
					t.Errorf("PDU at frame %d, after the damage", q.Frame)
				}
			}
			for _, q := range clean.PDUs {
				if slices.Max(q.Frames) <= k {
					want++
					if !have[q.key()] {
						t.Errorf("PDU of frame %d (before the damage) not reported", q.Frame)
					}
				}
			}
			if want < 10 {
				t.Fatalf("only %d PDUs before the damage: pick another record", want)
			}
		})
	}
}

// TestHostileHugeSnaplen: a pcap header claiming a 4 GiB snap length, and
// a record claiming a 2 GiB packet at the end of the file (with 100 octets
// of it present), must not make the reader allocate by those numbers; the
// packets before are all read. The pcapng equivalent: an interface with a
// 4 GiB snap length and a block claiming 4 GiB.
func TestHostileHugeSnaplen(t *testing.T) {
	demo, err := os.ReadFile(filepath.Join(repoDir(t), "pcaps", "demo.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	clean := runPipeline(t, []string{"-"}, demo, smppOptions(), pipeOpts{keep: true})
	huge := slices.Clone(demo)
	binary.LittleEndian.PutUint32(huge[16:], 0xFFFFFFFF) // snaplen
	lying := binary.LittleEndian.AppendUint32(slices.Clone(huge), uint32(fuzzT0.Unix()+3600))
	lying = binary.LittleEndian.AppendUint32(lying, 0)          // microseconds
	lying = binary.LittleEndian.AppendUint32(lying, 0x7FFFFFF0) // captured length
	lying = binary.LittleEndian.AppendUint32(lying, 0x7FFFFFF0) // original length
	lying = append(lying, make([]byte, 100)...)

	ng := pcapngSession(t)
	ngClean := runPipeline(t, []string{"-"}, ng, smppOptions(), pipeOpts{keep: true})
	if len(ngClean.PDUs) == 0 {
		t.Fatal("the pcapng session has no PDUs")
	}
	ngHuge := pcapngHugeSnaplen(t, ng)
	ngLying := slices.Clone(ngHuge)
	ngLying = binary.LittleEndian.AppendUint32(ngLying, 6)          // enhanced packet block
	ngLying = binary.LittleEndian.AppendUint32(ngLying, 0xFFFFFFF0) // block total length
	ngLying = binary.LittleEndian.AppendUint32(ngLying, 0)          // interface
	ngLying = binary.LittleEndian.AppendUint64(ngLying, 0)          // timestamp
	ngLying = binary.LittleEndian.AppendUint32(ngLying, 0xFFFFFF00) // captured length
	ngLying = binary.LittleEndian.AppendUint32(ngLying, 0xFFFFFF00) // original length
	ngLying = append(ngLying, make([]byte, 100)...)

	for _, c := range []struct {
		name    string
		capture []byte
		clean   *outcome
		damaged bool
	}{
		{"pcap snaplen 0xFFFFFFFF", huge, clean, false},
		{"pcap record of 2 GiB", lying, clean, true},
		{"pcapng snaplen 0xFFFFFFFF", ngHuge, ngClean, false},
		{"pcapng block of 4 GiB", ngLying, ngClean, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := hostileRun(t, "pipeline", c.capture, 32, 64, 10*time.Second)
			requireAllDelivered(t, c.clean, got)
			if c.damaged != (len(got.Problems) > 0) {
				t.Errorf("problems: %v", got.Problems)
			}
			for _, p := range got.Problems {
				t.Logf("problem: %v", p.Error())
			}
		})
	}
}

// pcapngSession writes the hostileSession exchange as pcapng.
func pcapngSession(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := capgen.NewWriter(&buf, capgen.Options{Format: capgen.PCAPNG})
	if err != nil {
		t.Fatal(err)
	}
	floodSession(t, w, 40009, fuzzT0)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pcapngHugeSnaplen sets the snap length of the first interface of a
// little-endian pcapng file to 0xFFFFFFFF.
func pcapngHugeSnaplen(t *testing.T, ng []byte) []byte {
	t.Helper()
	b := slices.Clone(ng)
	if binary.LittleEndian.Uint32(b) != 0x0A0D0D0A || binary.LittleEndian.Uint32(b[8:]) != 0x1A2B3C4D {
		t.Fatal("not a little-endian pcapng file")
	}
	idb := int(binary.LittleEndian.Uint32(b[4:])) // after the section header block
	if binary.LittleEndian.Uint32(b[idb:]) != 1 {
		t.Fatal("the second block is not an interface description")
	}
	binary.LittleEndian.PutUint32(b[idb+12:], 0xFFFFFFFF) // type, length, link type, reserved, snaplen
	return b
}

// corrupt returns a copy of b with about rate of the octets in [from, to)
// ranges replaced by different random values, and the indexes of the
// records it touched (1-based frame numbers, when recs is given).
func corrupt(b []byte, r *rand.Rand, rate float64, ranges [][2]int, recs []pcapRecord) ([]byte, map[int]bool) {
	out := slices.Clone(b)
	damaged := map[int]bool{}
	for _, rg := range ranges {
		for i := rg[0]; i < rg[1]; i++ {
			if r.Float64() >= rate {
				continue
			}
			out[i] ^= byte(1 + r.IntN(255))
			if recs != nil {
				if k, found := slices.BinarySearchFunc(recs, i, func(rc pcapRecord, i int) int {
					switch {
					case rc.End <= i:
						return -1
					case rc.Start > i:
						return 1
					}
					return 0
				}); found {
					damaged[k+1] = true
				}
			}
		}
	}
	return out, damaged
}

// corruptionPorts are the server ports of the captures, as a user would
// give them with -p, so that damage to a connection's first PDUs does not
// also hide it from the heuristic.
var corruptionPorts = []uint16{2775, 9000, 4001, 7778, 12028, 12041, 12042, 14010, 14011}

// TestHostileCorruption damages 2% of the octets of every capture in pcaps/,
// shared/pcaps/public (when present) and the generated ones, with a seeded
// mutator (five seeds each), and runs the pipeline on each: no panic,
// completion, bounded memory, valid JSON.
//
// "Undamaged PDUs are still reported" is measured on pcap files, where the
// records can be told apart: an undamaged PDU is one of the clean run whose
// frames (record header and data) were all left alone. It counts as found
// when the damaged run delivers the same bytes in the same direction at the
// same frame, or within four frames (captures such as smpp_loss hold each
// packet two or three times, and damage may change which copy is kept).
// Two models of damage:
//
//   - packets: the damage hits packet data only (link, IP and TCP headers
//     and payload), not the file's framing: a capture of a damaged wire.
//     Damage upstream in a stream can still cost an undamaged PDU (a bad
//     command_length makes the framer resynchronise past it; a bad sequence
//     number opens a hole), so the bound is on the total over all files and
//     seeds: at least 60% of the undamaged PDUs (about 75% at the time of
//     writing), and 85% of those whose direction of the connection is
//     undamaged up to them (about 90%).
//   - file: the damage hits every octet after the file header, record
//     headers included. The reader resynchronises after a damaged record
//     header (see TestDamagedRecordHeaderResynchronises); the bound is that
//     at least 70% of the undamaged PDUs after the first damaged record are
//     found (about 90% at the time of writing, 75% without the public
//     captures; 9% when a damaged header ended the file).
func TestHostileCorruption(t *testing.T) {
	type tally struct{ undamaged, found, prefix, prefixFound int }
	var total [2]tally
	o := smppOptions()
	o.Ports = corruptionPorts
	for _, c := range seedCaptures(t) {
		clean := runPipeline(t, []string{"-"}, c.Data, o, pipeOpts{keep: true})
		recs, _, isPcap := pcapRecords(c.Data)
		name := filepath.Base(c.Name)
		for model, label := range []string{"packets", "file"} {
			var ranges [][2]int
			switch {
			case model == 0 && isPcap:
				for _, rc := range recs {
					ranges = append(ranges, [2]int{rc.Start + 16, rc.End})
				}
			case model == 0:
				continue // no record index: the file model only
			default:
				ranges = [][2]int{{24, len(c.Data)}}
			}
			for seed := uint64(1); seed <= 5; seed++ {
				r := rand.New(rand.NewPCG(seed, 0x5eed))
				damaged, frames := corrupt(c.Data, r, 0.02, ranges, recs)
				var got *outcome
				m := measure(func() { got = runPipeline(t, []string{"-"}, damaged, o, pipeOpts{keep: true, text: true}) })
				bound(t, fmt.Sprintf("%s, %s damage, seed %d", name, label, seed), m, 64, 512, 20*time.Second)
				checkText(t, got.Text)
				checkText(t, got.Verbose)
				if !isPcap {
					continue
				}
				firstBad := len(recs) + 1 // the first record whose header was damaged
				if model == 1 {
					for i, rc := range recs {
						if !bytes.Equal(c.Data[rc.Start:rc.Start+16], damaged[rc.Start:rc.Start+16]) {
							firstBad = i + 1
							break
						}
					}
				}
				tl := tallyFound(clean, got, frames, firstBad, model == 1)
				total[model].undamaged += tl[0]
				total[model].found += tl[1]
				total[model].prefix += tl[2]
				total[model].prefixFound += tl[3]
			}
		}
	}
	pct := func(a, b int) float64 { return 100 * float64(a) / float64(max(b, 1)) }
	p := total[0]
	t.Logf("packet damage: %d of %d undamaged PDUs found (%.0f%%); %d of %d with an undamaged stream before them (%.0f%%)",
		p.found, p.undamaged, pct(p.found, p.undamaged), p.prefixFound, p.prefix, pct(p.prefixFound, p.prefix))
	if p.undamaged < 100 {
		t.Fatalf("only %d undamaged PDUs: too few to judge", p.undamaged)
	}
	if pct(p.found, p.undamaged) < 80 || pct(p.prefixFound, p.prefix) < 95 {
		t.Errorf("packet damage: too few undamaged PDUs reported")
	}
	f := total[1]
	t.Logf("file damage: %d of %d undamaged PDUs after the first damaged record header found (%.0f%%)", f.found, f.undamaged, pct(f.found, f.undamaged))
	if pct(f.found, f.undamaged) < 70 {
		t.Errorf("file damage: too few undamaged PDUs after the first damaged record header reported: the reader must resynchronise")
	}
}

// damagedHeaderCapture returns a short session whose fifth record header
// says more octets were captured than the packet had (caplen > origlen).
func damagedHeaderCapture(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := capgen.NewWriter(&buf, capgen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	floodSession(t, w, 40004, fuzzT0)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	recs, _, _ := pcapRecords(b)
	binary.LittleEndian.PutUint32(b[recs[4].Start+12:], 1) // original length 1
	return b
}

// TestDamagedRecordHeaderResynchronises: one damaged pcap record header
// (here the fifth says its packet had 1 octet, fewer than captured) costs
// that record, not the rest of the file: the reader looks for the next
// plausible chain of records, reports one problem that names the file, the
// last good frame, the offset of the damage and the octets skipped, and
// goes on. Reduced from TestHostileCorruption; it used to fail: the reader
// stopped at the damage ("capture file truncated or damaged").
func TestDamagedRecordHeaderResynchronises(t *testing.T) {
	capture, err := os.ReadFile(filepath.Join("testdata", "known", "damaged-record-header.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	recs, _, ok := pcapRecords(capture)
	if !ok || len(recs) < 6 {
		t.Fatal("testdata/known/damaged-record-header.pcap is not a pcap file with records")
	}
	got := runPipeline(t, []string{"-"}, capture, smppOptions(), pipeOpts{keep: true})
	// Frame 5 (the bind_transceiver_resp's ACK) is lost; the PDUs, from
	// frame 6 on, are intact, at the frames they have in the undamaged file.
	repaired := slices.Clone(capture)
	binary.LittleEndian.PutUint32(repaired[recs[4].Start+12:], binary.LittleEndian.Uint32(repaired[recs[4].Start+8:]))
	clean := runPipeline(t, []string{"-"}, repaired, smppOptions(), pipeOpts{keep: true})
	if len(got.PDUs) != 8 || len(clean.PDUs) != 8 {
		t.Fatalf("%d of the session's 8 PDUs reported (%d undamaged); problems %v", len(got.PDUs), len(clean.PDUs), got.Problems)
	}
	for i, p := range got.PDUs {
		if q := clean.PDUs[i]; p.key() != q.key() {
			t.Errorf("PDU %d at frame %d (%x), want frame %d (%x)", i, p.Frame, p.Data[:16], q.Frame, q.Data[:16])
		}
	}
	if len(got.Problems) != 1 {
		t.Fatalf("problems %v, want one", got.Problems)
	}
	p := got.Problems[0]
	msg := p.Error()
	damage, skipped := recs[4].Start, recs[4].End-recs[4].Start
	for _, s := range []string{"-: ", "after frame 4", fmt.Sprintf("offset %d", damage), fmt.Sprintf("skipped %d octets", skipped)} {
		if !strings.Contains(msg, s) {
			t.Errorf("problem %q does not say %q", msg, s)
		}
	}
	if !errors.Is(p.Err, reassembly.ErrDamagedFile) || p.Frame != 4 || p.File != "-" {
		t.Errorf("problem %+v: want ErrDamagedFile at frame 4 of -", p)
	}
	if got.Stats.CaptureBytesSkipped != int64(skipped) {
		t.Errorf("Stats.CaptureBytesSkipped %d, want %d", got.Stats.CaptureBytesSkipped, skipped)
	}
}

// junkFirstCapture writes a session on port 2775, with its handshake, whose
// ESME first sends 3000 octets of 0xEE and then an enquire_link that the
// SMSC answers (the reduced form: run it with Options.MaxPDU 1024, which
// makes reassembly's probe hold at most 2*1024+32 octets).
func junkFirstCapture(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := capgen.NewWriter(&buf, capgen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := smppgen.NewSession(w, netip.MustParseAddrPort("10.0.0.10:40001"), netip.MustParseAddrPort("10.0.0.1:2775"), fuzzT0, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Raw(true, bytes.Repeat([]byte{0xEE}, 3000)); err != nil {
		t.Fatal(err)
	}
	el := decode.New(decode.EnquireLink, 0, 0)
	if _, err := s.ESME(el); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SMSC(smppgen.Resp(el, decode.StatusOK, "")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestJunkFirstOnListedPortIsAGap: a connection on a listed SMPP port whose
// first 2*MaxPDU+32 octets (135 KiB by default) hold no plausible header
// stays SMPP: the junk is one "resync" gap with its octet count, and the
// valid PDUs after it are framed. It used to fail: reassembly's probe
// rejected the connection as not SMPP, silently dropping its later PDUs
// (only Stats.NonSMPPConns counted it).
func TestJunkFirstOnListedPortIsAGap(t *testing.T) {
	capture, err := os.ReadFile(filepath.Join("testdata", "known", "junk-first-listed-port.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	o := smppOptions()
	o.MaxPDU = 1024
	got := runPipeline(t, []string{"-"}, capture, o, pipeOpts{keep: true})
	if len(got.PDUs) != 2 || len(got.Gaps) != 1 {
		t.Fatalf("%d PDUs (want the enquire_link and its response), %d gaps (want one for the junk); stats %+v", len(got.PDUs), len(got.Gaps), got.Stats)
	}
	if g := got.Gaps[0]; g.Reason != reassembly.ReasonResync || g.Bytes != 3000 || g.Dir != reassembly.DirClientToServer {
		t.Errorf("gap %+v: want 3000 octets, resync, c>s", g)
	}
	if got.Stats.Streams != 1 || got.Stats.NonSMPPConns != 0 {
		t.Errorf("%d SMPP streams, %d non-SMPP connections: want 1, 0", got.Stats.Streams, got.Stats.NonSMPPConns)
	}
}

// tallyFound counts, for one damaged run, the undamaged PDUs of the clean
// run and those found again: all of them, and those whose direction of the
// connection carried no damaged frame up to them. With afterOnly, only the
// PDUs after frame firstBad count, and the prefix counts are not kept.
func tallyFound(clean, got *outcome, damaged map[int]bool, firstBad int, afterOnly bool) [4]int {
	type dirKey struct {
		stream int
		dir    reassembly.Dir
	}
	byData := map[string][]int{} // dir+bytes -> frames where delivered
	for _, p := range got.PDUs {
		k := fmt.Sprintf("%s %x", p.Dir, p.Data)
		byData[k] = append(byData[k], p.Frame)
	}
	var n [4]int
	bad := map[dirKey]bool{}
	for _, p := range clean.PDUs {
		dk := dirKey{p.Stream, p.Dir}
		hit := slices.ContainsFunc(p.Frames, func(f int) bool { return damaged[f] || f >= firstBad })
		if afterOnly {
			hit = slices.ContainsFunc(p.Frames, func(f int) bool { return damaged[f] }) || p.Frames[0] <= firstBad
		}
		if hit {
			bad[dk] = true
			continue
		}
		found := slices.ContainsFunc(byData[fmt.Sprintf("%s %x", p.Dir, p.Data)], func(f int) bool { return f >= p.Frame-4 && f <= p.Frame+4 })
		n[0]++
		if found {
			n[1]++
		}
		if !afterOnly && !bad[dk] {
			n[2]++
			if found {
				n[3]++
			}
		}
	}
	return n
}
