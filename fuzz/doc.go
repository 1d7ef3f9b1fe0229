// Package fuzz holds the fuzz targets and hostile-input tests that cross
// package lines, with their seed corpora under testdata/fuzz/<Target>/:
//
//   - FuzzPDUReport: PDU bytes through decode (every version), the encoder's
//     round trip, and an Analyzer with the JSON, text and verbose writers;
//   - FuzzStreamCuts: a fixed byte stream of PDUs cut into segments chosen by
//     the input, written with internal/capgen and read back with reassembly:
//     the same PDUs whatever the cut;
//   - FuzzCapture: raw capture-file bytes through reassembly, decode and
//     report, whose JSON lines must all parse.
//
// The hostile-input tests feed the pipeline lying lengths, floods and damaged
// captures and bound its time and memory. The package has no code outside
// its tests; package-local fuzz targets (decode's FuzzDecode) live beside the
// code they test. scripts/fuzz.sh runs every target for a given time.
package fuzz
