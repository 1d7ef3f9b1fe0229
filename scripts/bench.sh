#!/usr/bin/env bash
# Whole-run benchmark: smppdump against tshark on the same generated capture.
# Usage: scripts/bench.sh [-pdus N] [-json-pdus N] [-rounds N] [-big]
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./scripts/bench "$@"
