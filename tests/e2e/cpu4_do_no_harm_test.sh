#!/usr/bin/env bash
# Issue 12's real-guest proof, judged from the guests' side by the testbed's
# independent monitor (each guest's run time and wait for a pCPU, and the
# host's idle time), on one set of guests: the course's scenario 3 (8
# unpinned one-vCPU guests, busy and light alternating) on this host.
#  A. Linux alone: every vCPU unpinned, no scheduler, PHASE_S seconds.
#  B. The same with vcpu_scheduler (every 3 s), PHASE_S seconds.
#     Both start the same way: all 8 crowded on pCPU 0 for 3 s, then
#     unpinned. check_run.py compare: B's least-served busy guest runs at
#     least A's share of its fair due, within a tolerance measured in this
#     run (twice the gap between A's two tail halves, at least 0.05), and B
#     is fair (5-s rolling figure >= 0.75 of due) no later than A + 10 s.
#  C. Opt-out: guest 00 (busy) gets <vmbalance:policy cpu="off"/> (virsh
#     metadata), all 8 are pinned to pCPU 0, vcpu_scheduler for OPTOUT_S
#     seconds. The monitor reads every guest's affinity each second: guest
#     00 must read "0" in every row, and the scheduler must have moved others
#     (>= 1 affinity change), or the check proves nothing.
# Wrong schedulers it fails on (say so in the report): pins everything to
# pCPU 0 (--test_env=E2E_CONTROLLER="$PWD/tests/e2e/wrong_scheduler.sh
# all_on_0": B less fair, C moves nothing), moves the opted-out guest
# (E2E_CONTROLLER=".../wrong_scheduler.sh move_00": C), or does nothing
# (E2E_CONTROLLER_FLAGS=--dry_run: C).
export VMB_PREFIX=vmbe2ec4-
source "$(dirname "$0")/e2e_lib.sh"
readonly CONNECT="${VMB_CONNECT:-qemu:///system}"
readonly PHASE_S=${E2E_PHASE_S:-45}
readonly OPTOUT_S=${E2E_OPTOUT_S:-30}
readonly ALL_PCPUS="0-$(($(getconf _NPROCESSORS_ONLN) - 1))"
readonly OPTED_OUT="${VMB_PREFIX}00"

vsh() { timeout 60 virsh -q -c "$CONNECT" "$@"; }

pin_all() {  # CPULIST
  local g
  for g in $("$TESTBED/testbed.sh" names); do
    vsh vcpupin "$g" 0 "$1" --live >/dev/null || fail "vcpupin $g 0 $1"
  done
}

# phase NAME SECONDS [CONTROLLER ARGS...]: the monitor for SECONDS into
# $OUT/NAME.csv, beside the controller (if any), which must live to the end.
phase() {
  local name=$1 seconds=$2 pid=""
  shift 2
  note "phase $name for $seconds s: ${*:-no scheduler}"
  if (($#)); then
    "$@" >"$OUT/$name.controller.log" 2>&1 &
    pid=$!
  fi
  "$TESTBED/monitor" --connect="$CONNECT" --prefix="$VMB_PREFIX" \
    --interval=1 --duration="$seconds" --csv="$OUT/$name.csv" --quiet ||
    fail "monitor failed in phase $name"
  if [[ -n $pid ]]; then
    kill -0 "$pid" 2>/dev/null ||
      fail "controller died in phase $name (see $OUT/$name.controller.log)"
    kill -TERM "$pid"
    wait "$pid" || true
  fi
}

# The same start for A and B: crowded on pCPU 0, then free to run anywhere.
crowd_then_free() {
  pin_all 0
  sleep 3
  pin_all "$ALL_PCPUS"
}

"$TESTBED/testbed.sh" up "$TESTBED/guests/cpu3_unpinned_mixed.guests"
"$TESTBED/testbed.sh" wait-ready
# shellcheck disable=SC2206  # flags are meant to split
controller_command "$CONTROLLERS/vcpu_scheduler" --listen=127.0.0.1:0 \
  ${E2E_CONTROLLER_FLAGS:-} 3

crowd_then_free
phase linux_alone "$PHASE_S"
crowd_then_free
phase vmbalance "$PHASE_S" "${controller[@]}"

vsh metadata "$OPTED_OUT" https://vmbalance.dev/xmlns/policy/1 \
  --key vmbalance --set '<policy cpu="off"/>' --live ||
  fail "could not set the opt-out metadata on $OPTED_OUT"
pin_all 0
phase optout "$OPTOUT_S" "${controller[@]}"
"$TESTBED/testbed.sh" oom-check || fail "a guest console shows OOM or a panic"

status=0
note "A vs B, from the guests' side:"
# (set -e and pipefail: a failing check must not end the script before the
# next one has run)
if ! "$E2E_DIR/check_run.py" compare "$OUT/linux_alone.csv" \
  "$OUT/vmbalance.csv" --smooth=5 --tail_s=25 --fair_ratio=0.75 \
  --time_tolerance_s=10 --min_busy_guests=4 | tee "$OUT/check_compare.txt"; then
  status=1
fi
note "C, the opted-out guest:"
if ! "$E2E_DIR/check_run.py" cpu "$OUT/optout.csv" --still="$OPTED_OUT:0" \
  --min_pins=1 | tee "$OUT/check_optout.txt"; then
  status=1
fi
((status == 0)) || fail "assertions failed (above)"
note "PASS"
