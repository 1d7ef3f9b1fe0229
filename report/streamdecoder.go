package report

import "smppdump.dev/smppdump/decode"

// StreamDecoder decodes PDUs ahead of an Analyzer, on a goroutine of its
// own, with the options the analyzer would use: each stream's interface
// version follows its binds exactly as the analyzer's session does (see
// nextVersion), so Analyzer.Decoded(m, p) gives the same result as
// Analyzer.PDU(m, raw). It must see every PDU the analyzer sees, in the
// same order per stream.
type StreamDecoder struct {
	opts     decode.Options
	versions map[int]decode.Version
}

// StreamDecoder returns a decoder for PDUs that will be given to a.Decoded.
// It shares nothing with a and may run on another goroutine.
func (a *Analyzer) StreamDecoder() *StreamDecoder {
	return &StreamDecoder{opts: a.decodeOptions(0), versions: map[int]decode.Version{}}
}

// Decode decodes raw, one whole PDU of stream, into p; p aliases raw.
func (d *StreamDecoder) Decode(stream int, raw []byte, p *decode.PDU) {
	o := d.opts
	o.Version = d.versions[stream]
	p.Decode(raw, o)
	if v := nextVersion(o.Version, p); v != o.Version {
		d.versions[stream] = v
	}
}
