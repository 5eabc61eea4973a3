#!/usr/bin/env bash
# A deliberately wrong vCPU scheduler for the CPU e2e tests (pass it with
# --test_env=E2E_CONTROLLER=$PWD/tests/e2e/crowd_7_1.sh): pins guests 00-06
# to pCPU 0 and guest 07 to pCPU 1 once, then does nothing. With scenario 2's
# 8 busy guests that is 7 | 1: both pCPUs read ~100% busy, so only the
# guests' side (7 guests on a seventh of a pCPU each) shows it. In scenario 3
# it crowds the 4 busy guests with 3 light ones on pCPU 0.
set -euo pipefail
for i in 00 01 02 03 04 05 06; do
  virsh -c "${VMB_CONNECT:-qemu:///system}" vcpupin "${VMB_PREFIX:?}$i" 0 0 --live
done
virsh -c "${VMB_CONNECT:-qemu:///system}" vcpupin "${VMB_PREFIX}07" 0 1 --live
exec sleep infinity
