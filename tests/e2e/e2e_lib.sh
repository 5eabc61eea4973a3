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

virsh -c "${VMB_CONNECT:-qemu:///system}" list >/dev/null 2>&1 ||
  fail "libvirt does not answer: run tools/setup.sh (or tools/libvirt_up.sh) as root first"

e2e_cleanup() {
  local rc=$?
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

# run_scenario DESCRIPTION SECONDS -- CONTROLLER ARGS...: leaves the monitor's
# CSV, summary and the controller's log in $OUT; fails the test if the guests
# do not come up, the controller dies, or a console shows OOM or a panic.
run_scenario() {
  note "scenario $(basename "$1") for $2 s: ${*:4}"
  "$TESTBED/run_scenario" "$1" "$2" "$OUT" "${@:3}" ||
    fail "run_scenario failed (see $OUT: controller.log, consoles/)"
  note "scenario done; monitor summary (smooth 5):"
  "$TESTBED/csv_summary.py" --smooth=5 "$OUT/monitor.csv" | sed 's/^/  /'
}

# check cpu|mem ARGS...: the assertions of check_run.py on $OUT/monitor.csv.
check() {
  local kind=$1
  shift
  "$E2E_DIR/check_run.py" "$kind" "$OUT/monitor.csv" "$@" | tee "$OUT/check.txt"
  ((PIPESTATUS[0] == 0)) || fail "assertions failed (above)"
  note "PASS"
}
