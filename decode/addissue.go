package decode

// AddIssue records an issue found outside the decoder, such as the session
// checks (SES-*) that report/ raises on the PDU that breaks them.
func (p *PDU) AddIssue(sev Severity, code Code, field string, off int, format string, args ...any) {
	p.issue(sev, code, field, off, format, args...)
}
