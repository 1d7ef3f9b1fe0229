package decode

// Kind is the wire type of a mandatory field (ref §3 conventions).
type Kind uint8

// Field kinds.
const (
	KindU8        Kind = iota + 1 // Int1
	KindU32                       // Int4
	KindCString                   // C-Octet String of at most Max octets including the NUL
	KindTime                      // C{1|17}: NULL or a 16-character time and its NUL (ref §4)
	KindOctets                    // Oct(n): n taken from the earlier field named by Count
	KindDestList                  // submit_multi dest_address composites, count from Count
	KindUnsuccess                 // submit_multi_resp unsuccess_sme composites, count from Count
	KindIDList                    // v3.3 query_last_msgs_resp: Count × C(9) message ids
)

var kindNames = [...]string{KindU8: "Int1", KindU32: "Int4", KindCString: "C-Octet String",
	KindTime: "time", KindOctets: "Octet String", KindDestList: "dest_address list",
	KindUnsuccess: "unsuccess_sme list", KindIDList: "message_id list"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "unknown"
}

// IsInt reports whether values of this kind are integers.
func (k Kind) IsInt() bool { return k == KindU8 || k == KindU32 }

// FieldID identifies a mandatory field across commands, so that callers can
// ask any PDU for, say, its destination_addr without knowing its layout.
type FieldID uint8

// Field identifiers. Their JSON/spec names are in fieldNames.
const (
	FieldNone FieldID = iota
	FieldSystemID
	FieldPassword
	FieldSystemType
	FieldInterfaceVersion
	FieldAddrTON
	FieldAddrNPI
	FieldAddressRange
	FieldServiceType
	FieldSourceAddrTON
	FieldSourceAddrNPI
	FieldSourceAddr
	FieldDestAddrTON
	FieldDestAddrNPI
	FieldDestinationAddr
	FieldESMClass
	FieldProtocolID
	FieldPriorityFlag
	FieldScheduleDeliveryTime
	FieldValidityPeriod
	FieldRegisteredDelivery
	FieldReplaceIfPresentFlag
	FieldDataCoding
	FieldSMDefaultMsgID
	FieldSMLength
	FieldShortMessage
	FieldMessageID
	FieldNumberOfDests
	FieldDestAddresses
	FieldNoUnsuccess
	FieldUnsuccessSMEs
	FieldFinalDate
	FieldMessageState
	FieldErrorCode
	FieldESMEAddrTON
	FieldESMEAddrNPI
	FieldESMEAddr
	FieldNumMessages
	FieldNumberMsgs
	FieldMessageIDs
	FieldOriginalMessageID
	FieldParamName
	FieldParamValue
	FieldMessageStatus
	numFieldIDs
)

var fieldNames = [numFieldIDs]string{
	FieldSystemID:             "system_id",
	FieldPassword:             "password",
	FieldSystemType:           "system_type",
	FieldInterfaceVersion:     "interface_version",
	FieldAddrTON:              "addr_ton",
	FieldAddrNPI:              "addr_npi",
	FieldAddressRange:         "address_range",
	FieldServiceType:          "service_type",
	FieldSourceAddrTON:        "source_addr_ton",
	FieldSourceAddrNPI:        "source_addr_npi",
	FieldSourceAddr:           "source_addr",
	FieldDestAddrTON:          "dest_addr_ton",
	FieldDestAddrNPI:          "dest_addr_npi",
	FieldDestinationAddr:      "destination_addr",
	FieldESMClass:             "esm_class",
	FieldProtocolID:           "protocol_id",
	FieldPriorityFlag:         "priority_flag",
	FieldScheduleDeliveryTime: "schedule_delivery_time",
	FieldValidityPeriod:       "validity_period",
	FieldRegisteredDelivery:   "registered_delivery",
	FieldReplaceIfPresentFlag: "replace_if_present_flag",
	FieldDataCoding:           "data_coding",
	FieldSMDefaultMsgID:       "sm_default_msg_id",
	FieldSMLength:             "sm_length",
	FieldShortMessage:         "short_message",
	FieldMessageID:            "message_id",
	FieldNumberOfDests:        "number_of_dests",
	FieldDestAddresses:        "dest_address",
	FieldNoUnsuccess:          "no_unsuccess",
	FieldUnsuccessSMEs:        "unsuccess_sme",
	FieldFinalDate:            "final_date",
	FieldMessageState:         "message_state",
	FieldErrorCode:            "error_code",
	FieldESMEAddrTON:          "esme_addr_ton",
	FieldESMEAddrNPI:          "esme_addr_npi",
	FieldESMEAddr:             "esme_addr",
	FieldNumMessages:          "num_messages",
	FieldNumberMsgs:           "number_msgs",
	FieldMessageIDs:           "message_ids",
	FieldOriginalMessageID:    "original_message_id",
	FieldParamName:            "param_name",
	FieldParamValue:           "param_value",
	FieldMessageStatus:        "message_status",
}

// String returns the specification's snake_case name of the field.
func (f FieldID) String() string {
	if f < numFieldIDs && fieldNames[f] != "" {
		return fieldNames[f]
	}
	return "unknown_field"
}

// Field is one row of a command's ordered list of mandatory fields.
type Field struct {
	ID    FieldID
	Kind  Kind
	Max   int     // C-strings: maximum octets including the NUL; octets: maximum length (v3.4)
	Count FieldID // Octets and lists: the earlier integer field holding the length or count
	// Max33 and Max50, when non-zero, replace Max in v3.3 and v5.0 sessions (ref §3.2).
	Max33, Max50 int
}

// Name is the field's specification name, used as its JSON key.
func (f *Field) Name() string { return f.ID.String() }

// MaxFor returns the field's maximum size under version v.
func (f *Field) MaxFor(v Version) int {
	switch {
	case v == V33 && f.Max33 != 0:
		return f.Max33
	case v == V50 && f.Max50 != 0:
		return f.Max50
	}
	return f.Max
}

// minSize is the fewest octets the field can occupy on the wire.
func (f *Field) minSize() int {
	switch f.Kind {
	case KindU8, KindCString, KindTime:
		return 1
	case KindU32:
		return 4
	}
	return 0
}
