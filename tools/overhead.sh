#!/usr/bin/env bash
# What vmbalance costs a host: CPU seconds per hour of vmbalanced and of
# libvirtd on its behalf, at 8 real guests and intervals of 1, 2 and 5 s,
# beside phases with no controller in the same run (before and after, so
# drift in libvirtd's own load shows). CPU time is utime + stime from
# /proc/PID/stat (all threads), read at the start and end of each phase;
# a controller phase starts measuring after a warm-up of WARMUP seconds.
#
#   tools/overhead.sh [SECONDS_PER_PHASE]      (default 60)
# Env: OVH_INTERVALS ("1 2 5"), OVH_WARMUP (10), VMB_PREFIX (ovh-),
#      OVH_FLAGS (extra vmbalanced flags), OVH_BUILD (1; 0 uses the last
#      -c opt build as it is).
# Guests are tools/overhead.guests; they are destroyed on exit. vmbalanced
# manages every guest on the host: when guests other than ours are present
# (a shared test machine), it runs with --dry_run so it never pins or resizes
# them (it still samples and decides; the table says how many domains it
# read). Other users of libvirtd inflate its figures (the baseline phases
# show how much it drifts). Prometheus scrapes are not part of the load.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
phase_s=${1:-60}
intervals=${OVH_INTERVALS:-1 2 5}
warmup=${OVH_WARMUP:-10}
export VMB_PREFIX=${VMB_PREFIX:-ovh-}
[[ $phase_s =~ ^[1-9][0-9]*$ ]] || { echo "usage: tools/overhead.sh [SECONDS]" >&2; exit 2; }

log() { echo "overhead: $*" >&2; }

tools/libvirt_up.sh
if [[ ${OVH_BUILD:-1} == 1 ]]; then
  log "building (-c opt, as an operator runs it)"
  bazel build -c opt //controller:vmbalanced //tests/testbed:testbed >&2
  bin=$(bazel info -c opt bazel-bin 2>/dev/null)
else  # OVH_BUILD=0: the last -c opt build, without queueing for Bazel
  bin="$root/bazel-out/k8-opt/bin"
fi
testbed="$bin/tests/testbed/testbed"
work=$(mktemp -d /tmp/vmbalance-overhead.XXXXXX)
hz=$(getconf CLK_TCK)

controller_pid=""
cleanup() {
  trap - EXIT INT TERM
  if [[ -n $controller_pid ]]; then kill -TERM "$controller_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  "$testbed" down >/dev/null 2>&1 || log "could not remove every $VMB_PREFIX guest"
  log "logs in $work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# cpu_ticks PID: utime + stime of the process (all threads), in clock ticks.
# NA when the process is gone (libvirtd restarted by someone else).
cpu_ticks() {
  # Field 2 (comm) may hold spaces: count fields after its closing ')'.
  sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }' |
    grep . || echo NA
}

# measure PID...: sleeps phase_s and prints each PID's CPU seconds per hour.
measure() {
  local -a before=() after=()
  local pid i start end
  for pid in "$@"; do before+=("$(cpu_ticks "$pid")"); done
  start=$(date +%s.%N)
  sleep "$phase_s"
  end=$(date +%s.%N)
  for pid in "$@"; do after+=("$(cpu_ticks "$pid")"); done
  for i in "${!before[@]}"; do
    if [[ ${before[i]} == NA || ${after[i]} == NA ]]; then
      echo -n "NA "
      continue
    fi
    awk -v d=$((after[i] - before[i])) -v hz="$hz" -v s="$start" -v e="$end" \
      'BEGIN { printf "%.1f ", d / hz * 3600 / (e - s) }'
  done
  echo
}

libvirtd_pid() {
  pgrep -xo libvirtd || { log "libvirtd is not running"; exit 1; }
}

log "booting 8 idle guests ($VMB_PREFIX*)"
"$testbed" up "$root/tools/overhead.guests" >&2
"$testbed" wait-ready >&2

# Checked before every phase: another user may start guests at any time.
flags=(${OVH_FLAGS:-})
dry_run_if_shared() {
  local others
  others=$(virsh -q -c qemu:///system list --all --name |
    grep -v "^$VMB_PREFIX" | grep -c . || true)
  if ((others > 0)) && [[ " ${flags[*]} " != *" --dry_run "* ]]; then
    log "$others guest(s) not ours on this host: vmbalanced runs with --dry_run"
    flags+=(--dry_run)
  fi
}

declare -A controller_sh=() libvirtd_sh=() domains=()
log "phase none (${phase_s}s)"
read -r base_before < <(measure "$(libvirtd_pid)")
for interval in $intervals; do
  dry_run_if_shared
  "$bin/controller/vmbalanced" --listen=127.0.0.1:0 "${flags[@]}" "$interval" \
    >"$work/vmbalanced_$interval.log" 2>&1 &
  controller_pid=$!
  sleep "$warmup"
  kill -0 "$controller_pid" 2>/dev/null ||
    { log "vmbalanced $interval died: see $work/vmbalanced_$interval.log"; exit 1; }
  log "phase vmbalanced $interval (${phase_s}s after ${warmup}s warm-up)"
  read -r controller_sh[$interval] libvirtd_sh[$interval] \
    < <(measure "$controller_pid" "$(libvirtd_pid)")
  log "vmbalanced $interval: ${controller_sh[$interval]} s/h, libvirtd ${libvirtd_sh[$interval]} s/h"
  kill -TERM "$controller_pid"
  wait "$controller_pid" || true
  controller_pid=""
  # Ticks with a sample / ticks due over warm-up + phase, and the number of
  # domains most ticks read (8, plus any guests not ours): a phase whose
  # controller stalled (libvirtd busy with others' work) shows here.
  domains[$interval]=$(sed -n 's/^\[tick [0-9]*\] \([0-9]*\) domains.*/\1/p' \
    "$work/vmbalanced_$interval.log" | sort | uniq -c | sort -rn |
    awk -v due="$(awk -v s=$((warmup + phase_s)) -v i="$interval" \
      'BEGIN { printf "%d", s / i }')" \
      '{ n += $1 } NR == 1 { d = $2 } END { printf "%d/%d, %d domains", n, due, d }')
done
log "phase none again (${phase_s}s)"
read -r base_after < <(measure "$(libvirtd_pid)")

# NA figures (libvirtd restarted during the phase) are left out.
base=$(echo "$base_before $base_after" | awk '{ for (i = 1; i <= NF; i++)
  if ($i != "NA") { s += $i; n++ } } END { if (n) printf "%.1f", s / n; else print "NA" }')
echo
echo "vmbalanced ${flags[*]:-(no extra flags)}, ${phase_s} s per phase;" \
  "libvirtd with no controller: $base_before s/h before, $base_after s/h" \
  "after (baseline $base); CPU time resolution 1/$hz s"
printf '%-9s | %-19s | %-13s | %-24s | %s\n' interval "controller CPU s/h" \
  "% of one core" "libvirtd CPU s/h extra" "ticks sampled/due"
for interval in $intervals; do
  awk -v i="$interval" -v c="${controller_sh[$interval]}" \
    -v l="${libvirtd_sh[$interval]}" -v b="$base" -v n="${domains[$interval]}" \
    'BEGIN { extra = sprintf("%.1f", l - b)
             if (l == "NA" || b == "NA") extra = "NA (libvirtd restarted)"
             printf "%-9s | %-19.1f | %-13.3f | %-24s | %s\n",
                    i " s", c, c / 36, extra, n }'
done
