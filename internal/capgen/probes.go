package capgen

import "time"

// KeepAlive writes a TCP keep-alive from one side at t: an ACK whose
// sequence number is one less than the side's next one, carrying no payload
// or (withByte) one garbage zero byte, as BSD stacks send. The peer answers
// AckDelay later with an ACK of everything it has received. Sequence state
// does not change. It returns the keep-alive's frame number.
func (c *Conn) KeepAlive(t time.Time, fromClient, withByte bool) (int, error) {
	if err := c.check(fromClient); err != nil {
		return 0, err
	}
	var payload []byte
	if withByte {
		payload = []byte{0}
	}
	probe := c.newSegment(t, fromClient, c.sides[sideIndex(fromClient)].nxt-1, ACK, payload)
	reply := c.AckSegment(t.Add(AckDelay), !fromClient)
	c.started = true
	f, err := c.Write(probe, reply)
	if err != nil {
		return 0, err
	}
	return f[0], nil
}

// ZeroWindowProbe writes a zero-window episode and returns the probe's frame
// number: at t the peer ACKs with window 0; AckDelay later the side sends a
// one-byte probe (the byte b) at its next sequence number; the peer answers
// with another window-0 ACK that does not acknowledge the byte, and finally a
// window update restoring its normal window. The probe byte is not consumed:
// pass the first byte of the side's next Send as b so the stream stays
// consistent.
func (c *Conn) ZeroWindowProbe(t time.Time, fromClient bool, b byte) (int, error) {
	if err := c.check(fromClient); err != nil {
		return 0, err
	}
	zero := c.AckSegment(t, !fromClient)
	zero.Window = 0
	probe := c.newSegment(t.Add(AckDelay), fromClient, c.sides[sideIndex(fromClient)].nxt, ACK, []byte{b})
	stillZero := c.AckSegment(probe.Time.Add(AckDelay), !fromClient)
	stillZero.Window = 0
	update := c.AckSegment(stillZero.Time.Add(AckDelay), !fromClient)
	c.started = true
	f, err := c.Write(zero, probe, stillZero, update)
	if err != nil {
		return 0, err
	}
	return f[1], nil
}
