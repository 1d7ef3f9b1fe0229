package report

// fifo is a queue on a slice. Taking from the front moves head instead of
// reslicing, so that push can reuse the room at the front of the array:
// the queues here are pushed and drained all the time, and a resliced
// queue would need a new array every so often.
type fifo[T any] struct {
	buf  []T // buf[head:] are queued, oldest first
	head int
}

// Len returns the number of items queued.
func (q *fifo[T]) Len() int { return len(q.buf) - q.head }

// items returns the queued items, oldest first; they may be changed in
// place.
func (q *fifo[T]) items() []T { return q.buf[q.head:] }

// push queues v at the back. When the array is full and at least half of
// it lies before head, the items move to its start instead of growing it
// (amortised O(1): each move frees as much room as it copies).
func (q *fifo[T]) push(v T) {
	if len(q.buf) == cap(q.buf) && q.head > 0 && 2*q.head >= len(q.buf) {
		n := copy(q.buf, q.buf[q.head:])
		clear(q.buf[n:]) // drop the references the moved-from slots hold
		q.buf, q.head = q.buf[:n], 0
	}
	q.buf = append(q.buf, v)
}

// pop drops the front item. The queue must not be empty.
func (q *fifo[T]) pop() {
	var zero T
	q.buf[q.head] = zero
	q.head++
	if q.head == len(q.buf) {
		q.buf, q.head = q.buf[:0], 0 // empty: reuse the array from its start
	}
}

// keep drops the items for which ok is false, keeping the order.
func (q *fifo[T]) keep(ok func(T) bool) {
	n := 0
	for _, v := range q.buf[q.head:] {
		if ok(v) {
			q.buf[n] = v
			n++
		}
	}
	clear(q.buf[n:])
	q.buf, q.head = q.buf[:n], 0
}
