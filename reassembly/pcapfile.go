package reassembly

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// Reading capture files, and resynchronising after damage.
//
// Both readers read through a lookahead window, so that a record is read
// in place and, after a damaged record header (pcap) or block (pcapng),
// candidate offsets can be tried before anything is consumed. A damaged
// header is one whose lengths cannot be right (a captured length above the
// snap length or the packet's length; a block whose total length differs
// at its two ends). The reader then scans forward, octet by octet, for the
// first offset where a record passes every check there is (lengths, a
// timestamp near the last good one, packet bytes that parse as the link
// type) and is followed by a sane header or the end of the file, skips to
// it and notes the damage (fileDamage), which Run reports as one Problem.
// Frame numbers stay in step with the file's records: the records in the
// skipped octets are counted, by following their lengths where they hold
// and from the mean record size where they do not. Damage that leaves no
// valid record before the end of the file is reported as a truncated file,
// as a file cut short is.
//
// A record whose lengths are sane but whose timestamp is far from the
// last good record's (or whose fraction is out of range) is taken when the
// next header confirms where it ends: as it is when the next timestamp is
// near its own (the capture's clock jumped), with the last good record's
// time when the next is near that one (its timestamp was damaged; noted).

// fileDamage describes damage found in a capture file before a record.
type fileDamage struct {
	offset  int64  // offset of the damaged header or block, in the (uncompressed) file
	skipped int64  // octets skipped from there
	records int    // records (pcap) or packet blocks (pcapng) among them, counted or estimated
	unit    string // "record" or "block"
	what    string // what was wrong with it
	retimed bool   // the record kept, with the time of the one before it
}

// note adds n octets skipped at offset off, holding about k records, a
// unit damaged as what says, to d.
func (d *fileDamage) note(off, n int64, k int, unit, what string) {
	if d.what == "" {
		d.offset, d.unit, d.what = off, unit, what
	}
	d.skipped += n
	d.records += k
}

// String describes the damage for a Problem.
func (d fileDamage) String() string {
	if d.retimed && d.skipped == 0 {
		return fmt.Sprintf("damaged %s at offset %d (%s); it is read with the time of the %s before it", d.unit, d.offset, d.what, d.unit)
	}
	units := d.unit + "s"
	if d.records == 1 {
		units = d.unit
	}
	return fmt.Sprintf("damaged %s at offset %d (%s); skipped %d octets (%d %s) to the next valid %s",
		d.unit, d.offset, d.what, d.skipped, d.records, units, d.unit)
}

// take moves the damage noted since the last call to out and returns it,
// or returns nil when there is none (the usual case: nothing copied).
func (d *fileDamage) take(out *fileDamage) *fileDamage {
	if d.what == "" {
		return nil
	}
	*out, *d = *d, fileDamage{}
	return out
}

const (
	// pcapMaxCaptureLen is the captured length that a pcap record may have
	// whatever its snap length (libpcap's MAXIMUM_SNAPLEN, as pcapgo).
	pcapMaxCaptureLen = 262144
	// recordMax bounds a record's captured length (pcap) and a block's
	// length (pcapng): larger ones are damage, whatever the file says.
	recordMax = 4 << 20
	// resyncMaxOrig bounds the original length of a candidate record.
	resyncMaxOrig = 1 << 20
	// resyncMaxJump is how far (in seconds) a candidate record's timestamp
	// may be from the last good record's, and a record's from its
	// neighbours' without being odd.
	resyncMaxJump = 24 * 60 * 60
	// resyncKeep bounds the octets kept while scanning, to count the
	// records among them; past it they are dropped and estimated.
	resyncKeep = 1 << 20
	// countMax bounds the octets whose records are counted one by one.
	countMax = 64 << 10
)

// recordStats is the running mean size of the records read, to estimate
// how many records damaged octets held.
type recordStats struct{ n, octets int64 }

func (s *recordStats) add(n int) { s.n++; s.octets += int64(n) }

// estimate returns the records that n octets probably held, at least one.
func (s *recordStats) estimate(n int64) int {
	if s.n == 0 || n <= 0 {
		return 1
	}
	mean := s.octets / s.n
	return int(max(1, min((n+mean/2)/max(mean, 1), 1<<30)))
}

