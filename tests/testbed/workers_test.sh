#!/usr/bin/env bash
# Runs the guest workloads on the host: each announces itself with the marker
# the testbed waits on, cpu_worker holds the duty it was asked for, and
# mem_worker reaches, holds and frees the size it was given.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fail() { echo "FAIL: $*" >&2; exit 1; }
out="${TEST_TMPDIR:-/tmp}"

for duty in 0.25 0.75; do
  timeout 1.5 "$here/cpu_worker" --duty="$duty" --report_s=0.4 >"$out/cpu.log" || true
  grep -q "^VMB_READY cpu_worker" "$out/cpu.log" || fail "no VMB_READY from cpu_worker"
  # The worker's own measure of its busy share (wall time, so host load does
  # not skew it); the first window includes start-up, so take the last.
  got=$(grep '^cpu_worker: busy' "$out/cpu.log" | tail -n1 | awk '{print $3}')
  [[ -n $got ]] || fail "cpu_worker printed no busy report"
  awk -v g="$got" -v d="$duty" 'BEGIN { exit !(g > d - 0.05 && g < d + 0.05) }' ||
    fail "cpu_worker --duty=$duty measured busy $got"
done
"$here/cpu_worker" --duty=2 2>/dev/null && fail "cpu_worker accepted --duty=2"

"$here/mem_worker" --stop_mib=16 --hold_s=0.2 --rest_s=0.2 >"$out/mem.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
deadline=$((SECONDS + 20))
until (($(grep -c "^mem_worker: reached 16 MiB" "$out/mem.log") >= 2)); do
  ((SECONDS < deadline)) ||
    fail "mem_worker did not grow to 16 MiB, free and grow again: $(tail -n3 "$out/mem.log")"
  sleep 0.1
done
grep -q "^VMB_READY mem_worker" "$out/mem.log" || fail "no VMB_READY from mem_worker"
"$here/mem_worker" --bogus 2>/dev/null && fail "mem_worker accepted --bogus"
echo PASS
