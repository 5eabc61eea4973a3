# shellcheck shell=bash
# wait_for SECS WHAT COMMAND...: polls COMMAND every 0.5 s until it succeeds;
# after SECS, calls the sourcing script's fail() naming WHAT. Shared by the
# real-guest suites (e2e, faults, the testbed's smoke test): a precondition
# that never comes fails the test with what was awaited, never hangs it.
wait_for() {
  local secs=$1 what=$2
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@"; do
    ((SECONDS < deadline)) || fail "timed out after ${secs}s waiting for $what"
    sleep 0.5
  done
}
