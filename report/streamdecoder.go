package report

import "smppdump.dev/smppdump/decode"

// StreamDecoder decodes PDUs ahead of an Analyzer, on a goroutine of its
// own, with the options the analyzer would use: each stream's interface
// version follows its binds exactly as the analyzer's session does (see
// nextVersion), so Analyzer.Decoded(m, p) gives the same result as
// Analyzer.PDU(m, raw). It must see every PDU the analyzer sees, in the
// same order per stream.
type StreamDecoder struct {
	opts decode.Options
	// The version of each stream that bound: indexed by stream number
	// below denseStreams (streams are numbered from 0 in order of first
	// sight, and a lookup per PDU in a map cost ~100 instructions), in far
	// beyond it (any int is a valid stream to the Analyzer).
	dense []decode.Version
	far   map[int]decode.Version
}

// denseStreams bounds the stream numbers kept in StreamDecoder.dense: a
// byte per stream up to it.
const denseStreams = 1 << 20

// StreamDecoder returns a decoder for PDUs that will be given to a.Decoded.
// It shares nothing with a and may run on another goroutine.
func (a *Analyzer) StreamDecoder() *StreamDecoder {
	return &StreamDecoder{opts: a.decodeOptions(0)}
}

// Decode decodes raw, one whole PDU of stream, into p; p aliases raw.
func (d *StreamDecoder) Decode(stream int, raw []byte, p *decode.PDU) {
	o := d.opts
	o.Version = d.version(stream)
	p.Decode(raw, o)
	if !isBindOrResp(p.ID) {
		return
	}
	if v := nextVersion(o.Version, p); v != o.Version {
		d.setVersion(stream, v)
	}
}

func (d *StreamDecoder) version(stream int) decode.Version {
	if uint(stream) < uint(len(d.dense)) {
		return d.dense[stream]
	}
	return d.far[stream] // the zero Version when absent, as for dense
}

func (d *StreamDecoder) setVersion(stream int, v decode.Version) {
	if uint(stream) < denseStreams {
		if stream >= len(d.dense) {
			d.dense = append(d.dense, make([]decode.Version, stream+1-len(d.dense))...)
		}
		d.dense[stream] = v
		return
	}
	if d.far == nil {
		d.far = make(map[int]decode.Version)
	}
	d.far[stream] = v
}
