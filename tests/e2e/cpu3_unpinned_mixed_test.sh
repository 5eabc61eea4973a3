#!/usr/bin/env bash
# Course CPU scenario 3 on real guests: 8 unpinned one-vCPU guests, alternating
# heavy (duty 1) and light (duty 0.2) loads, vcpu_scheduler every 3 s. As in
# scenario 2: balanced (SPEC, on 10-s rolling means) within BOUND seconds, then
# balanced for >= 60% of the rest and no pin change after BOUND. Pin changes
# (issue 12, do no harm): where the kernel serves the unpinned guests fairly
# the scheduler leaves them unpinned (0 changes); when it acts it pins every
# unpinned vCPU (so the load is attributed exactly), each of the 8 once
# (unpinned -> one pCPU): at most 8 (--max_pins). From the guests' side over the
# last 45 s: the 4 busy guests (the light ones are not starved by a bad
# placement) each run >= 0.75 of their fair share of what the guests could
# have had. When nothing is pinned the per-pCPU rows only say where each
# floating vCPU last ran (Linux alone reads balanced in about half of them),
# so the 60% rule applies only once the scheduler pins
# (--balance_judged_if_pinned) and the guests' side judges alone; cpu4
# compares the same guests with Linux alone. Pinning guests 00-06 to pCPU 0 and 07 to pCPU 1
# (--test_env=E2E_CONTROLLER=$PWD/tests/e2e/crowd_7_1.sh) fails it: ~0.57.
export VMB_PREFIX=vmbe2ec3-
source "$(dirname "$0")/e2e_lib.sh"
readonly BOUND=30
run_scenario "$TESTBED/guests/cpu3_unpinned_mixed.guests" 90 -- \
  "$CONTROLLERS/vcpu_scheduler" --listen=127.0.0.1:0 ${E2E_CONTROLLER_FLAGS:-} 3
check cpu --smooth=10 --balanced_by_s=$BOUND --min_balanced_fraction=0.6 \
  --balance_judged_if_pinned=1 --max_pins=8 --min_mean_pct=40 --fair_tail_s=45 --min_fair_ratio=0.75 \
  --min_busy_guests=4
