package decode

import "strconv"

// Status is a command_status value (ref §6).
type Status uint32

// Frequently used status values.
const (
	StatusOK             Status = 0x00000000
	StatusInvMsgLen      Status = 0x00000001
	StatusInvCmdLen      Status = 0x00000002
	StatusInvCmdID       Status = 0x00000003
	StatusInvBndSts      Status = 0x00000004
	StatusAlyBnd         Status = 0x00000005
	StatusSysErr         Status = 0x00000008
	StatusInvSrcAdr      Status = 0x0000000A
	StatusInvDstAdr      Status = 0x0000000B
	StatusInvMsgID       Status = 0x0000000C
	StatusBindFail       Status = 0x0000000D
	StatusInvPaswd       Status = 0x0000000E
	StatusInvSysID       Status = 0x0000000F
	StatusMsgQFul        Status = 0x00000014
	StatusSubmitFail     Status = 0x00000045
	StatusThrottled      Status = 0x00000058
	StatusDeliveryFailed Status = 0x000000FE
	StatusUnknownErr     Status = 0x000000FF
)

// statusNames holds the names of v3.4 Table 5-2 and v5.0 Table 4-45 (ref
// §6.1, §6.2). Where v5.0 renamed a code the v5.0 name is used, as Wireshark
// does for the TLV codes.
var statusNames = map[Status]string{
	0x00: "ESME_ROK", 0x01: "ESME_RINVMSGLEN", 0x02: "ESME_RINVCMDLEN", 0x03: "ESME_RINVCMDID",
	0x04: "ESME_RINVBNDSTS", 0x05: "ESME_RALYBND", 0x06: "ESME_RINVPRTFLG", 0x07: "ESME_RINVREGDLVFLG",
	0x08: "ESME_RSYSERR", 0x0A: "ESME_RINVSRCADR", 0x0B: "ESME_RINVDSTADR", 0x0C: "ESME_RINVMSGID",
	0x0D: "ESME_RBINDFAIL", 0x0E: "ESME_RINVPASWD", 0x0F: "ESME_RINVSYSID", 0x11: "ESME_RCANCELFAIL",
	0x13: "ESME_RREPLACEFAIL", 0x14: "ESME_RMSGQFUL", 0x15: "ESME_RINVSERTYP", 0x33: "ESME_RINVNUMDESTS",
	0x34: "ESME_RINVDLNAME", 0x40: "ESME_RINVDESTFLAG", 0x42: "ESME_RINVSUBREP", 0x43: "ESME_RINVESMCLASS",
	0x44: "ESME_RCNTSUBDL", 0x45: "ESME_RSUBMITFAIL", 0x48: "ESME_RINVSRCTON", 0x49: "ESME_RINVSRCNPI",
	0x50: "ESME_RINVDSTTON", 0x51: "ESME_RINVDSTNPI", 0x53: "ESME_RINVSYSTYP", 0x54: "ESME_RINVREPFLAG",
	0x55: "ESME_RINVNUMMSGS", 0x58: "ESME_RTHROTTLED", 0x61: "ESME_RINVSCHED", 0x62: "ESME_RINVEXPIRY",
	0x63: "ESME_RINVDFTMSGID", 0x64: "ESME_RX_T_APPN", 0x65: "ESME_RX_P_APPN", 0x66: "ESME_RX_R_APPN",
	0x67: "ESME_RQUERYFAIL", 0xC0: "ESME_RINVTLVSTREAM", 0xC1: "ESME_RTLVNOTALLWD", 0xC2: "ESME_RINVTLVLEN",
	0xC3: "ESME_RMISSINGTLV", 0xC4: "ESME_RINVTLVVAL", 0xFE: "ESME_RDELIVERYFAILURE", 0xFF: "ESME_RUNKNOWNERR",
	0x100: "ESME_RSERTYPUNAUTH", 0x101: "ESME_RPROHIBITED", 0x102: "ESME_RSERTYPUNAVAIL",
	0x103: "ESME_RSERTYPDENIED", 0x104: "ESME_RINVDCS", 0x105: "ESME_RINVSRCADDRSUBUNIT",
	0x106: "ESME_RINVDSTADDRSUBUNIT", 0x107: "ESME_RINVBCASTFREQINT", 0x108: "ESME_RINVBCASTALIAS_NAME",
	0x109: "ESME_RINVBCASTAREAFMT", 0x10A: "ESME_RINVNUMBCAST_AREAS", 0x10B: "ESME_RINVBCASTCNTTYPE",
	0x10C: "ESME_RINVBCASTMSGCLASS", 0x10D: "ESME_RBCASTFAIL", 0x10E: "ESME_RBCASTQUERYFAIL",
	0x10F: "ESME_RBCASTCANCELFAIL", 0x110: "ESME_RINVBCAST_REP", 0x111: "ESME_RINVBCASTSRVGRP",
	0x112: "ESME_RINVBCASTCHANIND",
}

// v50Only lists the codes that v5.0 added (ref §6.2).
func (s Status) v50Only() bool { return s >= 0x100 && s <= 0x112 }

// Known reports whether s is a code defined by v3.4 or v5.0.
func (s Status) Known() bool {
	if s < Status(len(knownStatus)) {
		return knownStatus[s]
	}
	_, ok := statusNames[s]
	return ok
}

// knownStatus is statusNames as a set, for the codes that fit: Known is
// asked on every response, and an array look-up is cheaper than a map's.
var knownStatus = func() (set [0x120]bool) {
	for s := range statusNames {
		if s < Status(len(set)) {
			set[s] = true
		}
	}
	return set
}()

// IsVendor reports whether s lies in the SMSC vendor-specific range 0x400–0x4FF.
func (s Status) IsVendor() bool { return s >= 0x400 && s <= 0x4FF }

// String returns the status name, "vendor_0x…" for vendor codes and
// "reserved_0x…" for codes no version defines.
func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	h := strconv.FormatUint(uint64(s), 16)
	for len(h) < 8 {
		h = "0" + h
	}
	if s.IsVendor() {
		return "vendor_0x" + h
	}
	return "reserved_0x" + h
}

// StatusByName finds a status from its name (case-insensitive, with or
// without the "ESME_" prefix).
func StatusByName(name string) (Status, bool) {
	for s, n := range statusNames {
		if equalFoldASCII(n, name) || equalFoldASCII(n[len("ESME_"):], name) {
			return s, true
		}
	}
	return 0, false
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
