#!/usr/bin/env bash
# A deliberately wrong vCPU scheduler for the CPU e2e tests (pass it with
# --test_env=E2E_CONTROLLER=$PWD/tests/e2e/crowd_7_1.sh): moves the last of
# the 8 guests to pCPU 1 and no other, then does nothing. With scenario 2's
# 8 busy guests on pCPU 0 that leaves 7 | 1: both pCPUs read ~100% busy, so
# only the guests' side (7 guests on a seventh of a pCPU each) shows it.
set -euo pipefail
virsh -c "${VMB_CONNECT:-qemu:///system}" vcpupin "${VMB_PREFIX:?}07" 0 1 --live
exec sleep infinity