// pcapReader reads a classic pcap file.
type pcapReader struct {
	la       lookahead
	order    binary.ByteOrder
	nano     bool   // nanosecond timestamps
	snaplen  uint32 // from the file header
	maxCap   int    // captured lengths above are damage
	candCap  int    // captured lengths above are not a candidate after damage
	link     layers.LinkType
	last     int64     // seconds of the last good record
	lastTime time.Time // its time
	hasLast  bool
	sizes    recordStats
	damage   fileDamage
	taken    fileDamage // what damaged returned last
}

// pcapHeader is a record header.
type pcapHeader struct {
	sec, frac, capLen, origLen uint32
}

// newPcapReader reads the file header of r.
func newPcapReader(name string, r io.Reader) (*pcapReader, error) {
	p := &pcapReader{la: lookahead{r: r}}
	b := p.la.peek(24)
	if len(b) < 24 {
		if _, err := p.la.ended(); err != nil {
			return nil, fmt.Errorf("reassembly: %s: %w", name, err)
		}
		return nil, fmt.Errorf("%s: %w: pcap: file header of %d bytes", name, ErrFormat, len(b))
	}
	switch binary.LittleEndian.Uint32(b) {
	case magicPcapMicro:
		p.order = binary.LittleEndian
	case magicPcapNano:
		p.order, p.nano = binary.LittleEndian, true
	case magicPcapMicroSwp:
		p.order = binary.BigEndian
	case magicPcapNanoSwp:
		p.order, p.nano = binary.BigEndian, true
	default:
		return nil, fmt.Errorf("%s: %w (starts with %08x)", name, ErrFormat, binary.LittleEndian.Uint32(b))
	}
	if major, minor := p.order.Uint16(b[4:]), p.order.Uint16(b[6:]); major != 2 || minor != 4 {
		return nil, fmt.Errorf("%s: %w: pcap: unknown version %d.%d", name, ErrFormat, major, minor)
	}
	p.snaplen = p.order.Uint32(b[16:])
	p.link = layers.LinkType(p.order.Uint32(b[20:])) // the low 16 bits: the upper ones carry FCS information
	p.maxCap = max(pcapMaxCaptureLen, int(min(p.snaplen, recordMax)))
	p.candCap = pcapMaxCaptureLen
	if p.snaplen > 0 && p.snaplen < pcapMaxCaptureLen {
		p.candCap = int(p.snaplen)
	}
	p.la.discard(24)
	return p, nil
}

// header decodes the record header b starts with. It reads little-endian
// and swaps for a big-endian file, rather than through p.order: an
// interface call per field of every record costs more than the rest.
func (p *pcapReader) header(b []byte) pcapHeader {
	le := binary.LittleEndian
	_ = b[15]
	h := pcapHeader{le.Uint32(b), le.Uint32(b[4:]), le.Uint32(b[8:]), le.Uint32(b[12:])}
	if p.order == binary.BigEndian {
		h = pcapHeader{bits.ReverseBytes32(h.sec), bits.ReverseBytes32(h.frac), bits.ReverseBytes32(h.capLen), bits.ReverseBytes32(h.origLen)}
	}
	return h
}

// lengthsOK reports whether h's lengths can be right; lengthsWrong says
// why not. It is inlined, for every record.
func (p *pcapReader) lengthsOK(h pcapHeader) bool {
	return int64(h.capLen) <= int64(p.maxCap) && h.capLen <= h.origLen
}

// lengthsWrong says what is wrong with h's lengths, or "".
func (p *pcapReader) lengthsWrong(h pcapHeader) string {
	switch {
	case int64(h.capLen) > int64(p.maxCap):
		return fmt.Sprintf("captured length %d above the largest record read, %d (snap length %d)", h.capLen, p.maxCap, p.snaplen)
	case h.capLen > h.origLen:
		return fmt.Sprintf("captured length %d above the packet's length %d", h.capLen, h.origLen)
	}
	return ""
}

func (p *pcapReader) fracOK(h pcapHeader) bool {
	if p.nano {
		return h.frac < 1e9
	}
	return h.frac < 1e6
}

func (p *pcapReader) time(sec, frac uint32) time.Time {
	ns := int64(frac)
	if !p.nano {
		ns *= 1000
	}
	return time.Unix(int64(sec), ns).UTC()
}

func far(a, b int64) bool { return a-b > resyncMaxJump || b-a > resyncMaxJump }

