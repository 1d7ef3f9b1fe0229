package smppgen

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"time"

	"smppdump.dev/smppdump/decode"
	"smppdump.dev/smppdump/internal/capgen"
)

// DemoStart is the capture time of the demo's first packet.
var DemoStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Demo writes the demo capture committed as pcaps/demo.pcap: the common
// flows of a real link on port 2775.
//
//   - stream 0: bind_transceiver "acme" (v3.4): GSM 7-bit and UCS2 submits
//     with registered delivery and their receipts, a three-part concatenated
//     message, a submit answered ESME_RTHROTTLED and retried, enquire_link
//     both ways, unbind.
//   - stream 1: bind_transmitter "acme_tx" submitting with receipts requested;
//   - stream 2: bind_receiver "acme_tx" on which those receipts arrive (one
//     DELIVRD, one UNDELIV).
//   - stream 3: bind_transmitter "acme" with a wrong password, rejected with
//     ESME_RINVPASWD, and the SMSC closing the connection.
func Demo(out io.Writer) error {
	var buf bytes.Buffer
	w, err := capgen.NewWriter(&buf, capgen.Options{})
	if err != nil {
		return fmt.Errorf("smppgen: %w", err)
	}
	d := &demo{w: w}
	d.run()
	if cerr := w.Close(); d.err == nil && cerr != nil {
		d.err = fmt.Errorf("smppgen: %w", cerr)
	}
	if d.err != nil {
		return d.err
	}
	// The script writes one session after another; a real capture
	// interleaves them in time.
	return SortByTime(out, &buf)
}

// demo carries the first error through a linear script, so the scenario
// reads as the conversation it writes.
type demo struct {
	w   *capgen.Writer
	err error
}

func (d *demo) session(esme string, start time.Time) *Session {
	if d.err != nil {
		return nil
	}
	s, err := NewSession(d.w, netip.MustParseAddrPort(esme), netip.MustParseAddrPort("10.0.0.1:2775"), start, false)
	d.err = err
	return s
}

func (d *demo) esme(s *Session, pdus ...*decode.PDU) {
	if d.err == nil {
		_, d.err = s.ESME(pdus...)
	}
}

func (d *demo) smsc(s *Session, pdus ...*decode.PDU) {
	if d.err == nil {
		_, d.err = s.SMSC(pdus...)
	}
}

func (d *demo) close(s *Session, byESME bool) {
	if d.err == nil {
		d.err = s.Close(byESME)
	}
}

// exchange sends a request from the ESME and, after latency, the SMSC's answer.
func (d *demo) exchange(s *Session, req *decode.PDU, latency time.Duration, resp func(*decode.PDU) *decode.PDU) {
	d.esme(s, req)
	s.Wait(latency)
	d.smsc(s, resp(req))
}

