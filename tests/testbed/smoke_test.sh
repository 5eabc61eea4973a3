#!/usr/bin/env bash
# Smoke test of the testbed on real libvirt guests: boots two small guests
# (one CPU worker, one memory worker), runs the monitor for a few intervals,
# and checks what every real-guest test relies on: vCPU time moves, balloon
# statistics are live (actual, unused, last_update advancing), a balloon
# resize takes effect, the monitor's CSV carries all of it, no guest OOMs,
# and `down` leaves no domain behind. Fails (never skips) when libvirt is
# not reachable.
set -euo pipefail

readonly URI="${VMB_CONNECT:-qemu:///system}"
export VMB_PREFIX=vmbsmoke-
# Beside this script, or in its runfiles when run as `bazel run` output.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -d ${BASH_SOURCE[0]}.runfiles/vmbalance/tests/testbed ]]; then
  here="$(cd "${BASH_SOURCE[0]}.runfiles/vmbalance/tests/testbed" && pwd)"
fi
testbed="$here/testbed.sh"
monitor="$here/monitor"
out="${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR:-/tmp}}"
started=$SECONDS

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "smoke: [$((SECONDS - started))s] $*"; }

# wait_for SECS WHAT CONDITION...: polls until it succeeds or SECS pass.
# shellcheck source=tests/shell/wait_for.sh
source "$here/../shell/wait_for.sh"

# shellcheck source=tests/shell/libvirt_for_tests.sh
source "$here/../shell/libvirt_for_tests.sh"
libvirt_for_tests "$URI" 30 ||
  fail "libvirt at $URI does not answer: run tools/setup.sh (or tools/libvirt_up.sh) as root first"

trap '"$testbed" down --keep-logs "$out/consoles" || true' EXIT
trap 'exit 143' TERM # so the EXIT trap runs when Bazel times the test out
trap 'exit 130' INT

note "up ($("$testbed" virt-type))"
"$testbed" up "$here/guests/smoke.guests"
"$testbed" wait-ready 180
note "ready"
mapfile -t guests < <("$testbed" names)
((${#guests[@]} == 2)) || fail "expected 2 guests, got ${guests[*]}"
cpu_guest=${guests[0]}
mem_guest=${guests[1]}

vcpu_time() { virsh -c "$URI" domstats --vcpu "$1" | sed -n 's/.*vcpu\.0\.time=//p'; }
memstat() { virsh -c "$URI" dommemstat "$1" | awk -v k="$2" '$1 == k { print $2 }'; }

# vCPU time moves on the busy guest.
t0=$(vcpu_time "$cpu_guest")
time_moved() { (($(vcpu_time "$cpu_guest") > t0)); }
wait_for 10 "vCPU time of $cpu_guest to move" time_moved

# Balloon stats are live (the period is set in the domain XML).
for g in "${guests[@]}"; do
  u0=$(memstat "$g" last_update)
  [[ -n $u0 ]] || fail "$g reports no last_update (balloon stats off?)"
  updated() { (($(memstat "$g" last_update) > u0)); }
  wait_for 10 "balloon last_update of $g to advance" updated
  (($(memstat "$g" actual) > 0)) || fail "$g: actual is 0"
  (($(memstat "$g" unused) > 0)) || fail "$g: unused is 0"
done
note "vCPU time and balloon stats live"

# The balloon obeys a resize (what the memory coordinator does).
virsh -c "$URI" setmem "$mem_guest" 320M --live >/dev/null
resized() { (($(memstat "$mem_guest" actual) == 320 * 1024)); }
wait_for 20 "$mem_guest's balloon to reach 320 MiB" resized
note "balloon resize took effect"

# The monitor sees both guests and writes one row per interval.
csv="$out/smoke_monitor.csv"
"$monitor" --prefix="$VMB_PREFIX" --interval=1 --count=4 --csv="$csv"
rows=$(($(wc -l <"$csv") - 1))
((rows == 4)) || fail "monitor wrote $rows rows, want 4"
col() { head -n1 "$csv" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
last() { tail -n1 "$csv" | cut -d, -f"$(col "$1")"; }
for c in "${cpu_guest}_cpu_pct" "${cpu_guest}_actual_mib" \
  "${mem_guest}_unused_mib" pcpu0_pct mean_pct stddev_pct; do
  [[ -n $(col "$c") ]] || fail "monitor CSV has no column $c"
done
awk -v v="$(last "${cpu_guest}_cpu_pct")" 'BEGIN { exit !(v > 20) }' ||
  fail "monitor shows $cpu_guest at $(last "${cpu_guest}_cpu_pct")% CPU, want > 20 (duty 0.5)"
awk -v v="$(last "${mem_guest}_actual_mib")" 'BEGIN { exit !(v == 320) }' ||
  fail "monitor shows $mem_guest actual $(last "${mem_guest}_actual_mib") MiB, want 320"
awk -v v="$(last "${mem_guest}_unused_mib")" 'BEGIN { exit !(v > 0) }' ||
  fail "monitor shows no unused memory for $mem_guest"
note "monitor CSV ok"

"$testbed" oom-check
"$testbed" down --keep-logs "$out/consoles"
left=$(virsh -c "$URI" list --all --name | grep -c "^$VMB_PREFIX" || true)
((left == 0)) || fail "$left domain(s) left after down"
note "PASS"
