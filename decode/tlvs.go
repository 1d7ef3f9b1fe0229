package decode

// TLVGroup is a set of commands, used to say which PDUs may carry a TLV
// (ref §5.3 for v3.4, §5.4 for v5.0). Each command names its group.
type TLVGroup uint32

// Command groups. A command belongs to exactly one.
const (
	GroupSubmit TLVGroup = 1 << iota
	GroupSubmitMulti
	GroupDeliver
	GroupData
	GroupSubmitResp // submit_sm_resp, submit_multi_resp
	GroupDeliverResp
	GroupDataResp
	GroupBindResp
	GroupAlert
	GroupReplace
	GroupBroadcast
	GroupBroadcastResp
	GroupQueryBroadcast
	GroupQueryBroadcastResp
	GroupCancelBroadcast
)

// Column sets of ref §5.3 (v3.4) and §5.4 (v5.0). In v5.0, data_sm counts
// as a submission (ESME→MC) and as a delivery (MC→ESME); which one applies
// depends on the direction, which the session layer knows.
const (
	ss  = GroupSubmit
	sm  = GroupSubmitMulti
	ds  = GroupDeliver
	da  = GroupData
	dar = GroupDataResp
	br  = GroupBindResp
	an  = GroupAlert

	sub  = GroupSubmit | GroupSubmitMulti | GroupData
	subr = GroupSubmitResp | GroupDataResp
	dlv  = GroupDeliver | GroupData
	dlvr = GroupDeliverResp | GroupDataResp
	bc   = GroupBroadcast
	bcr  = GroupBroadcastResp
	qb   = GroupQueryBroadcast
	qbr  = GroupQueryBroadcastResp
	cb   = GroupCancelBroadcast
	rs   = GroupReplace
)

// TLVType is how a TLV value is interpreted (ref §5.5).
type TLVType uint8

// TLV value types.
const (
	TLVU8      TLVType = iota + 1 // Int1 (also 1-octet bitmasks)
	TLVU16                        // Int2
	TLVU32                        // Int4
	TLVCString                    // C-Octet String; Length includes the NUL
	TLVOctets                     // raw octets
	TLVEmpty                      // no value (alert_on_message_delivery in v3.4)
)

// TLVDef is one row of the TLV table.
type TLVDef struct {
	Tag   uint16
	Name  string
	Type  TLVType
	Since Version
	// Min and Max bound the Length field in v3.4; Max50, when non-zero,
	// replaces Max in v5.0. Tolerated, when non-zero, is a length that other
	// implementations use and that is only warned about (ref §5.5 notes).
	Min, Max, Max50, Tolerated int
	// In34 and In50 are the commands that may carry the TLV in each version;
	// Must50 those that must carry it in v5.0 (ref §5.4 "M").
	In34, In50, Must50 TLVGroup
	// AnyResponse: allowed in every response PDU in v5.0 (congestion_state).
	AnyResponse bool
	// Repeat: the TLV may legitimately occur several times (ref §5.6).
	Repeat bool

	ordinal uint8 // position in the table, for the decoder's set of tags seen
}

// MaxFor returns the largest allowed Length under version v.
func (d *TLVDef) MaxFor(v Version) int {
	if v == V50 && d.Max50 != 0 {
		return d.Max50
	}
	return d.Max
}

// AllowedIn reports whether a command of group g may carry the TLV under v.
func (d *TLVDef) AllowedIn(g TLVGroup, resp bool, v Version) bool {
	if v == V50 {
		return d.In50&g != 0 || d.Must50&g != 0 || (d.AnyResponse && resp)
	}
	return d.In34&g != 0
}

