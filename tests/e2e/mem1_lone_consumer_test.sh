#!/usr/bin/env bash
# Course memory scenario 1 on real guests, with a release phase: 4 guests at
# 512 MiB start, 2048 MiB max (the course's sizes, NOT scaled down: this host
# has 24 GiB); guest 00 grows to 1400 MiB, holds it 15 s, frees it all and
# rests; three idle, of which guest 03 is opted out of the coordinator in
# its persistent definition (<vmbalance:policy memory="off"/>).
# memory_coordinator every 2 s. The monitor must see:
# guest 00's balloon grow well above 512 MiB (>= 1200: the coordinator fed
# the growth) and, after its peak, fall back to <= 800 MiB (reclaimed while
# the worker rests); idle guest 01's unused memory taken back (<= 480 MiB:
# the coordinator does resize idle guests, or the next check proves
# nothing) while guest 03's balloon never moves (check_run.py --untouched:
# within 8 MiB of its first reading); every guest present in every row; host
# free memory above the coordinator's reserve throughout; and no OOM or panic
# on any console (run_scenario's oom-check; the worker's own
# free-on-allocation-failure is not an OOM).
export VMB_PREFIX=vmbe2em1-
source "$(dirname "$0")/e2e_lib.sh"
run_scenario "$E2E_DIR/guests/mem1_consume_release.guests" 150 -- \
  "$CONTROLLERS/memory_coordinator" --listen=127.0.0.1:0 ${E2E_CONTROLLER_FLAGS:-} 2
check mem --controller_log="$OUT/controller.log" \
  --grow="${VMB_PREFIX}00:1200" --reclaim="${VMB_PREFIX}00:800" \
  --reclaim="${VMB_PREFIX}01:480" --untouched="${VMB_PREFIX}03"
