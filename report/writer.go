package report

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Writer prints records in one output format. Each implementation lives in
// a file of its own; every record kind prints in every format.
type Writer interface {
	PDU(*PDURecord) error
	Gap(*GapRecord) error
	// Message is called for every submitted message at the end of a run.
	Message(*MessageRecord) error
	Summary(*Summary) error
	// Close flushes buffered output.
	Close() error
}

// Format selects a Writer.
type Format int

// Formats.
const (
	FormatText    Format = iota // one line per PDU, tcpdump style
	FormatJSON                  // JSON lines (design.md contract)
	FormatVerbose               // a tree of every field per PDU
)

type options struct {
	w           io.Writer
	showSecrets bool
	summary     bool // print summary tables / the summary record
	pdus        bool // print per-PDU records
	timeLayout  string
	redactText  bool
	redactAddr  bool
	color       bool
	follow      bool
}

// Option configures a Writer.
type Option func(*options)

// WithOutput sets where records are written (default os.Stdout).
func WithOutput(w io.Writer) Option { return func(o *options) { o.w = w } }

// WithSummary turns the closing summary on or off (default on).
func WithSummary(on bool) Option { return func(o *options) { o.summary = on } }

// WithPDUs turns per-PDU records on or off (default on); off gives summary-only output.
func WithPDUs(on bool) Option { return func(o *options) { o.pdus = on } }

// WithTimeLayout sets the text format's time layout (default "15:04:05.000000").
func WithTimeLayout(layout string) Option { return func(o *options) { o.timeLayout = layout } }

// WithRedaction hides message text (keeping its length and encoding) and
// masks all but the last three digits of addresses, for sharing output.
func WithRedaction(text, addr bool) Option {
	return func(o *options) { o.redactText, o.redactAddr = text, addr }
}

// WithColor turns ANSI colours on in the text view.
func WithColor(on bool) Option { return func(o *options) { o.color = on } }

// WithFollow makes the text view print each message record as a timeline
// (its parts, responses and receipts) instead of PDU lines.
func WithFollow(on bool) Option { return func(o *options) { o.follow = on } }

// New returns a Writer for format f.
func New(f Format, opts ...Option) (Writer, error) {
	o := options{w: os.Stdout, summary: true, pdus: true, timeLayout: "15:04:05.000000"}
	for _, fn := range opts {
		fn(&o)
	}
	switch f {
	case FormatText:
		return newTextWriter(o), nil
	case FormatJSON:
		return newJSONWriter(o), nil
	case FormatVerbose:
		return newVerboseWriter(o), nil
	}
	return nil, fmt.Errorf("report: unknown format %d", f)
}

// errWriter keeps the first write error, so callers check once per record.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	if err != nil {
		e.err = fmt.Errorf("report: write: %w", err)
	}
	return n, e.err
}

// ErrClosed is returned by writers used after Close.
var ErrClosed = errors.New("report: writer closed")
