#!/usr/bin/env bash
# Runs one scenario on real guests, the shape every e2e test shares:
# up DESCRIPTION; wait-ready; start the controller (optional) and the monitor
# side by side for SECONDS; stop the controller; oom-check; down (always, via
# trap). Leaves in OUT: monitor.csv, summary.txt (csv_summary.py's key=value
# lines), controller.log, consoles/, and plot.png when gnuplot is there.
#
#   run_scenario.sh DESCRIPTION SECONDS OUT [-- CONTROLLER [ARGS...]]
#
# Exits non-zero when the guests do not come up, the controller dies before
# the end, or a guest console shows OOM or a panic. What the run must show
# (balance, pin changes, memory) is for the caller to assert on summary.txt.
# Env: VMB_PREFIX, VMB_CONNECT as testbed.sh; VMB_MONITOR_INTERVAL (1),
# VMB_MONITOR (default: the monitor beside this script).
set -euo pipefail

# Beside this script, or in its runfiles when run as `bazel run` output.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -d ${BASH_SOURCE[0]}.runfiles/vmbalance/tests/testbed ]]; then
  here="$(cd "${BASH_SOURCE[0]}.runfiles/vmbalance/tests/testbed" && pwd)"
fi
log() { echo "run_scenario: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

(($# >= 3)) || die "usage: run_scenario.sh DESCRIPTION SECONDS OUT [-- CONTROLLER ARGS...]"
desc=$1 seconds=$2 out=$3
shift 3
if (($#)); then
  [[ $1 == -- ]] || die "expected -- before the controller command"
  shift
fi
controller=("$@")
# `bazel run` starts us in the runfiles tree: paths are the user's.
if [[ -n ${BUILD_WORKING_DIRECTORY:-} ]]; then
  [[ $desc == /* || -e $desc ]] || desc="$BUILD_WORKING_DIRECTORY/$desc"
  [[ $out == /* ]] || out="$BUILD_WORKING_DIRECTORY/$out"
fi
monitor="${VMB_MONITOR:-$here/monitor}"
interval="${VMB_MONITOR_INTERVAL:-1}"
export VMB_PREFIX="${VMB_PREFIX:-vmb-}"
mkdir -p "$out"

controller_pid=""
cleanup() {
  if [[ -n $controller_pid ]] && kill -0 "$controller_pid" 2>/dev/null; then
    kill -TERM "$controller_pid" 2>/dev/null || true
    wait "$controller_pid" 2>/dev/null || true
  fi
  "$here/testbed.sh" down --keep-logs "$out/consoles" || true
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

"$here/testbed.sh" up "$desc"
"$here/testbed.sh" wait-ready

if ((${#controller[@]})); then
  log "starting ${controller[*]}"
  "${controller[@]}" >"$out/controller.log" 2>&1 &
  controller_pid=$!
fi
log "monitoring for ${seconds}s"
"$monitor" --connect="${VMB_CONNECT:-qemu:///system}" --prefix="$VMB_PREFIX" \
  --interval="$interval" --duration="$seconds" --csv="$out/monitor.csv" \
  >"$out/monitor.log"

status=0
if [[ -n $controller_pid ]]; then
  if ! kill -0 "$controller_pid" 2>/dev/null; then
    wait "$controller_pid" && rc=0 || rc=$?
    log "controller exited early (status $rc); tail of its log:"
    tail -n 20 "$out/controller.log" >&2
    status=1
  fi
fi
"$here/csv_summary.py" "$out/monitor.csv" >"$out/summary.txt"
if command -v gnuplot >/dev/null; then
  "$here/plot.sh" "$out/monitor.csv" "$out/plot.png" "$(basename "$desc" .guests)" || true
fi
"$here/testbed.sh" oom-check || status=1
exit "$status"
