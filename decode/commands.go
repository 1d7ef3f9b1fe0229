package decode

// Sender says which side of a session may send a command (ref §2.2).
type Sender uint8

// Senders.
const (
	ByESME Sender = 1 << iota
	BySMSC
	ByEither = ByESME | BySMSC
)

func (s Sender) String() string {
	switch s {
	case ByESME:
		return "ESME"
	case BySMSC:
		return "SMSC"
	case ByEither:
		return "either"
	}
	return "none"
}

// Command is one row of the protocol table: everything the decoder, encoder
// and validator need to know about a command_id (ref §2, §3).
type Command struct {
	ID    CommandID
	Name  string
	Since Version // first version that defines it
	Until Version // last version that defines it (0: still defined)
	By    Sender
	// Fields are the mandatory body fields in wire order.
	Fields []Field
	// NoResponse marks outbind and alert_notification, which are never answered.
	NoResponse bool
	// HeaderOnly marks PDUs that never have a body (ref §1.7).
	HeaderOnly bool
	// TLVGroup says which TLVs the command may carry (see tlvs.go).
	TLVGroup TLVGroup
	// MinLen is the smallest command_length a PDU of this command can have.
	// For responses it is 16: an error response may omit its body (ref §1.7).
	MinLen int
	// MinBody is the smallest body holding every mandatory field.
	MinBody int

	// index maps a FieldID to its position in Fields plus one (0: absent);
	// filled for the rows of the protocol table.
	index   [numFieldIDs]uint8
	indexed bool
	// slices has bit i set when Fields[i] decodes to a slice (Value.Bytes).
	slices uint32
	// userData: the command may carry user data or say how it is coded
	// (see mayCarryUserData).
	userData bool
	// quiet holds, per version of quietVersions and parallel to Fields,
	// the values of the one-octet fields that raise no issue (quiet.go).
	quiet [len(quietVersions)][]u8Set
}

// IsResponse reports whether the command is a response.
func (c *Command) IsResponse() bool { return c.ID.IsResponse() }

// In reports whether the command exists in version v.
func (c *Command) In(v Version) bool {
	return v >= c.Since && (c.Until == 0 || v <= c.Until)
}

// sliceFields returns a mask with bit i set when Fields[i] decodes to a
// slice (Value.Bytes): a C-string, time or octet string.
func (c *Command) sliceFields() uint32 {
	if c.indexed {
		return c.slices
	}
	var m uint32
	for i := range c.Fields {
		switch c.Fields[i].Kind {
		case KindCString, KindTime, KindOctets:
			m |= 1 << i
		}
	}
	return m
}

// mayCarryUserData reports whether the command has a field that holds or
// describes user data: short_message, esm_class or data_coding (data_sm,
// whose user data is a TLV, has the latter two). Without TLVs, the other
// commands carry none.
func (c *Command) mayCarryUserData() bool {
	if c.indexed {
		return c.userData
	}
	return c.Field(FieldShortMessage) >= 0 || c.Field(FieldESMClass) >= 0 || c.Field(FieldDataCoding) >= 0
}

// Field returns the index of the mandatory field id in c.Fields, or -1.
func (c *Command) Field(id FieldID) int {
	if c.indexed && id < numFieldIDs {
		return int(c.index[id]) - 1
	}
	for i := range c.Fields {
		if c.Fields[i].ID == id {
			return i
		}
	}
	return -1
}

