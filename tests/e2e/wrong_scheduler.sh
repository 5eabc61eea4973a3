#!/usr/bin/env bash
# Deliberately wrong vCPU schedulers for cpu4_do_no_harm_test (pass one with
# --test_env=E2E_CONTROLLER="$PWD/tests/e2e/wrong_scheduler.sh MODE"), to see
# its assertions fail. Each pins once, then does nothing:
#   all_on_0  every guest's vCPU 0 on pCPU 0 (bad pins, none undone)
#   move_00   the prefix's guest 00 (the opted-out one) to pCPU 1, every
#             other guest to pCPU 0
set -euo pipefail
mode=${1:?usage: wrong_scheduler.sh all_on_0|move_00}
connect="${VMB_CONNECT:-qemu:///system}"
for g in $(virsh -c "$connect" list --name | grep "^${VMB_PREFIX:?}"); do
  to=0
  [[ $mode == move_00 && $g == "${VMB_PREFIX}00" ]] && to=1
  virsh -c "$connect" vcpupin "$g" 0 "$to" --live >/dev/null
done
exec sleep infinity