// TLV tags (ref §5.5).
const (
	TagDestAddrSubunit           uint16 = 0x0005
	TagDestNetworkType           uint16 = 0x0006
	TagDestBearerType            uint16 = 0x0007
	TagDestTelematicsID          uint16 = 0x0008
	TagSourceAddrSubunit         uint16 = 0x000D
	TagSourceNetworkType         uint16 = 0x000E
	TagSourceBearerType          uint16 = 0x000F
	TagSourceTelematicsID        uint16 = 0x0010
	TagQOSTimeToLive             uint16 = 0x0017
	TagPayloadType               uint16 = 0x0019
	TagAdditionalStatusInfoText  uint16 = 0x001D
	TagReceiptedMessageID        uint16 = 0x001E
	TagMSMsgWaitFacilities       uint16 = 0x0030
	TagPrivacyIndicator          uint16 = 0x0201
	TagSourceSubaddress          uint16 = 0x0202
	TagDestSubaddress            uint16 = 0x0203
	TagUserMessageReference      uint16 = 0x0204
	TagUserResponseCode          uint16 = 0x0205
	TagSourcePort                uint16 = 0x020A
	TagDestinationPort           uint16 = 0x020B
	TagSARMsgRefNum              uint16 = 0x020C
	TagLanguageIndicator         uint16 = 0x020D
	TagSARTotalSegments          uint16 = 0x020E
	TagSARSegmentSeqnum          uint16 = 0x020F
	TagSCInterfaceVersion        uint16 = 0x0210
	TagCallbackNumPresInd        uint16 = 0x0302
	TagCallbackNumAtag           uint16 = 0x0303
	TagNumberOfMessages          uint16 = 0x0304
	TagCallbackNum               uint16 = 0x0381
	TagDPFResult                 uint16 = 0x0420
	TagSetDPF                    uint16 = 0x0421
	TagMSAvailabilityStatus      uint16 = 0x0422
	TagNetworkErrorCode          uint16 = 0x0423
	TagMessagePayload            uint16 = 0x0424
	TagDeliveryFailureReason     uint16 = 0x0425
	TagMoreMessagesToSend        uint16 = 0x0426
	TagMessageState              uint16 = 0x0427
	TagCongestionState           uint16 = 0x0428
	TagUSSDServiceOp             uint16 = 0x0501
	TagBroadcastChannelIndicator uint16 = 0x0600
	TagBroadcastContentType      uint16 = 0x0601
	TagBroadcastContentTypeInfo  uint16 = 0x0602
	TagBroadcastMessageClass     uint16 = 0x0603
	TagBroadcastRepNum           uint16 = 0x0604
	TagBroadcastFrequencyInt     uint16 = 0x0605
	TagBroadcastAreaIdentifier   uint16 = 0x0606
	TagBroadcastErrorStatus      uint16 = 0x0607
	TagBroadcastAreaSuccess      uint16 = 0x0608
	TagBroadcastEndTime          uint16 = 0x0609
	TagBroadcastServiceGroup     uint16 = 0x060A
	TagBillingIdentification     uint16 = 0x060B
	TagSourceNetworkID           uint16 = 0x060D
	TagDestNetworkID             uint16 = 0x060E
	TagSourceNodeID              uint16 = 0x060F
	TagDestNodeID                uint16 = 0x0610
	TagDestAddrNPResolution      uint16 = 0x0611
	TagDestAddrNPInformation     uint16 = 0x0612
	TagDestAddrNPCountry         uint16 = 0x0613
	TagDisplayTime               uint16 = 0x1201
	TagSMSSignal                 uint16 = 0x1203
	TagMSValidity                uint16 = 0x1204
	TagAlertOnMessageDelivery    uint16 = 0x130C
	TagITSReplyType              uint16 = 0x1380
	TagITSSessionInfo            uint16 = 0x1383
)

