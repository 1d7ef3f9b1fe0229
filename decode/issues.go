package decode

import "fmt"

// Severity grades an Issue (ref §12 conventions).
type Severity uint8

// Severities, in increasing order.
const (
	SevInfo Severity = iota + 1
	SevWarning
	SevError
)

func (s Severity) String() string {
	switch s {
	case SevInfo:
		return "info"
	case SevWarning:
		return "warning"
	case SevError:
		return "error"
	}
	return "unknown"
}

// ParseSeverity parses "info", "warning" (or "warn") and "error".
func ParseSeverity(s string) (Severity, error) {
	switch s {
	case "info":
		return SevInfo, nil
	case "warning", "warn":
		return SevWarning, nil
	case "error":
		return SevError, nil
	}
	return 0, fmt.Errorf("decode: unknown severity %q (want info, warning or error)", s)
}

// Code is a stable issue identifier: the check IDs of ref §12. Codes are the
// JSON "code" values and the keys of the summary's issue counters.
type Code string

// Issue codes. Each names the check of ref §12 it implements.
const (
	CodeLengthTooShort   Code = "HDR-01" // command_length < 16 (§1.2)
	CodeBodyTruncated    Code = "HDR-02" // mandatory fields run past command_length (§3)
	CodeLengthImplausib  Code = "HDR-03" // command_length above the maximum: probable desync (§1.2)
	CodeLengthLarge      Code = "HDR-04" // command_length > 4096 (§1.2)
	CodeIncomplete       Code = "HDR-05" // capture ends inside the PDU
	CodeUnknownCommand   Code = "HDR-06" // command_id not in §2.1
	CodeVendorCommand    Code = "HDR-07" // vendor command range or known vendor op (§1.3)
	CodeCommandVersion   Code = "HDR-08" // command not defined in the session's version (§2)
	CodeRequestStatus    Code = "HDR-09" // request with command_status ≠ 0 (§1.4)
	CodeReservedStatus   Code = "HDR-10" // response status reserved or vendor (§6)
	CodeZeroSequence     Code = "HDR-11" // sequence_number 0 outside generic_nack (§1.5)
	CodeHighSequence     Code = "HDR-12" // sequence_number ≥ 0x80000000 (§1.5)
	CodeNoSuchResponse   Code = "HDR-13" // response id with no request (0x8000000B, 0x80000102)
	CodeNackStatusZero   Code = "HDR-14" // generic_nack with status 0 (§1.6)
	CodeHeaderOnlyBody   Code = "HDR-15" // header-only PDU with a body (§1.7)
	CodeTrailingOctets   Code = "HDR-16" // 1–3 octets after the last field/TLV (§1.2)
	CodeNoMatchingReq    Code = "SES-01" // response matching no outstanding request
	CodeRespIDMismatch   Code = "SES-02" // response command_id ≠ request | 0x80000000
	CodeDuplicateSeq     Code = "SES-03" // second outstanding request with the same seq
	CodeUnanswered       Code = "SES-04" // request never answered
	CodeRespToNoResp     Code = "SES-05" // response to alert_notification/outbind or to a response
	CodeWrongSender      Code = "SES-06" // PDU sent by the wrong side (§2.2)
	CodeWrongState       Code = "SES-07" // PDU not allowed in the sender's state (§11.3)
	CodeUnboundKeepalive Code = "SES-08" // enquire_link/generic_nack before bind on v3.4
	CodeAlreadyBound     Code = "SES-09" // bind on a bound session
	CodeAfterUnbind      Code = "SES-10" // traffic after unbind_resp
	CodeReplaceOnTRX     Code = "SES-11" // replace_sm on BOUND_TRX, v3.4
	CodeOutOfOrderResp   Code = "SES-12" // responses out of order
	CodeWindowExceeded   Code = "SES-13" // too many outstanding requests
	CodeTLVToV33         Code = "SES-14" // TLVs to/by a v3.3 peer
	CodeEnquireStatus    Code = "SES-15" // enquire_link_resp with non-zero status
	CodeBindRespBody     Code = "SES-16" // bind_*_resp body unexpected for its status
	CodeCStringNoNUL     Code = "FLD-01" // C-string without NUL before the end
	CodeCStringTooLong   Code = "FLD-02" // C-string longer than its maximum
	CodeTimeLength       Code = "FLD-03" // time field not 1 or 17 octets
	CodeTimeContent      Code = "FLD-04" // invalid time content (§4)
	CodeTimeRelative     Code = "FLD-05" // relative time with t/nn set, or R where not allowed
	CodeSMLengthOverrun  Code = "FLD-06" // sm_length overruns the PDU
	CodeSMLengthTooLarge Code = "FLD-07" // sm_length beyond the version's maximum
	CodeSMAndPayload     Code = "FLD-08" // sm_length > 0 with message_payload
	CodeNumberOfDests    Code = "FLD-09" // number_of_dests 0, too large, or fewer parsed
	CodeDestFlag         Code = "FLD-10" // dest_flag not 1 or 2
	CodeNoUnsuccess      Code = "FLD-11" // no_unsuccess ≠ entries parsed
	CodeNonPrintable     Code = "FLD-12" // non-printable octets in a C-string
	CodeV33MessageID     Code = "FLD-13" // v3.3 message_id too long or not hex
	CodeEmptyRequired    Code = "FLD-14" // empty system_id in a bind, empty destination
	CodeDeliverRespMsgID Code = "FLD-15" // deliver_sm_resp message_id not empty
	CodeInterfaceVersion Code = "VAL-01"
	CodeTON              Code = "VAL-02"
	CodeNPI              Code = "VAL-03"
	CodeESMClassType     Code = "VAL-04"
	CodeESMClassMode     Code = "VAL-05"
	CodeTransactionMode  Code = "VAL-06"
	CodePriorityFlag     Code = "VAL-07"
	CodeRegDelivery      Code = "VAL-08"
	CodeReplaceIfPresent Code = "VAL-09"
	CodeDataCodingRsvd   Code = "VAL-10"
	CodeDataCodingGSM    Code = "VAL-11"
	CodeDefaultMsgID     Code = "VAL-12"
	CodeDeliverTimes     Code = "VAL-13"
	CodeMessageState     Code = "VAL-14"
	CodeFinalDateState   Code = "VAL-15"
	CodeTLVOverrun       Code = "TLV-01"
	CodeTLVLength        Code = "TLV-02"
	CodeTLVNotAllowed    Code = "TLV-03"
	CodeTLVVendor        Code = "TLV-04"
	CodeTLVUnknown       Code = "TLV-05"
	CodeTLVRepeated      Code = "TLV-06"
	CodeTLVValue         Code = "TLV-07"
	CodeTLVNoNUL         Code = "TLV-08"
	CodeSAR              Code = "TLV-09"
	CodeSARWithUDHI      Code = "TLV-10"
	CodeTLVMissing       Code = "TLV-11"
	CodeDataSMNoPayload  Code = "TLV-12"
	CodeCongestionInReq  Code = "TLV-13"
	CodeCallbackCount    Code = "TLV-14"
	CodeTLVDependency    Code = "TLV-15"
	CodeTLVOnV33         Code = "TLV-16"
	CodeUDHInvalid       Code = "UD-01"
	CodeConcatIE         Code = "UD-02"
	CodeMissingUDHI      Code = "UD-03"
	CodeGSMHighBit       Code = "UD-04"
	CodeGSMEscape        Code = "UD-05"
	CodeUCS2OddLength    Code = "UD-06"
	CodeUCS2Surrogate    Code = "UD-07"
	CodeOversizeSMS      Code = "UD-08"
	CodeReceipt          Code = "DLR-01"
)

// Issue is something the sender of a PDU got wrong, or noteworthy legal
// behaviour. Offset is the byte offset within the PDU (0 = its first byte).
type Issue struct {
	Severity Severity
	Code     Code
	Field    string // specification name of the field or TLV, "" for the header as a whole
	Offset   int
	Detail   string
}

func (i Issue) String() string {
	if i.Field != "" {
		return fmt.Sprintf("%s %s %s@%d: %s", i.Severity, i.Code, i.Field, i.Offset, i.Detail)
	}
	return fmt.Sprintf("%s %s @%d: %s", i.Severity, i.Code, i.Offset, i.Detail)
}
