#!/usr/bin/env bash
# Every benchmark in one run, on this machine, the current tree side by side
# with an older revision (default 4d51305, the code before issue 13's work):
# the sampling and metrics path, the two policies' decision times, /metrics
# at 1000 simulated two-vCPU domains (latency, a scrape storm, process CPU
# with 1 and 10 scrapers, RSS), one sample of 1000 guests of libvirtd's test
# driver (round trips and time; needs a running libvirtd), then, for the current tree only, RSS over a
# long run, steady and with two kinds of domain churn, the simulator's
# per-tick records off (tools/bench/rss_growth.py), and the closed-loop outcomes of every simulator
# scenario (intervals to balance, pin changes, balloon changes, kills, and
# "short": the longest run of intervals a guest spent below 100 MiB unused
# while it could still have been grown). Benchmark figures are CPU time; the
# machine is noisy, so compare within one run, not across runs.
#
# The old revision is built in a git worktree under /tmp with its own Bazel
# output base (/tmp/bench_old_ob), so the shared one is left alone.
#
#   tools/bench.sh [--old=REV] [--churn_ticks=N] [--no_closed_loop] [OUT_DIR]
#     OUT_DIR defaults to /tmp/vmbalance-bench; --churn_ticks=0 skips churn.
#     BENCH_MIN_TIME (default 0.2 s) is each Google benchmark's minimum time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
old_rev=4d51305
churn_ticks=10000
closed_loop=1
out=/tmp/vmbalance-bench
for arg in "$@"; do
  case $arg in
    --old=*) old_rev=${arg#--old=} ;;
    --churn_ticks=*) churn_ticks=${arg#--churn_ticks=} ;;
    --no_closed_loop) closed_loop=0 ;;
    -*) echo "bench.sh: unknown flag $arg" >&2; exit 2 ;;
    *) out=$arg ;;
  esac
done
old_rev=$(git rev-parse --short "$old_rev^{commit}")
mkdir -p "$out/old" "$out/new" "$out/scenarios"
targets=(//exporter:derive_benchmark //controller/cpu:vcpu_policy_benchmark
  //controller/memory:memory_policy_benchmark //controller:vmbalanced
  //exporter:libvirt_exporter)
binaries=(exporter/derive_benchmark controller/cpu/vcpu_policy_benchmark
  controller/memory/memory_policy_benchmark controller/vmbalanced
  exporter/libvirt_exporter)

# Builds `targets` in $1 (a source tree) with Bazel args $2.. and copies the
# binaries to $out/<side>, so later builds in the tree cannot swap them.
build_side() {
  local side=$1 tree=$2
  shift 2
  (cd "$tree" && bazel "$@" build -c opt "${targets[@]}")
  local bin
  bin=$(cd "$tree" && bazel "$@" info -c opt bazel-bin 2>/dev/null)
  for b in "${binaries[@]}"; do cp -f "$bin/$b" "$out/$side/"; done
}

echo "== building the current tree and $old_rev (-c opt)"
build_side new "$repo"
old_tree=/tmp/vmbalance-bench-old-$old_rev
[[ -d $old_tree ]] || git worktree add --detach "$old_tree" "$old_rev" >/dev/null
build_side old "$old_tree" --output_base=/tmp/bench_old_ob

python3 tools/bench/make_scale_scenarios.py "$out/scenarios"
for side in old new; do
  echo "== $side: derive, vCPU and memory policy benchmarks"
  for pair in derive:derive_benchmark vcpu:vcpu_policy_benchmark \
    memory:memory_policy_benchmark; do
    "$out/$side/${pair#*:}" --benchmark_min_time="${BENCH_MIN_TIME:-0.2}" \
      --benchmark_out="$out/$side/${pair%%:*}.json" \
      --benchmark_out_format=json >/dev/null
  done
  echo "== $side: /metrics with 1000 simulated domains"
  python3 tools/bench/scrape_bench.py "$out/$side/vmbalanced" \
    "$out/scenarios/scale_1000x2.json" >"$out/$side/scrape.json"
  if virsh -q -c test+unix:///default version >/dev/null 2>&1; then
    echo "== $side: one sample of 1000 test-driver guests through libvirtd"
    # 60 s: its steady figures leave out the first third (first reads).
    python3 tools/bench/sample_cost.py "$out/$side/libvirt_exporter" 1000 60 \
      >"$out/$side/sample.json"
  else
    echo "== $side: no libvirtd (tools/libvirt_up.sh): sampling cost skipped"
  fi
done
if ((churn_ticks > 0)); then
  echo "== new: RSS over $churn_ticks ticks, steady / restarts / replacements"
  python3 tools/bench/rss_growth.py --json="$out/new/rss.json" \
    "$out/new/vmbalanced" "$out/scenarios" "$churn_ticks" >"$out/new/rss.md"
fi
echo "== old ($old_rev) vs new (this tree), ratio = old/new"
python3 tools/bench/compare.py "$out" "$old_rev" | tee "$out/table.md"

((closed_loop)) || exit 0
echo
echo "== closed loop on the simulator: vmbalanced, 1 s virtual interval"
printf '%-28s %6s %8s %10s %9s %8s %6s %7s %9s %6s\n' scenario ticks pins balanced@ final_sd balloon oom allocf minfree short
for scenario in controller/sim/testdata/*.json; do
  name=$(basename "$scenario" .json)
  ticks=120
  [[ $name == cpu_64x500 ]] && ticks=30
  "$out/new/vmbalanced" --simulate="$scenario" --ticks=$ticks --quiet \
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