// tlvTable is every TLV of v3.4 and v5.0 (ref §5.3–§5.5).
var tlvTable = []TLVDef{
	{Tag: TagDestAddrSubunit, Name: "dest_addr_subunit", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: ss | sm | da, In50: sub | dlv | bc},
	{Tag: TagDestNetworkType, Name: "dest_network_type", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: da, In50: sub},
	{Tag: TagDestBearerType, Name: "dest_bearer_type", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: da, In50: sub},
	{Tag: TagDestTelematicsID, Name: "dest_telematics_id", Type: TLVU16, Since: V34, Min: 2, Max: 2, In34: da, In50: sub},
	{Tag: TagSourceAddrSubunit, Name: "source_addr_subunit", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: ss | sm | da, In50: sub | dlv | bc},
	{Tag: TagSourceNetworkType, Name: "source_network_type", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: da, In50: sub},
	{Tag: TagSourceBearerType, Name: "source_bearer_type", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: da, In50: sub},
	{Tag: TagSourceTelematicsID, Name: "source_telematics_id", Type: TLVU8, Since: V34, Min: 1, Max: 1, Tolerated: 2, In34: da, In50: sub},
	{Tag: TagQOSTimeToLive, Name: "qos_time_to_live", Type: TLVU32, Since: V34, Min: 4, Max: 4, In34: da, In50: sub},
	{Tag: TagPayloadType, Name: "payload_type", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: ss | sm | ds | da, In50: sub | dlv | bc},
	{Tag: TagAdditionalStatusInfoText, Name: "additional_status_info_text", Type: TLVCString, Since: V34, Min: 1, Max: 256, In34: dar, In50: subr | dlvr},
	{Tag: TagReceiptedMessageID, Name: "receipted_message_id", Type: TLVCString, Since: V34, Min: 1, Max: 65, In34: ds | da, In50: dlv},
	{Tag: TagMSMsgWaitFacilities, Name: "ms_msg_wait_facilities", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: ss | sm | da, In50: sub},
	{Tag: TagPrivacyIndicator, Name: "privacy_indicator", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: ss | sm | ds | da, In50: sub | dlv | bc},
	{Tag: TagSourceSubaddress, Name: "source_subaddress", Type: TLVOctets, Since: V34, Min: 2, Max: 23, In34: ss | sm | ds | da, In50: sub | dlv | bc},
	{Tag: TagDestSubaddress, Name: "dest_subaddress", Type: TLVOctets, Since: V34, Min: 2, Max: 23, In34: ss | sm | ds | da, In50: sub | dlv | bc},
	{Tag: TagUserMessageReference, Name: "user_message_reference", Type: TLVU16, Since: V34, Min: 2, Max: 2, In34: ss | sm | ds | da, In50: sub | dlv | bc | qb | qbr | cb},
	{Tag: TagUserResponseCode, Name: "user_response_code", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: ss | ds | da, In50: sub | dlv},
	{Tag: TagSourcePort, Name: "source_port", Type: TLVU16, Since: V34, Min: 2, Max: 2, In34: ss | sm | ds | da, In50: sub | dlv | bc},
	{Tag: TagDestinationPort, Name: "destination_port", Type: TLVU16, Since: V34, Min: 2, Max: 2, In34: ss | sm | ds | da, In50: sub | dlv | bc},
	{Tag: TagSARMsgRefNum, Name: "sar_msg_ref_num", Type: TLVU16, Since: V34, Min: 2, Max: 2, In34: ss | sm | ds | da, In50: sub | dlv},
	{Tag: TagLanguageIndicator, Name: "language_indicator", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: ss | sm | ds | da, In50: sub | dlv | bc},
	{Tag: TagSARTotalSegments, Name: "sar_total_segments", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: ss | sm | ds | da, In50: sub | dlv},
	{Tag: TagSARSegmentSeqnum, Name: "sar_segment_seqnum", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: ss | sm | ds | da, In50: sub | dlv},
	{Tag: TagSCInterfaceVersion, Name: "sc_interface_version", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: br, In50: br},
	{Tag: TagCallbackNumPresInd, Name: "callback_num_pres_ind", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: ss | sm | da, In50: sub | dlv | bc, Repeat: true},
	{Tag: TagCallbackNumAtag, Name: "callback_num_atag", Type: TLVOctets, Since: V34, Min: 1, Max: 65, In34: ss | sm | da, In50: sub | dlv | bc, Repeat: true},
	{Tag: TagNumberOfMessages, Name: "number_of_messages", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: ss | da, In50: sub},
	{Tag: TagCallbackNum, Name: "callback_num", Type: TLVOctets, Since: V34, Min: 4, Max: 19, In34: ss | sm | ds | da, In50: sub | dlv | bc, Repeat: true},
	{Tag: TagDPFResult, Name: "dpf_result", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: dar, In50: subr | dlv},
	{Tag: TagSetDPF, Name: "set_dpf", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: da, In50: sub},
	{Tag: TagMSAvailabilityStatus, Name: "ms_availability_status", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: an, In50: an},
	{Tag: TagNetworkErrorCode, Name: "network_error_code", Type: TLVOctets, Since: V34, Min: 3, Max: 3, In34: ds | da | dar, In50: subr | dlv | dlvr},
	{Tag: TagMessagePayload, Name: "message_payload", Type: TLVOctets, Since: V34, Min: 0, Max: 65535, In34: ss | sm | ds | da, In50: sub | dlv | bc | rs},
	{Tag: TagDeliveryFailureReason, Name: "delivery_failure_reason", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: dar, In50: subr | dlvr},
	{Tag: TagMoreMessagesToSend, Name: "more_messages_to_send", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: ss | da, In50: sub},
	{Tag: TagMessageState, Name: "message_state", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: ds | da, In50: dlv, Must50: qbr},
	{Tag: TagCongestionState, Name: "congestion_state", Type: TLVU8, Since: V50, Min: 1, Max: 1, AnyResponse: true},
	{Tag: TagUSSDServiceOp, Name: "ussd_service_op", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: ss, In50: sub | dlv},
	{Tag: TagBroadcastChannelIndicator, Name: "broadcast_channel_indicator", Type: TLVU8, Since: V50, Min: 1, Max: 1, In50: bc},
	{Tag: TagBroadcastContentType, Name: "broadcast_content_type", Type: TLVOctets, Since: V50, Min: 3, Max: 3, In50: cb, Must50: bc},
	{Tag: TagBroadcastContentTypeInfo, Name: "broadcast_content_type_info", Type: TLVOctets, Since: V50, Min: 1, Max: 255, In50: bc},
	{Tag: TagBroadcastMessageClass, Name: "broadcast_message_class", Type: TLVU8, Since: V50, Min: 1, Max: 1, In50: bc},
	{Tag: TagBroadcastRepNum, Name: "broadcast_rep_num", Type: TLVU16, Since: V50, Min: 2, Max: 2, Tolerated: 1, Must50: bc},
	{Tag: TagBroadcastFrequencyInt, Name: "broadcast_frequency_interval", Type: TLVOctets, Since: V50, Min: 3, Max: 3, Must50: bc},
	{Tag: TagBroadcastAreaIdentifier, Name: "broadcast_area_identifier", Type: TLVOctets, Since: V50, Min: 1, Max: 101, In50: bcr, Must50: bc | qbr, Repeat: true},
	{Tag: TagBroadcastErrorStatus, Name: "broadcast_error_status", Type: TLVU32, Since: V50, Min: 4, Max: 4, In50: bcr, Repeat: true},
	{Tag: TagBroadcastAreaSuccess, Name: "broadcast_area_success", Type: TLVU8, Since: V50, Min: 1, Max: 1, Must50: qbr, Repeat: true},
	{Tag: TagBroadcastEndTime, Name: "broadcast_end_time", Type: TLVCString, Since: V50, Min: 17, Max: 17, Tolerated: 16, In50: qbr},
	{Tag: TagBroadcastServiceGroup, Name: "broadcast_service_group", Type: TLVOctets, Since: V50, Min: 1, Max: 255, In50: bc},
	{Tag: TagBillingIdentification, Name: "billing_identification", Type: TLVOctets, Since: V50, Min: 1, Max: 1024, In50: sub},
	{Tag: TagSourceNetworkID, Name: "source_network_id", Type: TLVCString, Since: V50, Min: 7, Max: 65, In50: sub | dlv},
	{Tag: TagDestNetworkID, Name: "dest_network_id", Type: TLVCString, Since: V50, Min: 7, Max: 65, In50: sub | dlv},
	{Tag: TagSourceNodeID, Name: "source_node_id", Type: TLVOctets, Since: V50, Min: 6, Max: 6, In50: sub | dlv},
	{Tag: TagDestNodeID, Name: "dest_node_id", Type: TLVOctets, Since: V50, Min: 6, Max: 6, In50: sub | dlv},
	{Tag: TagDestAddrNPResolution, Name: "dest_addr_np_resolution", Type: TLVU8, Since: V50, Min: 1, Max: 1, In50: sub | dlv},
	{Tag: TagDestAddrNPInformation, Name: "dest_addr_np_information", Type: TLVOctets, Since: V50, Min: 10, Max: 10, In50: sub | dlv},
	{Tag: TagDestAddrNPCountry, Name: "dest_addr_np_country", Type: TLVOctets, Since: V50, Min: 1, Max: 5, In50: sub | dlv},
	{Tag: TagDisplayTime, Name: "display_time", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: ss | sm | da, In50: sub | bc},
	{Tag: TagSMSSignal, Name: "sms_signal", Type: TLVU16, Since: V34, Min: 2, Max: 2, In34: ss | sm | da, In50: sub | bc},
	{Tag: TagMSValidity, Name: "ms_validity", Type: TLVOctets, Since: V34, Min: 1, Max: 1, Max50: 4, In34: ss | sm | da, In50: sub | bc},
	{Tag: TagAlertOnMessageDelivery, Name: "alert_on_message_delivery", Type: TLVEmpty, Since: V34, Min: 0, Max: 0, Max50: 1, In34: ss | sm | da, In50: sub | bc},
	{Tag: TagITSReplyType, Name: "its_reply_type", Type: TLVU8, Since: V34, Min: 1, Max: 1, In34: ss | da, In50: sub | dlv},
	{Tag: TagITSSessionInfo, Name: "its_session_info", Type: TLVOctets, Since: V34, Min: 2, Max: 2, In34: ss | ds | da, In50: sub | dlv},
}

