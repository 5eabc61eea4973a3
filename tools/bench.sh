#!/usr/bin/env bash
# Every benchmark in one run, side by side, on this machine: the sampling and
# metrics path, the two policies' decision times, and the closed-loop
# outcomes of every simulator scenario (intervals to balance, pin changes,
# balloon changes, kills, and "short": the longest run of intervals a guest
# spent below 100 MiB unused while it could still have been grown). Figures are CPU time; the machine is noisy, so
# compare within one run, not across runs.
#
#   tools/bench.sh [OUT_DIR]     (default /tmp/vmbalance-bench)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-/tmp/vmbalance-bench}"
mkdir -p "$out"
bazel build -c opt //exporter:derive_benchmark //controller/cpu:vcpu_policy_benchmark \
  //controller/memory:memory_policy_benchmark //controller:vmbalanced
bin=bazel-bin
echo "== sample -> derive -> metrics (exporter/derive_benchmark.cc)"
"$bin/exporter/derive_benchmark" --benchmark_min_time=0.2 \
  --benchmark_out="$out/derive.json" --benchmark_out_format=json
echo "== vCPU policy decision (controller/cpu/vcpu_policy_benchmark.cc)"
"$bin/controller/cpu/vcpu_policy_benchmark" --benchmark_min_time=0.2 \
  --benchmark_out="$out/vcpu.json" --benchmark_out_format=json
echo "== memory policy decision (controller/memory/memory_policy_benchmark.cc)"
"$bin/controller/memory/memory_policy_benchmark" --benchmark_min_time=0.2 \
  --benchmark_out="$out/memory.json" --benchmark_out_format=json

echo "== closed loop on the simulator: vmbalanced, 1 s virtual interval"
printf '%-28s %6s %8s %10s %9s %8s %6s %7s %9s %6s\n' scenario ticks pins balanced@ final_sd balloon oom allocf minfree short
for scenario in controller/sim/testdata/*.json; do
  name=$(basename "$scenario" .json)
  ticks=120
  [[ $name == cpu_64x500 ]] && ticks=30
  "$bin/controller/vmbalanced" --simulate="$scenario" --ticks=$ticks --quiet \
    --summary_json="$out/$name.summary.json" 1 >/dev/null 2>&1
  python3 - "$out/$name.summary.json" "$name" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
fb = s["first_balanced_tick"]
fs = s.get("first_settled_tick")
at = str(fb) if fb is not None else (f"best@{fs}" if fs is not None else "-")
print(f'{sys.argv[2]:<28} {s["ticks"]:6d} {s["pin_changes"]:8d} {at:>10} '
      f'{s["final_stddev"]:9.3f} {s["balloon_changes"]:8d} {s["guest_oom_kills"]:6d} '
      f'{s["workload_alloc_failures"]:7d} {s["min_host_free_mib"]:9d} '
      f'{s["max_ticks_short_of_memory"]:6d}')
PY
done
echo "(raw results in $out)"
