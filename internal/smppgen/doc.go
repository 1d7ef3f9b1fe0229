// Package smppgen builds SMPP conversations on top of internal/capgen's
// simulated TCP connections: ESME/SMSC sessions with their own sequence
// numbers, PDU builders for binds, submits and receipts, and the scenarios
// that produce the project's demo capture and test fixtures. Every PDU it
// writes is encoded by package decode, so the generator exercises the
// project's encoder.
package smppgen
