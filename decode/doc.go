// Package decode is a pure SMPP v3.3/3.4/5.0 codec: header framing, a
// declarative table of every command and TLV, a decoder that never panics
// and reports what the sender got wrong as Issues, and an encoder driven by
// the same table. It never imports gopacket, reassembly/ or report/, so it can
// be used on its own as an SMPP library.
package decode