// vendorTLVNames are vendor tags seen in the wild (ref §5.7). Vendor tags are
// not globally unique, so these names are hints, never validated.
var vendorTLVNames = map[uint16]string{
	0x1400: "vendor_0x1400",
	0x1401: "vendor_0x1401",
	0x1402: "vendor_0x1402",
	0x1501: "vendor_source_msc_addr",
	0x1502: "vendor_dest_msc_addr",
	0x1503: "vendor_dest_mcc_mnc",
	0x8081: "orig_msc_addr",
	0x8082: "dest_msc_addr",
}

// tlvIndex finds rows by tag: a page of 256 rows per high octet of the
// tag, allocated only for the few high octets the table uses. It is built
// at package initialisation and never modified.
var tlvIndex = func() *[256]*[256]*TLVDef {
	var ix [256]*[256]*TLVDef
	for i := range tlvTable {
		tlvTable[i].ordinal = uint8(i)
		tag := tlvTable[i].Tag
		if ix[tag>>8] == nil {
			ix[tag>>8] = new([256]*TLVDef)
		}
		ix[tag>>8][tag&0xFF] = &tlvTable[i]
	}
	return &ix
}()

// tlvSet is a set of defined tags, by their ordinal in the table.
type tlvSet [(maxTLVDefs + 63) / 64]uint64