func (d *demo) run() {
	const ms = time.Millisecond
	shop := Alpha("ACMEShop")
	alice, bob, chen := Intl("447700900123"), Intl("491701234567"), Intl("8613800138000")

	// Stream 0: a transceiver doing everything.
	trx := d.session("10.0.0.10:40001", DemoStart)
	if d.err != nil {
		return
	}
	bind := Bind(decode.BindTransceiver, "acme", "s3cret", "", decode.V34)
	d.exchange(trx, bind, 12*ms, func(r *decode.PDU) *decode.PDU { return BindResp(r, decode.StatusOK, "SMSC01", decode.V34) })

	trx.Wait(40 * ms)
	sub1 := SubmitSM(Message{Src: shop, Dst: alice, Registered: 1, UserData: MustGSM7("Your code is 4711. Valid 10 min_")})
	d.exchange(trx, sub1, 23*ms, func(r *decode.PDU) *decode.PDU { return Resp(r, decode.StatusOK, "4f2a1c00") })
	submitted1 := trx.Now()

	trx.Wait(15 * ms)
	sub2 := SubmitSM(Message{Src: shop, Dst: chen, Registered: 1, DataCoding: 8, UserData: UCS2("您好，您的包裹已发货 📦")})
	d.exchange(trx, sub2, 31*ms, func(r *decode.PDU) *decode.PDU { return Resp(r, decode.StatusOK, "4f2a1c01") })
	submitted2 := trx.Now()

	// A long text in three parts, sent back to back, answered in order.
	trx.Wait(20 * ms)
	long := MustGSM7("Dear customer, your order 88213 has shipped and will arrive on Thursday between 9:00 and 13:00. " +
		"Track it at acme.example/t/88213 or reply STOP to opt out of delivery updates. Thank you for shopping with ACME, " +
		"we hope to see you again soon! Your receipt and warranty documents are in your account under Orders; " +
		"keep them for returns within 30 days. Questions? Call 0800 123 456, Monday to Friday, 8:00-18:00.")
	var parts []*decode.PDU
	for _, ud := range Concat(long, 0x2A, 153) {
		parts = append(parts, SubmitSM(Message{Src: shop, Dst: bob, ESMClass: 0x40, Registered: 1, UserData: ud}))
	}
	d.esme(trx, parts...)
	trx.Wait(18 * ms)
	for i, p := range parts {
		d.smsc(trx, Resp(p, decode.StatusOK, fmt.Sprintf("4f2a1c%02x", 2+i)))
		trx.Wait(3 * ms)
	}

	// The SMSC throttles the next submit; the ESME retries after a pause.
	trx.Wait(5 * ms)
	sub4 := SubmitSM(Message{Src: shop, Dst: alice, Registered: 1, UserData: MustGSM7("Flash sale: 20% off today")})
	d.exchange(trx, sub4, 4*ms, func(r *decode.PDU) *decode.PDU { return Resp(r, decode.StatusThrottled, "") })
	trx.Wait(1000 * ms)
	retry := SubmitSM(Message{Src: shop, Dst: alice, Registered: 1, UserData: MustGSM7("Flash sale: 20% off today")})
	d.exchange(trx, retry, 26*ms, func(r *decode.PDU) *decode.PDU { return Resp(r, decode.StatusOK, "4f2a1c05") })

	// Receipts come back on the transceiver.
	trx.Wait(1800 * ms)
	dlr1 := Receipt(shop, alice, "4f2a1c00", "DELIVRD", "000", submitted1, trx.Now(), "Your code is 4711. Valid 10 min_")
	d.smsc(trx, dlr1)
	trx.Wait(2 * ms)
	d.esme(trx, Resp(dlr1, decode.StatusOK, ""))

	trx.Wait(30000 * ms)
	d.exchange(trx, decode.New(decode.EnquireLink, 0, 0), 2*ms, func(r *decode.PDU) *decode.PDU { return Resp(r, decode.StatusOK, "") })
	trx.Wait(500 * ms)
	dlr2 := Receipt(shop, chen, "4f2a1c01", "DELIVRD", "000", submitted2, trx.Now(), "")
	d.smsc(trx, dlr2)
	trx.Wait(3 * ms)
	d.esme(trx, Resp(dlr2, decode.StatusOK, ""))
	trx.Wait(700 * ms)
	for i := range parts {
		dlr := Receipt(shop, bob, fmt.Sprintf("4f2a1c%02x", 2+i), "DELIVRD", "000", submitted2, trx.Now(), "")
		d.smsc(trx, dlr)
		trx.Wait(2 * ms)
		d.esme(trx, Resp(dlr, decode.StatusOK, ""))
		trx.Wait(4 * ms)
	}
	trx.Wait(5000 * ms)
	el := decode.New(decode.EnquireLink, 0, 0)
	d.smsc(trx, el)
	trx.Wait(1 * ms)
	d.esme(trx, Resp(el, decode.StatusOK, ""))

	// Streams 1 and 2: transmitter and receiver of the same account.
	tx := d.session("10.0.0.11:40100", DemoStart.Add(200*ms))
	rx := d.session("10.0.0.11:40101", DemoStart.Add(210*ms))
	if d.err != nil {
		return
	}
	d.exchange(tx, Bind(decode.BindTransmitter, "acme_tx", "tx-pass", "BULK", decode.V34), 9*ms,
		func(r *decode.PDU) *decode.PDU { return BindResp(r, decode.StatusOK, "SMSC01", decode.V34) })
	d.exchange(rx, Bind(decode.BindReceiver, "acme_tx", "tx-pass", "BULK", decode.V34), 11*ms,
		func(r *decode.PDU) *decode.PDU { return BindResp(r, decode.StatusOK, "SMSC01", decode.V34) })
	tx.Wait(100 * ms)
	txSub1 := SubmitSM(Message{Src: Intl("447700900999"), Dst: bob, Registered: 1, UserData: MustGSM7("Meeting moved to 15:00")})
	d.exchange(tx, txSub1, 17*ms, func(r *decode.PDU) *decode.PDU { return Resp(r, decode.StatusOK, "7c10aa01") })
	txAt1 := tx.Now()
	tx.Wait(5 * ms)
	txSub2 := SubmitSM(Message{Src: Intl("447700900999"), Dst: Intl("447700900000"), Registered: 1, UserData: MustGSM7("Meeting moved to 15:00")})
	d.exchange(tx, txSub2, 19*ms, func(r *decode.PDU) *decode.PDU { return Resp(r, decode.StatusOK, "7c10aa02") })
	txAt2 := tx.Now()
	rx.Wait(2500 * ms)
	r1 := Receipt(Intl("447700900999"), bob, "7c10aa01", "DELIVRD", "000", txAt1, rx.Now(), "Meeting moved to 15:00")
	d.smsc(rx, r1)
	rx.Wait(1 * ms)
	d.esme(rx, Resp(r1, decode.StatusOK, ""))
	rx.Wait(4000 * ms)
	r2 := Receipt(Intl("447700900999"), Intl("447700900000"), "7c10aa02", "UNDELIV", "001", txAt2, rx.Now(), "Meeting moved to 15:00")
	d.smsc(rx, r2)
	rx.Wait(1 * ms)
	d.esme(rx, Resp(r2, decode.StatusOK, ""))

	// Stream 3: a bind with the wrong password.
	bad := d.session("10.0.0.12:40200", DemoStart.Add(300*ms))
	if d.err != nil {
		return
	}
	d.exchange(bad, Bind(decode.BindTransmitter, "acme", "wrong", "", decode.V34), 8*ms,
		func(r *decode.PDU) *decode.PDU { return BindResp(r, decode.StatusInvPaswd, "", 0) })
	bad.Wait(5 * ms)
	d.close(bad, false)

	// Everyone unbinds.
	for _, s := range []*Session{tx, rx, trx} {
		s.Wait(2000 * ms)
		d.exchange(s, decode.New(decode.Unbind, 0, 0), 3*ms, func(r *decode.PDU) *decode.PDU { return Resp(r, decode.StatusOK, "") })
		s.Wait(2 * ms)
		d.close(s, true)
	}
}