// read implements recordReader. Damage found before the record is noted
// in p.damage, and handed on in rec.damage.
func (p *pcapReader) read(rec *record) error {
	for {
		b := p.la.peek(16)
		if len(b) < 16 {
			if _, err := p.la.ended(); err != nil {
				return p.fail(rec, err)
			}
			if len(b) == 0 {
				return p.fail(rec, io.EOF)
			}
			return p.fail(rec, io.ErrUnexpectedEOF) // inside a record header
		}
		h := p.header(b)
		why := ""
		if !p.lengthsOK(h) {
			why = p.lengthsWrong(h)
		}
		retime := false
		if why == "" && (!p.fracOK(h) || p.hasLast && far(int64(h.sec), p.last)) {
			retime, why = p.oddTime(h)
		}
		if why != "" {
			if err := p.resync(why); err != nil {
				return p.fail(rec, err)
			}
			continue
		}
		n := 16 + int(h.capLen)
		if len(b) < n { // the window usually holds the whole record already
			b = p.la.peek(n)
		}
		if len(b) < n {
			if _, err := p.la.ended(); err != nil {
				return p.fail(rec, err)
			}
			// Cut inside the record's data, or a damaged length that
			// runs past the end: only a valid record after it tells.
			if p.resync(fmt.Sprintf("captured length %d, past the end of the file", h.capLen)) != nil {
				return p.fail(rec, io.ErrUnexpectedEOF)
			}
			continue
		}
		if !framePlausible(p.link, b[16:n], int(h.origLen)) && !p.nextSane(h, n) {
			// The packet inside does not match the record's lengths, and
			// no record follows where they say: a damaged length.
			if err := p.resync(fmt.Sprintf("captured length %d, original length %d: not the packet's", h.capLen, h.origLen)); err != nil {
				return p.fail(rec, err)
			}
			continue
		}
		ts := p.time(h.sec, h.frac)
		switch {
		case retime && p.hasLast && far(int64(h.sec), p.last):
			p.damage.note(p.la.off, 0, 0, "record", fmt.Sprintf("timestamp %v out of place", ts.Format(time.RFC3339Nano)))
			p.damage.retimed = true
			ts = p.lastTime
		case retime:
			p.damage.note(p.la.off, 0, 0, "record", fmt.Sprintf("timestamp fraction %d out of range", h.frac))
			p.damage.retimed = true
			ts = p.time(h.sec, 0)
		}
		p.la.discard(n)
		p.sizes.add(n)
		p.last, p.lastTime, p.hasLast = ts.Unix(), ts, true
		// Field by field: a composite literal is built aside and copied.
		ci := &rec.ci
		ci.Timestamp, ci.CaptureLength, ci.Length = ts, int(h.capLen), int(h.origLen)
		ci.InterfaceIndex, ci.AncillaryData = 0, nil
		rec.data, rec.link, rec.damage = b[16:n:n], p.link, p.damage.take(&p.taken)
		return nil
	}
}

// fail ends read with err, handing on the damage noted before it.
func (p *pcapReader) fail(rec *record, err error) error {
	rec.damage = p.damage.take(&p.taken)
	return err
}

// oddTime decides on h, a record header with sane lengths but an odd
// timestamp (its fraction out of range, or far from the last good
// record's): the capture's clock may have jumped, its timestamp may be
// damaged, or it may be bytes of a packet read as a header after a damaged
// length. The next header tells: when it is sane and near h in time, h is
// taken as it is; near the last good record, h is taken with that
// record's time (retime); otherwise h is damaged (why). At the end of the
// file h is taken as it is, its fraction clamped.
func (p *pcapReader) oddTime(h pcapHeader) (retime bool, why string) {
	n := 16 + int(h.capLen)
	b := p.la.peek(n + 16)
	if len(b) < n+16 {
		return !p.fracOK(h), ""
	}
	next := p.header(b[n:])
	if p.lengthsOK(next) {
		switch {
		case !far(int64(next.sec), int64(h.sec)) && p.fracOK(h):
			return false, ""
		case !far(int64(next.sec), int64(h.sec)), p.hasLast && !far(int64(next.sec), p.last):
			return true, ""
		}
	}
	if !p.fracOK(h) {
		return false, fmt.Sprintf("timestamp fraction %d out of range, and no valid record after it", h.frac)
	}
	return false, fmt.Sprintf("timestamp %d, %d s from the last good record's, and no valid record after it", h.sec, int64(h.sec)-p.last)
}

// nextSane reports whether the record header after h, n octets on, is sane
// (its lengths, its time near h's or the last good record's), or the file
// ends there.
func (p *pcapReader) nextSane(h pcapHeader, n int) bool {
	b := p.la.peek(n + 16)
	if len(b) < n+16 {
		return len(b) == n
	}
	next := p.header(b[n:])
	return p.lengthsOK(next) && (!far(int64(next.sec), int64(h.sec)) || p.hasLast && !far(int64(next.sec), p.last))
}