// maxTLVDefs bounds the table; TestTLVTableFitsSet checks it.
const maxTLVDefs = 128

// add adds d and reports whether it was already there.
func (s *tlvSet) add(d *TLVDef) bool {
	w, bit := d.ordinal/64, uint64(1)<<(d.ordinal%64)
	had := s[w]&bit != 0
	s[w] |= bit
	return had
}

// has reports whether d is in the set.
func (s *tlvSet) has(d *TLVDef) bool {
	return s[d.ordinal/64]&(uint64(1)<<(d.ordinal%64)) != 0
}

// meets reports whether s and t have a tag in common.
func (s *tlvSet) meets(t *tlvSet) bool {
	for i := range s {
		if s[i]&t[i] != 0 {
			return true
		}
	}
	return false
}

// LookupTLV returns the definition of tag, or nil for tags the
// specifications do not define.
func LookupTLV(tag uint16) *TLVDef {
	if page := tlvIndex[tag>>8]; page != nil {
		return page[tag&0xFF]
	}
	return nil
}

// TLVs returns the TLV table in tag order. The rows must not be modified.
func TLVs() []TLVDef { return tlvTable }

// TLVName returns the specification name of tag, a vendor hint, or a hex form.
func TLVName(tag uint16) string {
	if d := LookupTLV(tag); d != nil {
		return d.Name
	}
	if n, ok := vendorTLVNames[tag]; ok {
		return n
	}
	const hexDigits = "0123456789abcdef"
	b := []byte("tag_0x0000")
	for i := 0; i < 4; i++ {
		b[len(b)-1-i] = hexDigits[(tag>>(4*i))&0xf]
	}
	return string(b)
}

// IsVendorTag reports whether tag lies in the vendor-specific range 0x1400–0x3FFF.
func IsVendorTag(tag uint16) bool { return tag >= 0x1400 && tag <= 0x3FFF }
