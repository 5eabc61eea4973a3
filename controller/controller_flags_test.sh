#!/bin/bash
# The controller binaries' flags as a user meets them: --helpshort lists each
# binary's own flags from the registry (the policies it runs, vmbalanced's
# --cpu/--memory only there), bad values exit 2 naming the flag, and a
# simulated run is judged by the balance rule the flags configure.
set -u

VCPU="$(realpath "$1")"
MEMORY="$(realpath "$2")"
BOTH="$(realpath "$3")"
SCENARIOS="$(dirname "$(realpath "$4")")"
source tests/shell/binary_test_lib.sh

# has_flags NAME FLAG...: every FLAG is listed in $TMP/out.txt.
has_flags() {
  local name="$1"; shift
  for flag in "$@"; do
    grep -q -- "^    -$flag " "$TMP/out.txt" && pass "$name lists --$flag" \
      || fail "$name --helpshort does not list --$flag"
  done
}
# lacks_flags NAME FLAG...: no FLAG is listed in $TMP/out.txt.
lacks_flags() {
  local name="$1"; shift
  for flag in "$@"; do
    grep -q -- "^    -$flag " "$TMP/out.txt" \
      && fail "$name --helpshort lists --$flag" || pass "$name omits --$flag"
  done
}

# exclude: both controllers honour it. The sampling deadline and domain
# metadata/config flags come from the exporter's files.
COMMON=(connect listen dry_run simulate ticks summary_json sim_realtime quiet
        exclude sample_deadline_fraction sample_deadline_min_ms
        domain_metadata_labels domain_metadata domain_config_refresh_seconds)
CPU=(pcpus balance_ratio balance_abs fairness fair_busy_want
     fair_min_served_ratio stranded_idle_pcpus stranded_wait_pcpus
     smt_busy_vcpu_demand smt_idle_core_load numa_home_cells
     numa_cell_fill_slack)
MEM=(min_unused_mib max_unused_mib host_reserve_mib host_reserve_fraction
     guest_floor_mib max_shrink_fraction stale_after_seconds)

expect_exit 0 "vcpu_scheduler --helpshort" "$VCPU" --helpshort
has_flags vcpu_scheduler "${COMMON[@]}" "${CPU[@]}"
lacks_flags vcpu_scheduler "${MEM[@]}" cpu memory logtostderr
grep -q 'default: ":9178"' "$TMP/out.txt" && pass "vcpu_scheduler default port" \
  || fail "vcpu_scheduler --helpshort: no :9178 default"

expect_exit 0 "memory_coordinator --helpshort" "$MEMORY" --helpshort
has_flags memory_coordinator "${COMMON[@]}" "${MEM[@]}"
lacks_flags memory_coordinator "${CPU[@]}" cpu memory
grep -Eq -- '-min_unused_mib .*' "$TMP/out.txt" \
  && grep -A2 -- '-min_unused_mib' "$TMP/out.txt" | grep -q 'default: 100$' \
  && pass "low mark default 100" || fail "--min_unused_mib default is not 100"

expect_exit 0 "vmbalanced --helpshort" "$BOTH" --helpshort
has_flags vmbalanced "${COMMON[@]}" "${CPU[@]}" "${MEM[@]}" cpu memory

# --cpu/--memory are vmbalanced's alone.
expect_exit 1 "vcpu_scheduler refuses --nomemory" "$VCPU" --nomemory 1

for bad in --balance_ratio=1 --balance_abs=0 --pcpus=x --fair_busy_want=0 \
    --fair_min_served_ratio=2 --stranded_idle_pcpus=0 --stranded_wait_pcpus=0 \
    --smt_busy_vcpu_demand=1.5 --smt_idle_core_load=0.9 \
    --numa_cell_fill_slack=1; do
  expect_exit 2 "vcpu_scheduler $bad" "$VCPU" "$bad" 1
  grep -q -- "${bad%%=*}" "$TMP/err.txt" && pass "message names ${bad%%=*}" \
    || fail "$bad: message does not name the flag: $(cat "$TMP/err.txt")"
done
for bad in --max_unused_mib=50 --guest_floor_mib=0 --max_shrink_fraction=0.9 \
    --stale_after_seconds=0 --host_reserve_fraction=1; do
  expect_exit 2 "memory_coordinator $bad" "$MEMORY" "$bad" 1
  grep -q -- "${bad%%=*}" "$TMP/err.txt" && pass "message names ${bad%%=*}" \
    || fail "$bad: message does not name the flag: $(cat "$TMP/err.txt")"
done

# The referee judges a simulated run by the configured rule: a dry run of the
# alternating heavy/light scenario is not balanced by the SPEC's 5%, but is
# by a loose 90%.
first_balanced() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["first_balanced_tick"])' "$1"
}
SCENARIO="$SCENARIOS/cpu_3_unpinned_heavy_light.json"
expect_exit 0 "dry run, default rule" "$VCPU" --simulate="$SCENARIO" --ticks=5 \
  --dry_run --quiet --summary_json="$TMP/strict.json" 1
expect_exit 0 "dry run, loose rule" "$VCPU" --simulate="$SCENARIO" --ticks=5 \
  --dry_run --quiet --balance_ratio=0.9 --balance_abs=0.9 \
  --summary_json="$TMP/loose.json" 1
[[ "$(first_balanced "$TMP/strict.json")" == None ]] \
  && pass "SPEC rule: never balanced without pins" \
  || fail "SPEC rule: balanced at tick $(first_balanced "$TMP/strict.json")"
[[ "$(first_balanced "$TMP/loose.json")" == 0 ]] \
  && pass "configured rule: balanced at once" \
  || fail "configured rule not used by the referee: $(first_balanced "$TMP/loose.json")"

finish
