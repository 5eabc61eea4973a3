#!/usr/bin/env bash
# Course CPU scenario 1 on real guests: 8 one-vCPU guests with equal busy
# loads, pinned round-robin (4 per pCPU on this 2-pCPU host): already
# balanced, so vcpu_scheduler (every 3 s) must leave it so. The monitor must
# see the pCPUs balanced (SPEC, on 10-s rolling means) from the first full
# window on (BOUND) and for >= 60% of the later rows (the host may be shared
# with other work), no affinity change at all, and from the guests' side
# every busy guest running >= 0.75 of its fair share over the last 40 s.
# Not for the wrong reason: all 8 guests must be busy (an idle host is
# "balanced" too), and the scheduler must have sampled the 8 guests for most
# of the run (one that never reads them changes nothing either).
export VMB_PREFIX=vmbe2ec1-
source "$(dirname "$0")/e2e_lib.sh"
readonly BOUND=15
run_scenario "$TESTBED/guests/cpu1_rr_equal.guests" 60 -- \
  "$CONTROLLERS/vcpu_scheduler" --listen=127.0.0.1:0 ${E2E_CONTROLLER_FLAGS:-} 3
expect_controller_saw 8 12
check cpu --smooth=10 --balanced_by_s=$BOUND --min_balanced_fraction=0.6 \
  --pins=0 --min_mean_pct=60 --fair_tail_s=40 --min_fair_ratio=0.75 \
  --min_busy_guests=8
