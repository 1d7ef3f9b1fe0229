// Package tshark runs Wireshark's tshark on a capture and returns the SMPP
// PDUs its SMPP dissector finds, so that tests can compare smppdump's output
// with an independent decoder, PDU by PDU. Everything below was observed with
// TShark 4.0.17 (Debian 12) on the public captures in shared/pcaps/public and
// on synthetic captures written by this package's tests.
//
// # Command line
//
// Dissect runs (see Options.Args):
//
//	tshark -n -r FILE -T json [-x]
//	  -o tcp.reassemble_out_of_order:TRUE|FALSE
//	  -o "smpp.decode_sms_over_smpp:GSM 7-bit"
//	  --disable-heuristic smpp_tcp --disable-heuristic smpp_x25   (or --enable-heuristic smpp_tcp)
//	  -d tcp.port==PORT,smpp ...
//	  [Options.Extra] -Y smpp
//
// with HOME and XDG_CONFIG_HOME set to an empty directory so that no personal
// profile applies. tshark 4.0 has no default TCP port for SMPP: without
// decode-as ports only the heuristic finds it. The heuristics are named
// smpp_tcp and smpp_x25 ("tshark -G heuristic-decodes" lists them as "tcp
// smpp T" and "x.25 smpp T"); an unknown name makes tshark exit with status 1,
// so a rename in a later tshark fails loudly.
//
// --no-duplicate-keys exists in 4.0 but is not used: without it tshark
// repeats the "smpp" key once per PDU of a frame, in stream order, and puts a
// "_ws.malformed" key right after the PDU whose dissection failed; with it
// all PDUs of a frame merge into one "smpp" array and all malformed markers
// into one "_ws.malformed", so which PDU was malformed is lost (it is then
// pinned on the frame's last PDU). The parser reads tshark's output with a
// streaming decoder that keeps every duplicate key in order and also undoes
// the arrays of --no-duplicate-keys, so both forms give the same PDUs.
//
// # JSON layout
//
// Each packet is {"_source": {"layers": {...}}}. The layers hold "frame"
// (frame.number), "ip"/"ipv6", "tcp" (tcp.stream, tcp.srcport, tcp.dstport),
// "tcp.segments" when a PDU was reassembled, then one "smpp" object per PDU,
// optionally followed by "_ws.malformed"; with -x each "smpp" is preceded by
// "smpp_raw": [hex, offset, length, bitmask, type] and every field F gets an
// "F_raw" sibling. Inside "smpp" all values are strings. Subtrees are objects:
// "smpp.opt_params" holds one "smpp.opt_param" object per TLV (tag, len and
// the decoded value field); "smpp.dlist" (submit_multi) and "smpp.dlist_resp"
// (submit_multi_resp) hold the destination fields, repeated per entry; a
// field with both a value and children X gets "X_tree"; expert info is a
// "_ws.expert" object. When data_coding or the UDH send the message to the
// GSM SMS dissector, a "gsm_sms_ud" layer follows "smpp" (UDH information
// elements, reassembled concatenated text); it is not parsed.
//
// # Value formats
//
// Values are kept as tshark prints them:
//
//   - command_id, command_status, error_status_code: hex "0x%08x".
//   - command_length, sequence_number, sm_length, sm_default_msg_id,
//     message_state, error_code, sar_* and most TLV integers: decimal.
//   - *_ton, *_npi, protocol_id, priority_flag, replace_if_present_flag,
//     data_coding, the esm.* and regdel.* bit fields, dest_addr_subunit,
//     user_message_reference, source_port, destination_port,
//     network_error.code, opt_param_tag: hex "0x%02x" or "0x%04x".
//   - interface_version and SC_interface_version: decimal ("52" for 0x34,
//     "80" for 0x50, "1" for 0x01).
//   - esm_class and registered_delivery are never printed as such: tshark
//     prints esm.submit.msg_mode (mask 0x03), esm.submit.msg_type (0x3c),
//     esm.submit.features (0xc0), regdel.receipt (0x03), regdel.acks (0x0c)
//     and regdel.notif (0x10), each shifted down to bit 0 (esm_class 0x04
//     is msg_type "0x01"), and uses the esm.submit.* names for deliver_sm and
//     data_sm too. PDU.ESMClass and PDU.RegisteredDelivery rebuild the octets.
//   - C-octet strings: the text, with every byte above 0x7f replaced by
//     U+FFFD. An empty string is left out entirely (system_type, password,
//     address_range, an empty message_id in deliver_sm_resp, final_date),
//     except service_type, printed as "(Default)", and
//     schedule_delivery_time/validity_period, printed as
//     schedule_delivery_time_r/validity_period_r "0.000000000".
//   - Times: absolute as schedule_delivery_time/validity_period/final_date
//     converted to UTC, tenths as nanoseconds, the day padded with a space
//     ("Jun 29, 2025 13:32:17.000000000 UTC", "Jan  1, 2000 ..."); years 00-37
//     are 20YY. Relative ("...R") as the *_r field in seconds,
//     "86400.000000000", counting days, hours, minutes and seconds only:
//     years and months are dropped ("020610233429000R" prints 948869).
//     submit_multi's empty validity_period is printed as a second
//     schedule_delivery_time_r ("Scheduled delivery time: SMSC default
//     validity period"); a non-empty one has its own name.
//   - Octet strings (message, message_payload, vendor_op, reserved_op):
//     colon-separated lowercase hex, "74:65:73:74"; "" when empty, but an
//     empty short_message followed by TLVs (message_payload) is left out.
//   - message_text: the decoded short_message or message_payload (after any
//     UDH), as the last field of the PDU. data_coding 0 is decoded only
//     because of smpp.decode_sms_over_smpp (tshark's default, "None", prints
//     no text for it); the GSM 7-bit table is right, escapes included
//     ("\x00\x11\x1b\x65" is "@_€"), so pcab_analyze's "message\x11N" reads
//     "message_N", whereas the "ASCII" setting leaves the 0x11. UCS-2 and
//     Latin-1 are decoded whatever the setting, and so are IA5 (1) and
//     the ISO-8859 ones. UCS-2 is decoded strictly: each half of a
//     surrogate pair is written as its own three-byte sequence, which is
//     invalid UTF-8 (a JSON reader sees one U+FFFD per byte). replace_sm,
//     which has no data_coding, is decoded as data_coding 0. For a
//     concatenated message message_text is the part's own text; the
//     reassembled text is only in gsm_sms_ud.
//   - Unknown TLVs: vendor_op (tags 0x1400-0x3fff) or reserved_op (others),
//     hex bytes. FT_NONE items such as callback_num print "".
//
// # Which PDUs tshark reports
//
// A PDU is reported in the frame that completes it, and a frame may report
// several PDUs, in stream order. tshark's SMPP entry point checks only the
// start of each TCP segment payload: a segment that starts with fewer than
// 16 bytes, with a command_length below 16 or (mostly) above 64 KiB, or
// with a command_id it does not know is not SMPP, so a PDU whose first segment is
// shorter than its header is lost, and so is the rest of that direction
// until a segment starts on a PDU boundary. Inside a segment that passed the
// check, unknown command_ids are dissected (header fields only).
//
// Retransmissions: a segment whose sequence range was already seen on the
// same 4-tuple is flagged tcp.analysis.retransmission and not dissected
// again. smpp_loss-v2smpp33.pcap was captured on "any" and holds every PDU
// three times: the veth and docker0 copies share a 4-tuple, so the second is
// a "suspected retransmission" (184 frames), while the copy after SNAT is a
// different stream and is dissected again: 368 PDUs = 184 x 2.
//
// Out-of-order segments are reassembled only with
// tcp.reassemble_out_of_order (Options.OutOfOrder), and the PDU is reported
// in the frame that fills the hole; a segment captured after a later one
// that opened the stream is dropped even then.
//
// # Malformed PDUs
//
// When the body ends before the fields its command_id requires (a missing
// NUL, a short TLV), tshark keeps the fields decoded so far, stops, and adds
// "_ws.malformed" with the expert message "Malformed Packet (Exception
// occurred)" (the Info column says "[Malformed Packet]"); the next PDU of
// the segment is still dissected. Dissect sets PDU.Malformed and adds the
// message to PDU.Expert. Bytes left over after a complete body are ignored
// silently (an unbind with a 3-byte body is not malformed). A TLV whose
// declared length differs from its type's size is read with the type's
// size, so the following TLVs are misparsed (and usually end malformed).
// Expert info that is not an exception, such as "short_message field and
// message_payload TLV can only appear once in total", only goes to
// PDU.Expert.
//
// # Other quirks
//
//   - command_status is printed for responses only (generic_nack included);
//     a request's status is not shown even when it is not zero.
//   - A response with a non-zero command_status is dissected as its header
//     alone: a message_id or TLVs in its body (submit_sm_resp with a body,
//     data_sm_resp in transaction mode) are not shown.
//   - submit_multi's dest_flag and number_of_dests and submit_multi_resp's
//     no_unsuccess are not printed; the entries' fields repeat in
//     smpp.dlist and smpp.dlist_resp.
//   - Any sequence_number is accepted: segoranov's bind_transmitter_resp
//     with sequence_number 0 answers a request with 1.
//   - SAR TLVs and concatenation UDHs make tshark reassemble the short
//     message (Info "Short Message fragment 1 of 3"); the PDU fields do not
//     change.
//   - There is no delivery-receipt parser: a receipt's id/stat/err are only
//     in message_text.
//
// # The negative capture
//
// negative/ndpi-tls_false_positives-NOT-SMPP.pcapng yields no PDU with the
// SMPP heuristics disabled and no decode-as port. With the heuristic on,
// tshark reports two bind_receiver PDUs, frames 8 and 14 (command_length 33
// and 102, interface_version "33" and "68", i.e. 0x21 and 0x44, sequence
// number 1, no strings), neither flagged malformed.
package tshark
