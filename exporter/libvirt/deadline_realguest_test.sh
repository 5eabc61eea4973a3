#!/usr/bin/env bash
# Real-guest proof of the sample deadline (issue 10 item 1): starts two busy
# testbed guests (prefix vmbh1dl-), runs deadline_realguest_test (which stops
# one guest's QEMU with SIGSTOP and continues it), and always continues and
# destroys the guests, on failure or a Bazel timeout too.
set -euo pipefail

export VMB_PREFIX=vmbh1dl-
runfiles="${TEST_SRCDIR:-$0.runfiles}/vmbalance"
testbed="$runfiles/tests/testbed/testbed.sh"
probe="$runfiles/exporter/libvirt/deadline_realguest_probe"
guests="$runfiles/exporter/libvirt/deadline_realguest.guests"
out="${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR:-/tmp}}"
uri="${VMB_CONNECT:-qemu:///system}"

fail() { echo "FAIL: $*" >&2; exit 1; }
# A libvirtd from this tree's tools/ when none answers; other real-guest
# suites restart libvirtd now and then: wait for it a while.
source "$runfiles/tests/shell/libvirt_for_tests.sh"
libvirt_for_tests "$uri" 60 ||
  fail "libvirt at $uri does not answer: run tools/libvirt_up.sh as root"

cleanup() {
  # A stopped QEMU left behind would hang every later libvirt user.
  for pidfile in /run/libvirt/qemu/"$VMB_PREFIX"*.pid; do
    [[ -r $pidfile ]] && kill -CONT "$(cat "$pidfile")" 2>/dev/null || true
  done
  # libvirtd may be restarting (other suites do that): retry for a while.
  for ((i = 0; i < 30; i++)); do
    "$testbed" down --keep-logs "$out/consoles" && return
    sleep 2
  done
  echo "WARNING: could not take down the $VMB_PREFIX guests" >&2
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

"$testbed" up "$guests"
"$testbed" wait-ready 180
mapfile -t names < <("$testbed" names)
((${#names[@]} == 2)) || fail "expected 2 guests, got ${names[*]}"
VMB_STOP_GUEST=${names[0]} VMB_OTHER_GUEST=${names[1]} "$probe"