// resync skips, from the damaged header at the current offset, to the
// next offset where a plausible record starts (see candidate), and notes
// the damage. At the end of the file it returns a truncation error.
func (p *pcapReader) resync(why string) error {
	return resyncScan(&p.la, &p.sizes, &p.damage, resyncUnit{"record", "record header", 16}, why, p.candidate, p.countRecords)
}

// resyncUnit names what a capture format is made of, for the resync scan:
// "record" (pcap) or "block" (pcapng), what the damage was found in, and
// the octets its header needs.
type resyncUnit struct {
	name, damaged string
	header        int
}

// resyncScan is the damage scan both capture readers share: from the
// damaged record or block at la's offset it moves one octet at a time to
// the first offset candidate accepts, discarding what it passed beyond
// resyncKeep, and notes the damage in dmg with the units skipped (counted
// by count when nothing was discarded, else estimated from sizes). When
// candidate says nothing more can start before the end, it returns the
// reader's error or a truncation error naming the offset.
func resyncScan(la *lookahead, sizes *recordStats, dmg *fileDamage, u resyncUnit, why string,
	candidate func(at int) (ok, more bool), count func(c int) int) error {
	start := la.off
	var dropped int64 // octets scanned and no longer kept
	at := 1
	for {
		if at > resyncKeep {
			la.discard(at)
			dropped += int64(at)
			at = 0
		}
		ok, more := candidate(at)
		if ok {
			k := sizes.estimate(dropped + int64(at))
			if dropped == 0 {
				k = count(at)
			}
			la.discard(at)
			dmg.note(start, dropped+int64(at), k, u.name, why)
			return nil
		}
		if !more {
			if _, err := la.ended(); err != nil {
				return err
			}
			return fmt.Errorf("%s at offset %d: %s; no valid %s in the %d octets from there to the end: %w",
				u.damaged, start, why, u.name, dropped+int64(len(la.peek(at+u.header))), io.ErrUnexpectedEOF)
		}
		at++
	}
}

// countRecords returns how many records the c octets in the window held,
// the first of them damaged. Records are followed backwards from c: an
// offset whose header's lengths are sane (its timestamp may be damaged)
// and whose captured or original length leads to c, or to such an offset,
// starts a run of records up to c. When the damaged header's own lengths
// do not lead into such a run, the first offset whose header is wholly sane
// (its timestamp too) and starts a run is taken, and the records before it
// are estimated from the mean record size. Octets beyond countMax are only
// estimated.
func (p *pcapReader) countRecords(c int) int {
	if c < 16 {
		return 0 // not a record: a damaged length made the reader miss its record's end
	}
	if c > countMax {
		return p.sizes.estimate(int64(c))
	}
	w := p.la.peek(c)
	hops := make([]int32, c+1) // records from an offset to c, -1: none
	for e := c - 1; e >= 0; e-- {
		hops[e] = -1
		if e+16 > c {
			continue
		}
		h := p.header(w[e:])
		if e > 0 && !p.lengthsOK(h) {
			continue
		}
		for _, l := range [2]uint32{h.capLen, h.origLen} {
			if f := int64(e) + 16 + int64(l); f <= int64(c) && hops[f] >= 0 && (hops[e] < 0 || hops[f]+1 < hops[e]) {
				hops[e] = hops[f] + 1 // the fewest records: bytes of packets read as headers make many
			}
		}
	}
	if hops[0] > 0 {
		return int(hops[0]) // the damaged header's own lengths lead there
	}
	for e := 16; e < c; e++ { // the first record whose header is wholly sane
		if hops[e] < 0 {
			continue
		}
		if h := p.header(w[e:]); p.fracOK(h) && (!p.hasLast || !far(int64(h.sec), p.last)) {
			return p.sizes.estimate(int64(e)) + int(hops[e])
		}
	}
	return p.sizes.estimate(int64(c))
}

