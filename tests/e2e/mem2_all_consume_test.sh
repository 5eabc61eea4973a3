#!/usr/bin/env bash
# Course memory scenario 2 on real guests: 4 guests at 512 MiB start, 2048 MiB
# max (the course's sizes, NOT scaled down: this host has 24 GiB), all four
# running the course's memory worker (grow 4 KiB per 100 us, free all when
# the guest runs low, repeat). memory_coordinator every 2 s. The monitor must
# see every guest's balloon grow well above 512 MiB (>= 1000), every guest in
# every row, host free memory above the coordinator's reserve, and no OOM or
# panic on any console (run_scenario's oom-check).
export VMB_PREFIX=vmbe2em2-
source "$(dirname "$0")/e2e_lib.sh"
run_scenario "$TESTBED/guests/mem2_all_consume.guests" 100 -- \
  "$CONTROLLERS/memory_coordinator" --listen=127.0.0.1:0 ${E2E_CONTROLLER_FLAGS:-} 2
grows=()
for i in 00 01 02 03; do grows+=(--grow="${VMB_PREFIX}$i:1000"); done
check mem --controller_log="$OUT/controller.log" "${grows[@]}"
