# shellcheck shell=bash disable=SC2034
# Shared by the e2e tests (source it): finds the testbed and controllers in
# Bazel's runfiles, runs one scenario with tests/testbed/run_scenario.sh (which
# always takes its guests down) and makes sure, even on failure or a Bazel
# timeout (SIGTERM), that no guest with this test's VMB_PREFIX is left.
# The caller sets VMB_PREFIX (unique per test) before sourcing.
set -euo pipefail

: "${VMB_PREFIX:?set a per-test VMB_PREFIX before sourcing e2e_lib.sh}"
export VMB_PREFIX
readonly E2E_RUNFILES="${TEST_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/bazel-bin/tests/e2e/$(basename "$0").runfiles}/vmbalance"
readonly TESTBED="$E2E_RUNFILES/tests/testbed"
readonly CONTROLLERS="$E2E_RUNFILES/controller"
readonly E2E_DIR="$E2E_RUNFILES/tests/e2e"
readonly OUT="${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR:-$(mktemp -d)}}"
readonly E2E_STARTED=$SECONDS

note() { echo "e2e[${VMB_PREFIX%-}]: [$((SECONDS - E2E_STARTED))s] $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# shellcheck source=tests/shell/libvirt_for_tests.sh
source "$E2E_RUNFILES/tests/shell/libvirt_for_tests.sh"
libvirt_for_tests "${VMB_CONNECT:-qemu:///system}" 30 ||
  fail "libvirt does not answer: run tools/setup.sh (or tools/libvirt_up.sh) as root first"

# shellcheck source=tests/shell/wait_for.sh
source "$E2E_RUNFILES/tests/shell/wait_for.sh"

# start_exporter ARGS...: libvirt_exporter (from the test's runfiles) on
# 127.0.0.1, a free port, logging to $OUT/exporter.log; sets exporter_pid,
# and url once the log names the port. stop_exporter ends it (the test's
# e2e_before_cleanup should call it).
exporter_pid=""
url=""
start_exporter() {
  "$E2E_RUNFILES/exporter/libvirt_exporter" --listen=127.0.0.1:0 "$@" \
    >"$OUT/exporter.log" 2>&1 &
  exporter_pid=$!
  wait_for 20 "the exporter's port in $OUT/exporter.log" exporter_port_known
}
exporter_port_known() {
  local port
  port=$(sed -n 's/.*serving \/metrics on port \([0-9]*\).*/\1/p' \
    "$OUT/exporter.log" | sed -n 1p)
  [[ -n $port ]] && url="http://127.0.0.1:$port/metrics"
}
stop_exporter() {
  if [[ -n $exporter_pid ]]; then kill -TERM "$exporter_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
}

# A test that starts its own processes (exporter, holder, sampler) defines
# e2e_before_cleanup to stop them; it runs first. Not a trap of its own that
# calls e2e_cleanup: under `set -e` a trap stops at its first failing
# command, so `(exit $rc)` there skipped the cleanup on every failure and
# left the guests running.
e2e_cleanup() {
  local rc=$?
  set +e
  if declare -F e2e_before_cleanup >/dev/null; then e2e_before_cleanup; fi
  "$TESTBED/testbed.sh" down >/dev/null 2>&1 || true
  local left
  left=$(virsh -c "${VMB_CONNECT:-qemu:///system}" list --all --name |
    grep -c "^$VMB_PREFIX" || true)
  ((left == 0)) || { echo "FAIL: $left domain(s) left behind" >&2; rc=1; }
  note "finished with status $rc (outputs in $OUT)"
  exit "$rc"
}
trap e2e_cleanup EXIT
trap 'exit 143' TERM  # a Bazel timeout still runs the cleanup
trap 'exit 130' INT

# controller_command CONTROLLER ARGS...: sets the array `controller` to the
# command (with --exclude for every domain outside VMB_PREFIX, so a test
# never acts on a host's other guests), or to E2E_CONTROLLER (a command line, via --test_env) when set, to
# show the assertions fail on a deliberately wrong run (e.g.
# tests/e2e/crowd_7_1.sh).
controller_command() {
  # Domains outside this test's prefix are someone else's: left alone.
  controller=("$1" "--exclude=^(?!${VMB_PREFIX})" "${@:2}")
  if [[ -n ${E2E_CONTROLLER:-} ]]; then
    read -r -a controller <<<"$E2E_CONTROLLER"
    note "controller replaced by E2E_CONTROLLER: a deliberately wrong run"
  fi
}

# start_memory_coordinator: memory_coordinator at 1 s (plus
# E2E_CONTROLLER_FLAGS), or E2E_CONTROLLER, in the background, logging to
# $OUT/controller.log; sets `controller` and `controller_pid`.
start_memory_coordinator() {
  # shellcheck disable=SC2206  # flags are meant to split
  controller_command "$CONTROLLERS/memory_coordinator" --listen=127.0.0.1:0 \
    ${E2E_CONTROLLER_FLAGS:-} 1
  "${controller[@]}" >"$OUT/controller.log" 2>&1 &
  controller_pid=$!
}

# run_scenario DESCRIPTION SECONDS -- CONTROLLER ARGS...: leaves the monitor's
# CSV, summary and the controller's log in $OUT; fails the test if the guests
# do not come up, the controller dies, or a console shows OOM or a panic.
# The controller may be replaced (controller_command).
run_scenario() {
  local desc=$1 seconds=$2
  shift 3
  local controller
  controller_command "$@"
  note "scenario $(basename "$desc") for $seconds s: ${controller[*]}"
  "$TESTBED/run_scenario" "$desc" "$seconds" "$OUT" -- "${controller[@]}" ||
    fail "run_scenario failed (see $OUT: controller.log, consoles/)"
  note "scenario done; monitor summary (smooth 5):"
  "$TESTBED/csv_summary.py" --smooth=5 "$OUT/monitor.csv" | sed 's/^/  /'
}

# expect_controller_saw DOMAINS MIN_TICKS: the controller's per-interval
# table shows at least MIN_TICKS samples of DOMAINS guests (a controller that
# never reads the guests changes nothing, which a test of "no change" must
# not mistake for a pass).
expect_controller_saw() {
  local ticks
  ticks=$(grep -Ec "^\[tick [0-9]+\] $1 domains" "$OUT/controller.log" || true)
  note "controller sampled $1 guests in $ticks interval(s)"
  ((ticks >= $2)) ||
    fail "controller sampled $1 guests in $ticks interval(s), want >= $2 (see $OUT/controller.log)"
}

# check cpu|mem ARGS...: the assertions of check_run.py on $OUT/monitor.csv.
check() {
  local kind=$1
  shift
  "$E2E_DIR/check_run.py" "$kind" "$OUT/monitor.csv" "$@" | tee "$OUT/check.txt"
  ((PIPESTATUS[0] == 0)) || fail "assertions failed (above)"
  note "PASS"
}