// candidate reports whether a record that passes every check starts at
// offset at of the window, followed by a sane header (its lengths, its
// timestamp) or by the end of the file; more is false when the file ends
// too soon for any later offset to hold one.
func (p *pcapReader) candidate(at int) (ok, more bool) {
	b := p.la.peek(at + 16)
	if len(b) < at+16 {
		return false, false
	}
	h := p.header(b[at:])
	if int64(h.capLen) > int64(p.candCap) || h.capLen > h.origLen || h.origLen > resyncMaxOrig || !p.fracOK(h) ||
		p.hasLast && far(int64(h.sec), p.last) {
		return false, true
	}
	n := at + 16 + int(h.capLen)
	b = p.la.peek(n + 16)
	if len(b) < n || !framePlausible(p.link, b[at+16:n], int(h.origLen)) {
		return false, true
	}
	if len(b) == n {
		return true, true // the last record of the file
	}
	if len(b) < n+16 {
		return false, true
	}
	next := p.header(b[n:])
	return p.lengthsOK(next) && !far(int64(next.sec), int64(h.sec)), true
}

// frameSlack is how much longer than its IP packet and link header a frame
// may be: Ethernet pads frames to 60 octets, and may carry its FCS and a
// trailer.
const frameSlack = 64

// framePlausible reports whether b, a frame of link type lt whose original
// length was orig, starts the way frames of that link type do: the link
// header, then an IPv4 or IPv6 header whose length fits orig (up to
// frameSlack octets of padding), or another protocol the link header
// names. Link types it does not know pass.
//
// Every record is checked, so the frame nearly every record holds, IPv4
// behind Ethernet, is checked first, without linkPlausible's switches;
// linkPlausible checks the others.
func framePlausible(lt layers.LinkType, b []byte, orig int) bool {
	if lt == layers.LinkTypeEthernet && len(b) >= 14 && b[12] == 0x08 && b[13] == 0x00 {
		return ipv4Plausible(b[14:], orig-14)
	}
	return linkPlausible(lt, b, orig)
}

// linkPlausible is framePlausible for every link type.
func linkPlausible(lt layers.LinkType, b []byte, orig int) bool {
	be16 := func(i int) uint16 { return binary.BigEndian.Uint16(b[i:]) }
	var proto uint16 // EtherType; 0: IPv4 or IPv6 by the version nibble
	off := 0
	switch lt {
	case layers.LinkTypeEthernet:
		if len(b) < 14 {
			return false
		}
		proto, off = be16(12), 14
		for i := 0; i < 2 && (proto == 0x8100 || proto == 0x88a8 || proto == 0x9100); i++ {
			if len(b) < off+4 {
				return false
			}
			proto, off = be16(off+2), off+4
		}
		if proto < 0x0600 { // an 802.3 length
			return proto >= 3 && int(proto) <= orig-off
		}
	case layers.LinkTypeLinuxSLL:
		if len(b) < 16 {
			return false
		}
		proto, off = be16(14), 16
	case layers.LinkTypeLinuxSLL2:
		if len(b) < 20 {
			return false
		}
		proto, off = be16(0), 20
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		if len(b) < 4 {
			return false
		}
		switch af := binary.LittleEndian.Uint32(b); {
		case af == 2 || af == 2<<24:
			proto = 0x0800
		case af == 24 || af == 28 || af == 30 || af == 24<<24 || af == 28<<24 || af == 30<<24:
			proto = 0x86dd
		default:
			return false
		}
		off = 4
	case layers.LinkTypeIPv4:
		proto = 0x0800
	case layers.LinkTypeIPv6:
		proto = 0x86dd
	case layers.LinkTypeRaw, linkTypeRawDLT12, linkTypeRawDLT14:
	default:
		return true
	}
	ip, rest := b[off:], orig-off
	if proto == 0 && len(ip) > 0 {
		switch ip[0] >> 4 {
		case 4:
			proto = 0x0800
		case 6:
			proto = 0x86dd
		}
	}
	switch proto {
	case 0x0800:
		return ipv4Plausible(ip, rest)
	case 0x86dd:
		if len(ip) < 40 || ip[0]>>4 != 6 {
			return false
		}
		total := 40 + int(binary.BigEndian.Uint16(ip[4:]))
		return total == 40 || total <= rest && rest <= total+frameSlack // 40: a jumbogram, or segmentation offload
	case 0:
		return false
	}
	return true // ARP and others: the link header named them
}

// ipv4Plausible reports whether ip starts with an IPv4 header whose
// length fits rest, the original length from the header on.
func ipv4Plausible(ip []byte, rest int) bool {
	if len(ip) < 20 || ip[0]>>4 != 4 || ip[0]&0x0f < 5 {
		return false
	}
	total := int(binary.BigEndian.Uint16(ip[2:]))
	return total == 0 || total >= int(ip[0]&0x0f)*4 && total <= rest && rest <= total+frameSlack // 0: segmentation offload
}
