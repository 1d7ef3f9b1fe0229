// Package report turns framed, decoded SMPP PDUs into what people read: one
// line per PDU, JSON lines for jq, and summary tables. It keeps per
// connection state (the session's version for decoding, counters) and never
// touches packets: it consumes records made by the caller from reassembly/
// output, so it can be fed from any source of PDU bytes.
package report
