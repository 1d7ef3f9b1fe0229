package smppgen

import (
	"container/heap"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"time"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/internal/capgen"
)

// BulkOptions shape a bulk capture.
type BulkOptions struct {
	PDUs  int    // at least this many PDUs are written
	Binds int    // transceiver sessions (default 8)
	Seed  uint64 // the same seed writes the same capture
	TPS   int    // submits per second across all binds (default 2000)
}

// Bulk writes a capture of a busy link for benchmarks: several transceiver
// binds submitting GSM and UCS2 text with receipts requested; the SMSC
// answers after 5–80 ms (about 3% ESME_RTHROTTLED, 1% other errors) and
// sends receipts 1–10 s later (mostly DELIVRD), each acknowledged; every
// session sends enquire_link every 30 s. It returns the number of PDUs written.
func Bulk(out io.Writer, o BulkOptions) (int, error) {
	if o.Binds <= 0 {
		o.Binds = 8
	}
	if o.TPS <= 0 {
		o.TPS = 2000
	}
	w, err := capgen.NewWriter(out, capgen.Options{})
	if err != nil {
		return 0, fmt.Errorf("smppgen: %w", err)
	}
	b := &bulk{w: w, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x5eed)), now: DemoStart}
	err = b.run(o)
	if cerr := w.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("smppgen: %w", cerr)
	}
	return b.pdus, err
}

type bulkSession struct {
	s        *Session
	systemID string
	nextEL   time.Time
}

// event is something the SMSC or ESME must send later.
type event struct {
	at   time.Time
	sess *bulkSession
	pdu  *decode.PDU
	esme bool
	then func() // runs after the PDU is sent (e.g. schedules the receipt)
}

type eventQueue []*event

func (q eventQueue) Len() int           { return len(q) }
func (q eventQueue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q eventQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)        { *q = append(*q, x.(*event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

type bulk struct {
	w     *capgen.Writer
	rng   *rand.Rand
	now   time.Time
	queue eventQueue
	pdus  int
	msgID uint64
}

var bulkTexts = []string{
	"Your verification code is %d. It expires in 5 minutes.",
	"Dear customer, your parcel %d is out for delivery today.",
	"Balance alert: your account was debited. Ref %d",
	"Reminder: appointment tomorrow at 10:30. Reply C to cancel (%d)",
}

func (b *bulk) send(bs *bulkSession, esme bool, p *decode.PDU) error {
	bs.s.now = b.now
	var err error
	if esme {
		_, err = bs.s.ESME(p)
	} else {
		_, err = bs.s.SMSC(p)
	}
	b.pdus++
	return err
}

func (b *bulk) later(d time.Duration, e *event) {
	e.at = b.now.Add(d)
	heap.Push(&b.queue, e)
}

func (b *bulk) ms(lo, hi int) time.Duration {
	return time.Duration(lo+b.rng.IntN(hi-lo+1)) * time.Millisecond
}

func (b *bulk) run(o BulkOptions) error {
	var sessions []*bulkSession
	smsc := netip.MustParseAddrPort("10.20.0.1:2775")
	for i := range o.Binds {
		esme := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 20, 1, byte(10 + i)}), uint16(30000+i))
		s, err := NewSession(b.w, esme, smsc, b.now, false)
		if err != nil {
			return err
		}
		bs := &bulkSession{s: s, systemID: fmt.Sprintf("client%02d", i), nextEL: b.now.Add(30 * time.Second)}
		req := Bind(decode.BindTransceiver, bs.systemID, "secret", "", decode.V34)
		if err := b.send(bs, true, req); err != nil {
			return err
		}
		b.now = b.now.Add(b.ms(2, 10))
		if err := b.send(bs, false, BindResp(req, decode.StatusOK, "SMSC", decode.V34)); err != nil {
			return err
		}
		sessions = append(sessions, bs)
	}
	gap := time.Second / time.Duration(o.TPS)
	nextSubmit := b.now
	for b.pdus < o.PDUs {
		// Whatever is due before the next submit goes first, in time order.
		if len(b.queue) > 0 && !b.queue[0].at.After(nextSubmit) {
			e := heap.Pop(&b.queue).(*event)
			b.now = e.at
			if err := b.send(e.sess, e.esme, e.pdu); err != nil {
				return err
			}
			if e.then != nil {
				e.then()
			}
			continue
		}
		b.now = nextSubmit
		nextSubmit = nextSubmit.Add(gap)
		bs := sessions[b.rng.IntN(len(sessions))]
		if !b.now.Before(bs.nextEL) {
			bs.nextEL = b.now.Add(30 * time.Second)
			el := decode.New(decode.EnquireLink, 0, 0)
			if err := b.send(bs, true, el); err != nil {
				return err
			}
			b.later(b.ms(1, 5), &event{sess: bs, pdu: Resp(el, 0, "")})
			continue
		}
		if err := b.submit(bs); err != nil {
			return err
		}
	}
	return nil
}

func (b *bulk) submit(bs *bulkSession) error {
	dst := Intl(fmt.Sprintf("4477009%05d", b.rng.IntN(100000)))
	src := Alpha("BULK")
	text := fmt.Sprintf(bulkTexts[b.rng.IntN(len(bulkTexts))], b.rng.IntN(1000000))
	m := Message{Src: src, Dst: dst, Registered: 1, UserData: MustGSM7(text)}
	if b.rng.IntN(10) == 0 {
		m.DataCoding, m.UserData = 8, UCS2("Здравствуйте! "+text)
	}
	sub := SubmitSM(m)
	if err := b.send(bs, true, sub); err != nil {
		return err
	}
	latency := b.ms(5, 80)
	switch r := b.rng.IntN(100); {
	case r < 3:
		b.later(latency, &event{sess: bs, pdu: Resp(sub, decode.StatusThrottled, "")})
	case r < 4:
		b.later(latency, &event{sess: bs, pdu: Resp(sub, decode.StatusInvDstAdr, "")})
	default:
		b.msgID++
		id := fmt.Sprintf("%010x", b.msgID)
		submitted := b.now
		b.later(latency, &event{sess: bs, pdu: Resp(sub, decode.StatusOK, id), then: func() {
			stat, errCode := "DELIVRD", "000"
			switch r := b.rng.IntN(100); {
			case r < 5:
				stat, errCode = "UNDELIV", "001"
			case r < 7:
				stat, errCode = "EXPIRED", "000"
			}
			dlr := Receipt(src, dst, id, stat, errCode, submitted, b.now.Add(time.Second), "")
			b.later(b.ms(1000, 10000), &event{sess: bs, pdu: dlr, then: func() {
				b.later(b.ms(1, 5), &event{sess: bs, esme: true, pdu: Resp(dlr, 0, "")})
			}})
		}})
	}
	return nil
}