// Command IDs (ref §2.1).
const (
	GenericNack           CommandID = 0x80000000
	BindReceiver          CommandID = 0x00000001
	BindReceiverResp      CommandID = 0x80000001
	BindTransmitter       CommandID = 0x00000002
	BindTransmitterResp   CommandID = 0x80000002
	QuerySM               CommandID = 0x00000003
	QuerySMResp           CommandID = 0x80000003
	SubmitSM              CommandID = 0x00000004
	SubmitSMResp          CommandID = 0x80000004
	DeliverSM             CommandID = 0x00000005
	DeliverSMResp         CommandID = 0x80000005
	Unbind                CommandID = 0x00000006
	UnbindResp            CommandID = 0x80000006
	ReplaceSM             CommandID = 0x00000007
	ReplaceSMResp         CommandID = 0x80000007
	CancelSM              CommandID = 0x00000008
	CancelSMResp          CommandID = 0x80000008
	BindTransceiver       CommandID = 0x00000009
	BindTransceiverResp   CommandID = 0x80000009
	Outbind               CommandID = 0x0000000B
	EnquireLink           CommandID = 0x00000015
	EnquireLinkResp       CommandID = 0x80000015
	SubmitMulti           CommandID = 0x00000021
	SubmitMultiResp       CommandID = 0x80000021
	ParamRetrieve         CommandID = 0x00000022
	ParamRetrieveResp     CommandID = 0x80000022
	QueryLastMsgs         CommandID = 0x00000023
	QueryLastMsgsResp     CommandID = 0x80000023
	QueryMsgDetails       CommandID = 0x00000024
	QueryMsgDetailsResp   CommandID = 0x80000024
	AlertNotification     CommandID = 0x00000102
	DataSM                CommandID = 0x00000103
	DataSMResp            CommandID = 0x80000103
	BroadcastSM           CommandID = 0x00000111
	BroadcastSMResp       CommandID = 0x80000111
	QueryBroadcastSM      CommandID = 0x00000112
	QueryBroadcastSMResp  CommandID = 0x80000112
	CancelBroadcastSM     CommandID = 0x00000113
	CancelBroadcastSMResp CommandID = 0x80000113
)

// Field rows shared by several commands.
var (
	fSystemID    = Field{ID: FieldSystemID, Kind: KindCString, Max: 16}
	fPassword    = Field{ID: FieldPassword, Kind: KindCString, Max: 9}
	fSystemType  = Field{ID: FieldSystemType, Kind: KindCString, Max: 13}
	fIfVersion   = Field{ID: FieldInterfaceVersion, Kind: KindU8}
	fAddrTON     = Field{ID: FieldAddrTON, Kind: KindU8}
	fAddrNPI     = Field{ID: FieldAddrNPI, Kind: KindU8}
	fAddrRange   = Field{ID: FieldAddressRange, Kind: KindCString, Max: 41}
	fServiceType = Field{ID: FieldServiceType, Kind: KindCString, Max: 6}
	fSrcTON      = Field{ID: FieldSourceAddrTON, Kind: KindU8}
	fSrcNPI      = Field{ID: FieldSourceAddrNPI, Kind: KindU8}
	fSrcAddr     = Field{ID: FieldSourceAddr, Kind: KindCString, Max: 21}
	fSrcAddr65   = Field{ID: FieldSourceAddr, Kind: KindCString, Max: 65}
	fDstTON      = Field{ID: FieldDestAddrTON, Kind: KindU8}
	fDstNPI      = Field{ID: FieldDestAddrNPI, Kind: KindU8}
	fDstAddr     = Field{ID: FieldDestinationAddr, Kind: KindCString, Max: 21}
	fDstAddr65   = Field{ID: FieldDestinationAddr, Kind: KindCString, Max: 65}
	fESMClass    = Field{ID: FieldESMClass, Kind: KindU8}
	fProtocolID  = Field{ID: FieldProtocolID, Kind: KindU8}
	fPriority    = Field{ID: FieldPriorityFlag, Kind: KindU8}
	fSchedule    = Field{ID: FieldScheduleDeliveryTime, Kind: KindTime, Max: 17}
	fValidity    = Field{ID: FieldValidityPeriod, Kind: KindTime, Max: 17}
	fRegDelivery = Field{ID: FieldRegisteredDelivery, Kind: KindU8}
	fReplaceIf   = Field{ID: FieldReplaceIfPresentFlag, Kind: KindU8}
	fDataCoding  = Field{ID: FieldDataCoding, Kind: KindU8}
	fDefaultMsg  = Field{ID: FieldSMDefaultMsgID, Kind: KindU8}
	fSMLength    = Field{ID: FieldSMLength, Kind: KindU8}
	fShortMsg    = Field{ID: FieldShortMessage, Kind: KindOctets, Count: FieldSMLength, Max: 254, Max33: 160, Max50: 255}
	fMessageID   = Field{ID: FieldMessageID, Kind: KindCString, Max: 65, Max33: 9}
	fFinalDate   = Field{ID: FieldFinalDate, Kind: KindTime, Max: 17}
	fMsgState    = Field{ID: FieldMessageState, Kind: KindU8}
	fErrorCode   = Field{ID: FieldErrorCode, Kind: KindU8}
)

