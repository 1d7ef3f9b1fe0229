package decode

// tlvEnumMax gives, for enumerated TLVs, the largest defined value; larger
// values are reserved (TLV-07, ref §5.5).
func tlvEnumOK(tag uint16, v uint32) bool {
	switch tag {
	case TagDestAddrSubunit, TagSourceAddrSubunit:
		return v <= 4
	case TagDestNetworkType, TagSourceNetworkType, TagDestBearerType, TagSourceBearerType:
		return v <= 8
	case TagPayloadType, TagDPFResult, TagSetDPF, TagMoreMessagesToSend, TagBroadcastChannelIndicator:
		return v <= 1
	case TagPrivacyIndicator, TagDeliveryFailureReason, TagBroadcastMessageClass:
		return v <= 3
	case TagMSAvailabilityStatus, TagDestAddrNPResolution, TagDisplayTime:
		return v <= 2
	case TagSCInterfaceVersion: // as interface_version (ref §3.8.1)
		return v <= 0x34 || v == 0x50
	case TagNumberOfMessages:
		return v <= 99
	case TagCongestionState:
		return v <= 100
	case TagBroadcastAreaSuccess:
		return v <= 100 || v == 255
	case TagITSReplyType:
		return v <= 8
	case TagUSSDServiceOp:
		return v <= 3 || (v >= 16 && v <= 19) || v >= 32
	case TagMSMsgWaitFacilities:
		return v&0x7C == 0
	case TagCallbackNumPresInd:
		return v&0xF0 == 0 && (v>>2)&0x03 != 3
	case TagLanguageIndicator:
		return true // CMT-136 defines more values than the SMPP table lists
	}
	return true
}

// checkTLVValues applies the value, combination and dependency rules of
// ref §5.6 and §12.5 (TLV-07, -09, -11…-15, FLD-08).
func (d *bodyDecoder) checkTLVValues() {
	p := d.p
	count := d.tlvCount
	for i := range p.TLVs {
		t := &p.TLVs[i]
		if t.Def == nil {
			continue
		}
		switch t.Def.Type {
		case TLVU8, TLVU16, TLVU32:
			if v, ok := t.Uint(); ok && len(t.Value) <= t.Def.MaxFor(p.Version) && !tlvEnumOK(t.Tag, v) {
				p.issue(SevWarning, CodeTLVValue, t.Def.Name, t.Off, "%s value %d is reserved", t.Def.Name, v)
			}
		}
		switch t.Tag {
		case TagMessageState:
			if v, ok := t.Uint(); ok {
				d.checkMessageState(FieldMessageState, t.Off, v)
			}
		case TagMSValidity:
			d.checkMSValidity(t)
		case TagAlertOnMessageDelivery:
			if len(t.Value) == 1 && t.Value[0] > 3 {
				p.issue(SevWarning, CodeTLVValue, t.Def.Name, t.Off, "alert_on_message_delivery value %d is reserved", t.Value[0])
			}
		case TagBroadcastEndTime:
			// Absolute only, like final_date (ref §4 rule 5); the 16-octet
			// form without NUL is tolerated (TLV-02 warning).
			if s := t.CString(); len(s) > 0 {
				d.checkTimeValue(t.Def.Name, t.Off, s, true)
			}
		}
		if t.Tag == TagCongestionState && !p.ID.IsResponse() {
			p.issue(SevWarning, CodeCongestionInReq, t.Def.Name, t.Off, "congestion_state belongs in responses")
		}
	}
	if p.ID != DataSM && p.Version != V50 && !d.seen.meets(&combinedTags) {
		return // the rules below concern TLVs the PDU does not carry
	}
	// SAR triplet (ref §10.4).
	nRef, nTot, nSeq := count(TagSARMsgRefNum), count(TagSARTotalSegments), count(TagSARSegmentSeqnum)
	if nRef+nTot+nSeq > 0 {
		if nRef == 0 || nTot == 0 || nSeq == 0 {
			p.issue(SevError, CodeSAR, "sar_msg_ref_num", HeaderLen, "incomplete SAR triplet: all of sar_msg_ref_num, sar_total_segments and sar_segment_seqnum are needed")
		} else {
			tot, _ := p.TLV(TagSARTotalSegments)
			seq, _ := p.TLV(TagSARSegmentSeqnum)
			tv, _ := tot.Uint()
			sv, _ := seq.Uint()
			if tv == 0 || sv == 0 || sv > tv {
				p.issue(SevError, CodeSAR, "sar_segment_seqnum", seq.Off, "SAR segment %d of %d", sv, tv)
			}
		}
		if d.udhi {
			p.issue(SevWarning, CodeSARWithUDHI, "sar_msg_ref_num", HeaderLen, "SAR TLVs together with a UDH (UDHI set)")
		}
	}
	if d.udhi && count(TagSourcePort)+count(TagDestinationPort) > 0 {
		p.issue(SevWarning, CodeSARWithUDHI, "source_port", HeaderLen, "port TLVs together with a UDH (UDHI set)")
	}
	// message_payload with short_message (ref §10.5).
	if count(TagMessagePayload) > 0 {
		if v := p.value(FieldSMLength); v != nil && v.Int > 0 {
			p.issue(SevError, CodeSMAndPayload, "sm_length", v.Off, "sm_length %d with a message_payload TLV", v.Int)
		}
	} else if p.ID == DataSM {
		p.issue(SevWarning, CodeDataSMNoPayload, "message_payload", HeaderLen, "data_sm without message_payload carries no message")
	}
	// Callback number pairing (ref §5.6).
	if cb := count(TagCallbackNum); count(TagCallbackNumPresInd)+count(TagCallbackNumAtag) > 0 {
		pi, at := count(TagCallbackNumPresInd), count(TagCallbackNumAtag)
		if cb == 0 || (pi > 0 && pi != cb) || (at > 0 && at != cb) {
			p.issue(SevWarning, CodeCallbackCount, "callback_num", HeaderLen, "callback_num ×%d, callback_num_pres_ind ×%d, callback_num_atag ×%d", cb, pi, at)
		}
	}
	if p.Version == V50 {
		d.checkV50TLVs()
	}
	if p.ID == SubmitMulti && count(TagDestSubaddress) > 0 {
		t, _ := p.TLV(TagDestSubaddress)
		p.issue(SevWarning, CodeTLVNotAllowed, "dest_subaddress", t.Off, "dest_subaddress is not supported in submit_multi")
	}
}

