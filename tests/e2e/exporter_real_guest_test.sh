#!/usr/bin/env bash
# libvirt_exporter against qemu:///system with two real testbed guests (one
# busy, one idle): scrapes /metrics until a later scrape differs from the
# first, then checks per guest that libvirt_domain_vcpu_time_seconds_total
# increased (for the busy one), libvirt_domain_vcpu_pcpu and
# libvirt_domain_vcpu_affinity_info (with the pinned cpuset) are there,
# memory actual/unused bytes are > 0 and the balloon's last_update timestamp
# advanced; and that `promtool check metrics` finds nothing to complain about.
export VMB_PREFIX=vmbe2eex-
source "$(dirname "$0")/e2e_lib.sh"
testbed="$E2E_RUNFILES/tests/testbed/testbed.sh"
e2e_before_cleanup() { stop_exporter; }

note "up"
"$testbed" up "$E2E_DIR/guests/exporter.guests"
"$testbed" wait-ready 180
mapfile -t guests < <("$testbed" names)
busy=${guests[0]}

start_exporter --connect="${VMB_CONNECT:-qemu:///system}" --interval=1
note "exporter on $url"

scrape() { curl -fsS --max-time 10 "$url" >"$1"; }
# value FILE METRIC GUEST: the sample of METRIC for GUEST's vCPU 0 (or the
# domain) ; empty if absent.
value() {
  awk -v m="$2" -v g="domain=\"$3\"" \
    'index($0, m "{") == 1 && index($0, g) && ($0 !~ /vcpu="/ || $0 ~ /vcpu="0"/) { print $NF; exit }' "$1"
}
has_guests() {
  scrape "$OUT/scrape1.txt" &&
    [[ -n $(value "$OUT/scrape1.txt" libvirt_domain_vcpu_time_seconds_total "$busy") ]] &&
    [[ -n $(value "$OUT/scrape1.txt" libvirt_domain_memory_stats_last_update_timestamp_seconds "$busy") ]]
}
wait_for 30 "the guests in /metrics" has_guests
note "first scrape has the guests"
advanced() {
  scrape "$OUT/scrape2.txt" || return 1
  local g
  for g in "${guests[@]}"; do
    awk -v a="$(value "$OUT/scrape1.txt" libvirt_domain_memory_stats_last_update_timestamp_seconds "$g")" \
      -v b="$(value "$OUT/scrape2.txt" libvirt_domain_memory_stats_last_update_timestamp_seconds "$g")" \
      'BEGIN { exit !(b > a) }' || return 1
  done
}
wait_for 30 "every guest's balloon last_update to advance" advanced
note "second scrape: last_update advanced for every guest"

s1="$OUT/scrape1.txt" s2="$OUT/scrape2.txt"
t1=$(value "$s1" libvirt_domain_vcpu_time_seconds_total "$busy")
t2=$(value "$s2" libvirt_domain_vcpu_time_seconds_total "$busy")
awk -v a="$t1" -v b="$t2" 'BEGIN { exit !(b > a) }' ||
  fail "vCPU time of $busy did not increase: $t1 -> $t2"
note "vCPU time of $busy: $t1 -> $t2 s"
for g in "${guests[@]}"; do
  [[ -n $(value "$s2" libvirt_domain_vcpu_pcpu "$g") ]] ||
    fail "no libvirt_domain_vcpu_pcpu for $g"
  grep -q "^libvirt_domain_vcpu_affinity_info{.*domain=\"$g\".*cpuset=\"[0-9]" "$s2" ||
    fail "no libvirt_domain_vcpu_affinity_info with a cpuset for $g"
  for m in libvirt_domain_memory_actual_bytes libvirt_domain_memory_unused_bytes; do
    v=$(value "$s2" "$m" "$g")
    awk -v v="$v" 'BEGIN { exit !(v > 0) }' || fail "$m of $g is '$v', want > 0"
  done
done
# The testbed pinned the busy guest round-robin: to pCPU 0.
grep -q "^libvirt_domain_vcpu_affinity_info{.*domain=\"$busy\".*cpuset=\"0\"" "$s2" ||
  fail "$busy's affinity_info does not show its pin to pCPU 0"
note "pcpu, affinity_info, actual/unused bytes present for ${guests[*]}"

if ! promtool check metrics <"$s2" >"$OUT/promtool.txt" 2>&1; then
  cat "$OUT/promtool.txt" >&2
  fail "promtool check metrics complained"
fi
[[ ! -s $OUT/promtool.txt ]] || { cat "$OUT/promtool.txt" >&2; fail "promtool printed warnings"; }
note "promtool check metrics: clean"
kill -0 "$exporter_pid" || fail "the exporter died"
note "PASS"
