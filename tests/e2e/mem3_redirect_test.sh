#!/usr/bin/env bash
# Course memory scenario 3 (redirect) on real guests: 4 guests at 512 MiB
# start, 2048 MiB max (the course's sizes, NOT scaled down: this host has
# 24 GiB). Guest 00 grows to 512 MiB of its own and holds it, guest 01 keeps
# growing (the course's worker), two idle. memory_coordinator every 2 s. The
# monitor must see guest 01's balloon peak >= 1400 MiB and at least 500 MiB
# above guest 00's (memory went to the grower, not the stopped guest), every
# guest in every row, host free memory above the coordinator's reserve, and no
# OOM or panic on any console (run_scenario's oom-check).
export VMB_PREFIX=vmbe2em3-
source "$(dirname "$0")/e2e_lib.sh"
run_scenario "$TESTBED/guests/mem3_redirect.guests" 100 -- \
  "$CONTROLLERS/memory_coordinator" --listen=127.0.0.1:0 ${E2E_CONTROLLER_FLAGS:-} 2
check mem --controller_log="$OUT/controller.log" \
  --grow="${VMB_PREFIX}01:1400" --more="${VMB_PREFIX}01:${VMB_PREFIX}00:500"