// checkV50TLVs applies the v5.0 mandatory-TLV and dependency rules.
func (d *bodyDecoder) checkV50TLVs() {
	p := d.p
	count := d.tlvCount
	for i := range tlvTable {
		def := &tlvTable[i]
		if def.Must50&p.Cmd.TLVGroup != 0 && count(def.Tag) == 0 && !(p.ID.IsResponse() && p.Status != 0) {
			p.issue(SevError, CodeTLVMissing, def.Name, HeaderLen, "%s must carry %s", p.Cmd.Name, def.Name)
		}
	}
	if t, ok := p.TLV(TagDestAddrNPResolution); ok {
		if v, _ := t.Uint(); v == 2 && (count(TagDestAddrNPInformation) == 0 || count(TagDestAddrNPCountry) == 0) {
			p.issue(SevWarning, CodeTLVDependency, t.Def.Name, t.Off, "ported number without dest_addr_np_information and dest_addr_np_country")
		}
	}
	for _, pair := range [][2]uint16{{TagSourceNetworkID, TagSourceNodeID}, {TagDestNetworkID, TagDestNodeID}} {
		if count(pair[0]) > 0 && count(pair[1]) == 0 {
			t, _ := p.TLV(pair[0])
			p.issue(SevWarning, CodeTLVDependency, t.Def.Name, t.Off, "%s requires %s", t.Def.Name, TLVName(pair[1]))
		}
	}
	if p.ID == BroadcastSM {
		if mid, ok := p.Get(FieldMessageID); ok && len(mid.Bytes) > 0 && count(TagUserMessageReference) > 0 {
			p.issue(SevWarning, CodeTLVDependency, "user_message_reference", HeaderLen, "message_id and user_message_reference both identify the broadcast")
		}
		if pr, ok := p.Get(FieldPriorityFlag); ok && pr.Int == 1 && count(TagBroadcastRepNum) > 0 {
			p.issue(SevInfo, CodeTLVDependency, "broadcast_rep_num", HeaderLen, "broadcast_rep_num with immediate broadcast priority")
		}
	}
}

// combinedTags are the tags whose presence the combination rules of
// checkTLVValues (outside data_sm and v5.0) look for. Built at package
// initialisation, never modified.
var combinedTags = func() (s tlvSet) {
	for _, tag := range [...]uint16{TagSARMsgRefNum, TagSARTotalSegments, TagSARSegmentSeqnum,
		TagSourcePort, TagDestinationPort, TagMessagePayload,
		TagCallbackNumPresInd, TagCallbackNumAtag, TagDestSubaddress} {
		s.add(LookupTLV(tag))
	}
	return s
}()

// tlvCount returns how many TLVs carry tag. PDUs carry few TLVs, so a scan
// is cheaper than building a map; the set of tags seen answers at once for
// the defined tags that are absent, which most asked for are.
func (d *bodyDecoder) tlvCount(tag uint16) int {
	if def := LookupTLV(tag); def != nil && !d.seen.has(def) {
		return 0
	}
	n := 0
	for i := range d.p.TLVs {
		if d.p.TLVs[i].Tag == tag {
			n++
		}
	}
	return n
}

// checkMSValidity checks ms_validity (ref §5.5): one octet 0–3, or in v5.0
// four octets: 4 (relative period), a unit 0–6 and a 2-octet count.
func (d *bodyDecoder) checkMSValidity(t *TLV) {
	v := t.Value
	switch {
	case len(v) == 1 && v[0] <= 3:
	case len(v) == 4 && d.p.Version == V50 && v[0] == 4 && v[1] <= 6:
	case len(v) == 1 || (len(v) == 4 && d.p.Version == V50):
		d.p.issue(SevWarning, CodeTLVValue, t.Def.Name, t.Off, "ms_validity value %x is reserved", v)
	}
}
