#!/usr/bin/env bash
# Course CPU scenario 1 on real guests: 8 one-vCPU guests with equal loads,
# pinned round-robin (4 per pCPU on this 2-pCPU host): already balanced, so
# vcpu_scheduler (every 3 s) must change no pin at all for the whole run, as
# counted by the monitor from the guests' affinities. The guests must be busy
# (else zero changes proves nothing).
export VMB_PREFIX=vmbe2ec1-
source "$(dirname "$0")/e2e_lib.sh"
run_scenario "$TESTBED/guests/cpu1_rr_equal.guests" 60 -- \
  "$CONTROLLERS/vcpu_scheduler" --listen=127.0.0.1:0 ${E2E_CONTROLLER_FLAGS:-} 3
check cpu --smooth=5 --pins=0 --min_mean_pct=60
