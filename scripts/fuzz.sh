#!/usr/bin/env bash
# Runs every native fuzz target of the module (fuzz/ and package-local ones
# such as decode's FuzzDecode) for a given time each, one after another, and
# prints per target the executions, the CPU time and any crasher.
#
# Usage: scripts/fuzz.sh DURATION          e.g. scripts/fuzz.sh 10m
#
# Environment:
#   FUZZ_TARGETS   regexp selecting targets by name (default: all)
#   FUZZ_PARALLEL  fuzzing workers per target (default 1)
#   FUZZ_JOBS      targets run at the same time (default 1; at most the cores)
#   FUZZ_MINIMIZE  -fuzzminimizetime (default 10x: minimizing every new input
#                  of a capture target took most of the fuzzing time)
#   FUZZ_LOGDIR    where the logs go (default: a new temporary directory)
#
# Exits 1 when a target found a crasher (its input is written by go test to
# <package>/testdata/fuzz/<Target>/ and the path is printed), 2 on usage
# errors.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

if [[ $# -ne 1 || ! $1 =~ ^[0-9]+(ns|us|ms|s|m|h|x)$ ]]; then
	echo "usage: scripts/fuzz.sh DURATION   (e.g. 10m, 30s, 1h; or 1000x executions)" >&2
	exit 2
fi
duration=$1
select=${FUZZ_TARGETS:-.}
parallel=${FUZZ_PARALLEL:-1}
jobs=${FUZZ_JOBS:-1}
minimize=${FUZZ_MINIMIZE:-10x}
logdir=${FUZZ_LOGDIR:-$(mktemp -d "${TMPDIR:-/tmp}/smppdump-fuzz.XXXXXX")}
mkdir -p "$logdir" || exit 2

# Discover the targets: "package target" lines.
targets=()
for pkg in $(go list ./...); do
	for t in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz'); do
		[[ $t =~ $select ]] && targets+=("$pkg $t")
	done
done
if [[ ${#targets[@]} -eq 0 ]]; then
	echo "fuzz.sh: no fuzz target matches '$select'" >&2
	exit 2
fi
echo "fuzz.sh: ${#targets[@]} targets, $duration each, $parallel worker(s) each, $jobs at a time; logs in $logdir"

# run PKG TARGET: fuzz one target and write its one-line result to
# $logdir/TARGET.result (status, execs, cpu seconds, crasher path).
run() {
	local pkg=$1 target=$2 log="$logdir/$2.log" timing="$logdir/$2.time"
	local dir=${pkg#"$(go list -m)"}
	dir=.${dir:-}
	local start=$SECONDS rc
	if [[ -x /usr/bin/time ]]; then
		/usr/bin/time -f '%U %S' -o "$timing" \
			go test "$dir" -run '^$' -fuzz "^${target}\$" -fuzztime "$duration" \
			-parallel "$parallel" -fuzzminimizetime "$minimize" >"$log" 2>&1
		rc=$?
	else
		go test "$dir" -run '^$' -fuzz "^${target}\$" -fuzztime "$duration" \
			-parallel "$parallel" -fuzzminimizetime "$minimize" >"$log" 2>&1
		rc=$?
		echo "? ?" >"$timing"
	fi
	local wall=$((SECONDS - start))
	local execs cpu crasher status
	execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
	cpu=$(awk 'NF==2 && $1 ~ /^[0-9.]+$/ {printf "%.0f", $1 + $2}' "$timing" 2>/dev/null)
	crasher=$(sed -n 's/.*Failing input written to \(.*\)$/\1/p' "$log" | tail -1)
	if [[ $rc -eq 0 ]]; then
		status=ok
	elif [[ -n $crasher ]]; then
		status=CRASHER
		crasher="$dir/$crasher"
	else
		status=FAILED
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$status" "$target" "$dir" "${execs:-?}" "$wall" "${cpu:-?}" "${crasher:--}" >"$logdir/$target.result"
	printf '%-16s %-8s %s execs in %ss wall, %ss CPU%s\n' "$target" "$status" "${execs:-?}" "$wall" "${cpu:-?}" \
		"${crasher:+; crasher: $crasher}"
	if [[ $status == FAILED ]]; then
		tail -20 "$log" | sed 's/^/    /'
	fi
}

for entry in "${targets[@]}"; do
	while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do
		wait -n
	done
	# shellcheck disable=SC2086 # entry is "package target"
	run $entry &
done
wait

failed=0
for entry in "${targets[@]}"; do
	target=${entry#* }
	status=$(cut -f1 "$logdir/$target.result" 2>/dev/null)
	[[ $status == ok ]] || failed=1
done
exit $failed