var bindFields = []Field{fSystemID, fPassword, fSystemType, fIfVersion, fAddrTON, fAddrNPI, fAddrRange}
var bindRespFields = []Field{fSystemID}
var messageIDOnly = []Field{fMessageID}

// submitFields is the layout of submit_sm and deliver_sm (ref §3.4).
var submitFields = []Field{fServiceType, fSrcTON, fSrcNPI, fSrcAddr, fDstTON, fDstNPI, fDstAddr,
	fESMClass, fProtocolID, fPriority, fSchedule, fValidity, fRegDelivery, fReplaceIf, fDataCoding,
	fDefaultMsg, fSMLength, fShortMsg}

// commandTable lists every command of v3.3, v3.4 and v5.0 (ref §2.1, §3).
var commandTable = []Command{
	{ID: GenericNack, Name: "generic_nack", Since: V33, By: ByEither, HeaderOnly: true},
	{ID: BindReceiver, Name: "bind_receiver", Since: V33, By: ByESME, Fields: bindFields},
	{ID: BindReceiverResp, Name: "bind_receiver_resp", Since: V33, By: BySMSC, Fields: bindRespFields, TLVGroup: GroupBindResp},
	{ID: BindTransmitter, Name: "bind_transmitter", Since: V33, By: ByESME, Fields: bindFields},
	{ID: BindTransmitterResp, Name: "bind_transmitter_resp", Since: V33, By: BySMSC, Fields: bindRespFields, TLVGroup: GroupBindResp},
	{ID: QuerySM, Name: "query_sm", Since: V33, By: ByESME, Fields: []Field{fMessageID, fSrcTON, fSrcNPI, fSrcAddr}},
	{ID: QuerySMResp, Name: "query_sm_resp", Since: V33, By: BySMSC, Fields: []Field{fMessageID, fFinalDate, fMsgState, fErrorCode}},
	{ID: SubmitSM, Name: "submit_sm", Since: V33, By: ByESME, Fields: submitFields, TLVGroup: GroupSubmit},
	{ID: SubmitSMResp, Name: "submit_sm_resp", Since: V33, By: BySMSC, Fields: messageIDOnly, TLVGroup: GroupSubmitResp},
	{ID: DeliverSM, Name: "deliver_sm", Since: V33, By: BySMSC, Fields: submitFields, TLVGroup: GroupDeliver},
	{ID: DeliverSMResp, Name: "deliver_sm_resp", Since: V33, By: ByESME, Fields: messageIDOnly, TLVGroup: GroupDeliverResp},
	{ID: Unbind, Name: "unbind", Since: V33, By: ByEither, HeaderOnly: true},
	{ID: UnbindResp, Name: "unbind_resp", Since: V33, By: ByEither, HeaderOnly: true},
	{ID: ReplaceSM, Name: "replace_sm", Since: V33, By: ByESME, TLVGroup: GroupReplace, Fields: []Field{
		fMessageID, fSrcTON, fSrcNPI, fSrcAddr, fSchedule, fValidity, fRegDelivery, fDefaultMsg, fSMLength, fShortMsg}},
	{ID: ReplaceSMResp, Name: "replace_sm_resp", Since: V33, By: BySMSC, HeaderOnly: true},
	{ID: CancelSM, Name: "cancel_sm", Since: V33, By: ByESME, Fields: []Field{
		fServiceType, fMessageID, fSrcTON, fSrcNPI, fSrcAddr, fDstTON, fDstNPI, fDstAddr}},
	{ID: CancelSMResp, Name: "cancel_sm_resp", Since: V33, By: BySMSC, HeaderOnly: true},
	{ID: BindTransceiver, Name: "bind_transceiver", Since: V34, By: ByESME, Fields: bindFields},
	{ID: BindTransceiverResp, Name: "bind_transceiver_resp", Since: V34, By: BySMSC, Fields: bindRespFields, TLVGroup: GroupBindResp},
	{ID: Outbind, Name: "outbind", Since: V34, By: BySMSC, NoResponse: true, Fields: []Field{fSystemID, fPassword}},
	{ID: EnquireLink, Name: "enquire_link", Since: V33, By: ByEither, HeaderOnly: true},
	{ID: EnquireLinkResp, Name: "enquire_link_resp", Since: V33, By: ByEither, HeaderOnly: true},
	{ID: SubmitMulti, Name: "submit_multi", Since: V33, By: ByESME, TLVGroup: GroupSubmitMulti, Fields: []Field{
		fServiceType, fSrcTON, fSrcNPI, fSrcAddr,
		{ID: FieldNumberOfDests, Kind: KindU8},
		{ID: FieldDestAddresses, Kind: KindDestList, Count: FieldNumberOfDests, Max: 254, Max50: 255},
		fESMClass, fProtocolID, fPriority, fSchedule, fValidity, fRegDelivery, fReplaceIf, fDataCoding,
		fDefaultMsg, fSMLength, fShortMsg}},
	{ID: SubmitMultiResp, Name: "submit_multi_resp", Since: V33, By: BySMSC, TLVGroup: GroupSubmitResp, Fields: []Field{
		fMessageID,
		{ID: FieldNoUnsuccess, Kind: KindU8},
		{ID: FieldUnsuccessSMEs, Kind: KindUnsuccess, Count: FieldNoUnsuccess, Max: 255}}},
	{ID: ParamRetrieve, Name: "param_retrieve", Since: V33, Until: V33, By: ByESME, Fields: []Field{
		{ID: FieldParamName, Kind: KindCString, Max: 32}}},
	{ID: ParamRetrieveResp, Name: "param_retrieve_resp", Since: V33, Until: V33, By: BySMSC, Fields: []Field{
		{ID: FieldParamValue, Kind: KindCString, Max: 101}}},
	{ID: QueryLastMsgs, Name: "query_last_msgs", Since: V33, Until: V33, By: ByESME, Fields: []Field{
		fSrcTON, fSrcNPI, fSrcAddr, {ID: FieldNumMessages, Kind: KindU8}}},
	{ID: QueryLastMsgsResp, Name: "query_last_msgs_resp", Since: V33, Until: V33, By: BySMSC, Fields: []Field{
		{ID: FieldNumberMsgs, Kind: KindU8},
		{ID: FieldMessageIDs, Kind: KindIDList, Count: FieldNumberMsgs, Max: 100}}},
	{ID: QueryMsgDetails, Name: "query_msg_details", Since: V33, Until: V33, By: ByESME, Fields: []Field{
		{ID: FieldOriginalMessageID, Kind: KindCString, Max: 9}, fSrcTON, fSrcNPI, fSrcAddr, fSMLength}},
	{ID: QueryMsgDetailsResp, Name: "query_msg_details_resp", Since: V33, Until: V33, By: BySMSC, Fields: []Field{
		fServiceType, fSrcTON, fSrcNPI, fSrcAddr,
		{ID: FieldNumberOfDests, Kind: KindU8},
		{ID: FieldDestAddresses, Kind: KindDestList, Count: FieldNumberOfDests, Max: 255},
		fProtocolID, fPriority, fSchedule, fValidity, fRegDelivery, fDataCoding, fSMLength,
		{ID: FieldShortMessage, Kind: KindOctets, Count: FieldSMLength, Max: 160},
		{ID: FieldMessageID, Kind: KindCString, Max: 9}, fFinalDate,
		{ID: FieldMessageStatus, Kind: KindU8}, fErrorCode}},
	{ID: AlertNotification, Name: "alert_notification", Since: V34, By: BySMSC, NoResponse: true, TLVGroup: GroupAlert, Fields: []Field{
		fSrcTON, fSrcNPI, fSrcAddr65,
		{ID: FieldESMEAddrTON, Kind: KindU8}, {ID: FieldESMEAddrNPI, Kind: KindU8},
		{ID: FieldESMEAddr, Kind: KindCString, Max: 65}}},
	{ID: DataSM, Name: "data_sm", Since: V34, By: ByEither, TLVGroup: GroupData, Fields: []Field{
		fServiceType, fSrcTON, fSrcNPI, fSrcAddr65, fDstTON, fDstNPI, fDstAddr65, fESMClass, fRegDelivery, fDataCoding}},
	{ID: DataSMResp, Name: "data_sm_resp", Since: V34, By: ByEither, Fields: messageIDOnly, TLVGroup: GroupDataResp},
	{ID: BroadcastSM, Name: "broadcast_sm", Since: V50, By: ByESME, TLVGroup: GroupBroadcast, Fields: []Field{
		fServiceType, fSrcTON, fSrcNPI, fSrcAddr, fMessageID, fPriority, fSchedule, fValidity, fReplaceIf,
		fDataCoding, fDefaultMsg}},
	{ID: BroadcastSMResp, Name: "broadcast_sm_resp", Since: V50, By: BySMSC, Fields: messageIDOnly, TLVGroup: GroupBroadcastResp},
	{ID: QueryBroadcastSM, Name: "query_broadcast_sm", Since: V50, By: ByESME, TLVGroup: GroupQueryBroadcast, Fields: []Field{
		fMessageID, fSrcTON, fSrcNPI, fSrcAddr}},
	{ID: QueryBroadcastSMResp, Name: "query_broadcast_sm_resp", Since: V50, By: BySMSC, Fields: messageIDOnly, TLVGroup: GroupQueryBroadcastResp},
	{ID: CancelBroadcastSM, Name: "cancel_broadcast_sm", Since: V50, By: ByESME, TLVGroup: GroupCancelBroadcast, Fields: []Field{
		fServiceType, fMessageID, fSrcTON, fSrcNPI, fSrcAddr}},
	{ID: CancelBroadcastSMResp, Name: "cancel_broadcast_sm_resp", Since: V50, By: BySMSC, HeaderOnly: true},
}

