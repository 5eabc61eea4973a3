#!/usr/bin/env bash
# Page cache is not need (issue 11): one guest (512 MiB start, 2048 max)
# reads its 1536 MiB disk to /dev/null again and again (cache_reader), so
# its page cache fills all its free memory: "unused" falls near zero while
# the guest could drop that cache at any time (its MemAvailable, the
# balloon's "usable", stays high). memory_coordinator every 1 s.
# Asserts, on the test's own sampler of `virsh dommemstat` (cache.csv, every
# second): the guest's page cache was really high (in some sample at least
# half of the guest: disk_caches >= actual / 2; relative, because a policy
# may rightly shrink a guest whose memory is mostly cache) and its balloon
# stayed well below max (peak actual <= 1024 MiB): a coordinator that
# counts cache as need grows it towards 2048.
# Env: E2E_PAGE_CACHE_SECONDS (60); E2E_CONTROLLER, E2E_CONTROLLER_FLAGS as
# in e2e_lib.sh.
export VMB_PREFIX=vmbe2epc-
source "$(dirname "$0")/e2e_lib.sh"
testbed="$TESTBED/testbed.sh"
readonly RUN_S=${E2E_PAGE_CACHE_SECONDS:-60}
readonly MIN_CACHE_FRACTION=0.5 MAX_ACTUAL_MIB=1024

sampler_pid="" controller_pid=""
stop_all() {
  local pid
  for pid in "$controller_pid" "$sampler_pid"; do
    if [[ -n $pid ]]; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  wait 2>/dev/null || true
}
e2e_before_cleanup() { stop_all; }

# The guest's balloon figures every second, in MiB.
sample_guest() {
  local name=$1 t0=$EPOCHREALTIME
  echo "time_s,actual_mib,unused_mib,usable_mib,disk_caches_mib"
  while :; do
    virsh -q -c "${VMB_CONNECT:-qemu:///system}" dommemstat "$name" 2>/dev/null |
      awk -v t="$EPOCHREALTIME" -v t0="$t0" '
        { v[$1] = $2 / 1024 }
        END { if ("actual" in v) printf "%.1f,%.1f,%.1f,%.1f,%.1f\n", t - t0,
              v["actual"], v["unused"], v["usable"], v["disk_caches"] }'
    sleep 1
  done
}

note "up"
"$testbed" up "$E2E_DIR/guests/mem_page_cache.guests"
"$testbed" wait-ready 180
guest=$("$testbed" names)
sample_guest "$guest" >"$OUT/cache.csv" &
sampler_pid=$!
start_memory_coordinator
note "controller: ${controller[*]}; running ${RUN_S} s"
sleep "$RUN_S"
kill -0 "$controller_pid" 2>/dev/null ||
  fail "the controller exited early: $(tail -n 5 "$OUT/controller.log")"
stop_all
"$testbed" oom-check
"$testbed" down --keep-logs "$OUT/consoles"
note "judging $OUT/cache.csv"
awk -F, -v min_frac="$MIN_CACHE_FRACTION" -v max_actual="$MAX_ACTUAL_MIB" '
  NR > 1 { n++; if ($2 > peak) { peak = $2; peak_t = $1 }
           if ($5 > cache) cache = $5
           if ($2 > 0 && $5 / $2 > frac) frac = $5 / $2
           if (n == 1 || $4 < usable) usable = $4 }
  END {
    printf "samples=%d\npeak_actual_mib=%.1f\npeak_actual_at_s=%.1f\n", n, peak, peak_t
    printf "peak_disk_caches_mib=%.1f\npeak_cache_fraction=%.2f\n", cache, frac
    printf "min_usable_mib=%.1f\n", usable
    bad = 0
    if (n < 10) { print "FAIL: fewer than 10 samples"; bad = 1 }
    if (frac < min_frac) {
      printf "FAIL: page cache peaked at %.2f of the guest, want >= %.2f (the test did not fill it)\n", frac, min_frac; bad = 1 }
    if (peak > max_actual) {
      printf "FAIL: balloon grew to %.1f MiB for page cache, want <= %d\n", peak, max_actual; bad = 1 }
    exit bad
  }' "$OUT/cache.csv" | tee "$OUT/check.txt"
((PIPESTATUS[0] == 0)) || fail "assertions failed (above)"
note "PASS"
