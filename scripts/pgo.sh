#!/usr/bin/env bash
# Regenerates cmd/smppdump/default.pgo, the CPU profile that go build, go
# run and go install use for profile-guided optimisation of smppdump (Go
# picks up default.pgo in the main package's directory by itself).
#
# The profile is taken from smppdump built without one, on the workloads
# the benchmark measures: summary-only runs of a generated 1M-PDU capture on
# one core and on all, then JSON and text output of a 100k-PDU capture.
# Run it again after large changes to the hot path: a stale profile still
# builds and runs correctly, it only guides the compiler less well.
#
# Usage: scripts/pgo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -pgo=off -o "$tmp/smppdump" ./cmd/smppdump
go run ./cmd/smppgen bulk -n 1000000 -seed 1 >"$tmp/bulk-1m.pcap"
go run ./cmd/smppgen bulk -n 100000 -seed 2 >"$tmp/bulk-100k.pcap"

run() { # run NAME [ENV=...] ARGS...: one profiled run, output discarded
	local name=$1
	shift
	env "$@" --cpuprofile "$tmp/$name.prof" >/dev/null
}
# The profiler takes 100 samples a second: each workload runs several
# times, so that the profile has thousands of samples and the compiler's
# choice of hot calls does not change with the luck of a few hundred.
for i in 1 2 3 4 5 6; do
	run one-core-$i GOMAXPROCS=1 "$tmp/smppdump" -q -r "$tmp/bulk-1m.pcap"
done
for i in 1 2 3; do
	run all-cores-$i "$tmp/smppdump" -q -r "$tmp/bulk-1m.pcap"
	run json-$i "$tmp/smppdump" --json -r "$tmp/bulk-100k.pcap"
	run text-$i "$tmp/smppdump" -r "$tmp/bulk-100k.pcap"
done

go tool pprof -proto "$tmp"/*.prof >"$tmp/merged.pgo"
mv "$tmp/merged.pgo" cmd/smppdump/default.pgo
echo "wrote cmd/smppdump/default.pgo ($(wc -c <cmd/smppdump/default.pgo) octets)"