// commandIndex finds rows by command_id. Standard ids are small, so two
// arrays indexed by the low bits cover them; the table is never modified
// after package initialisation.
type commandIndex struct {
	req, resp [0x114]*Command
}

var commands = buildCommandIndex()

func buildCommandIndex() *commandIndex {
	ix := &commandIndex{}
	for i := range commandTable {
		c := &commandTable[i]
		for j, f := range c.Fields {
			c.MinBody += f.minSize()
			if c.index[f.ID] == 0 {
				c.index[f.ID] = uint8(j + 1)
			}
		}
		c.slices = c.sliceFields()
		c.userData = c.mayCarryUserData()
		c.indexed = true
		c.buildQuiet()
		c.MinLen = HeaderLen
		if !c.IsResponse() {
			c.MinLen += c.MinBody
		}
		lo := c.ID &^ RespBit
		if c.IsResponse() {
			ix.resp[lo] = c
		} else {
			ix.req[lo] = c
		}
	}
	return ix
}

// LookupCommand returns the table row of id, or nil when id is not a
// command of any SMPP version.
func LookupCommand(id CommandID) *Command {
	lo := id &^ RespBit
	if lo >= CommandID(len(commands.req)) {
		return nil
	}
	if id.IsResponse() {
		return commands.resp[lo]
	}
	return commands.req[lo]
}

// Commands returns the protocol table, in command_id order of ref §2.1.
// The rows must not be modified.
func Commands() []Command { return commandTable }

// CommandName returns the name of id, or a hex form for unknown ids.
func CommandName(id CommandID) string {
	if c := LookupCommand(id); c != nil {
		return c.Name
	}
	if name, ok := vendorCommandName(id); ok {
		return name
	}
	return unknownCommandName(id)
}

func unknownCommandName(id CommandID) string {
	const hexDigits = "0123456789abcdef"
	b := []byte("unknown_0x00000000")
	for i := 0; i < 8; i++ {
		b[len(b)-1-i] = hexDigits[(uint32(id)>>(4*i))&0xf]
	}
	return string(b)
}

// vendorCommandName names the non-standard operations Wireshark also knows
// (ref §2.1 notes): Huawei "SMPP+" auth_acc and sm_result_notify.
func vendorCommandName(id CommandID) (string, bool) {
	switch id {
	case 0x01000001:
		return "auth_acc", true
	case 0x81000001:
		return "auth_acc_resp", true
	case 0x01000002:
		return "sm_result_notify", true
	case 0x81000002:
		return "sm_result_notify_resp", true
	}
	return "", false
}
