# shellcheck shell=bash
# A libvirtd for a real-guest test: Bazel reaps every process a test
# started, so a libvirtd that the fault suite restarted dies with that test,
# and the next test finds none. Source this file, then:
#
#   libvirt_for_tests URI [WAIT_S] || fail "libvirt at URI does not answer"
#
# returns 0 once `virsh -c URI list` answers. When it does not, it starts one
# with this tree's tools/libvirt_up.sh (found beside this file's source, so
# it works from Bazel's runfiles), then waits up to WAIT_S seconds (default
# 0) for it, e.g. while another suite restarts libvirtd.

# This tree's tools/libvirt_up.sh.
libvirt_up_path() {
  readlink -f "${BASH_SOURCE[0]}" | sed 's,/tests/shell/[^/]*$,/tools/libvirt_up.sh,'
}

libvirt_for_tests() {
  local uri=${1:-qemu:///system} wait_s=${2:-0} up i
  virsh -c "$uri" list >/dev/null 2>&1 && return 0
  up=$(libvirt_up_path)
  if [[ -x $up ]]; then "$up" >/dev/null 2>&1 || true; fi
  for ((i = 0; i <= wait_s; i++)); do
    virsh -c "$uri" list >/dev/null 2>&1 && return 0
    ((i < wait_s)) && sleep 1
  done
  return 1
}
