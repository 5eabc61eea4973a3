#!/usr/bin/env bash
# Regenerates the README's plots from real runs on real guests (needs root and
# libvirtd, like the e2e tests; ~6 min on 2 cores):
#   docs/img/real_cpu2.png  course CPU scenario 2 (8 equal guests all on
#                           pCPU 0) with vcpu_scheduler every 3 s
#   docs/img/real_mem3.png  course memory scenario 3 (redirect) with
#                           memory_coordinator every 2 s
# and prints each run's key figures (check_run.py). The monitor's CSVs and
# logs stay in OUT (default /tmp/vmbalance-plots).
#
#   tests/e2e/make_readme_plots.sh [OUT]
# Env: BAZEL (default "bazel"; e.g. "bazel --output_base=..."),
#      CPU_SECONDS (90), MEM_SECONDS (120); VCPU_FLAGS, MEMORY_FLAGS: extra
#      controller flags (word-split).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$(pwd)
out="${1:-/tmp/vmbalance-plots}"
read -r -a bazel_cmd <<<"${BAZEL:-bazel}"
mkdir -p "$out" docs/img

"${bazel_cmd[@]}" build //controller:vcpu_scheduler \
  //controller:memory_coordinator //tests/testbed:run_scenario
bin=$("${bazel_cmd[@]}" info bazel-bin 2>/dev/null)
testbed="$bin/tests/testbed"

# scenario NAME GUESTS SECONDS PNG TITLE -- CONTROLLER...
scenario() {
  local name=$1 guests=$2 seconds=$3 png=$4 title=$5
  shift 6
  echo "plots: $name ($seconds s on real guests)"
  VMB_PREFIX="vmbplot-$name-" "$testbed/run_scenario" "$root/$guests" \
    "$seconds" "$out/$name" -- "$@"
  tests/testbed/plot.sh "$out/$name/monitor.csv" "$png" "$title"
}

scenario cpu2 tests/testbed/guests/cpu2_pcpu0_equal.guests \
  "${CPU_SECONDS:-90}" docs/img/real_cpu2.png \
  "CPU scenario 2 on 8 real TCG guests: all start on pCPU 0; vcpu_scheduler every 3 s" \
  -- "$bin/controller/vcpu_scheduler" --listen=127.0.0.1:0 ${VCPU_FLAGS:-} 3
scenario mem3 tests/testbed/guests/mem3_redirect.guests \
  "${MEM_SECONDS:-120}" docs/img/real_mem3.png \
  "Memory scenario 3 on 4 real TCG guests: 00 stops at 512 MiB, 01 keeps growing; memory_coordinator every 2 s" \
  -- "$bin/controller/memory_coordinator" --listen=127.0.0.1:0 ${MEMORY_FLAGS:-} 2

echo "plots: key figures"
echo "--- cpu2 (smoothed over 10 s):"
tests/e2e/check_run.py cpu "$out/cpu2/monitor.csv" --smooth=10 --balanced_by_s=30 || true
echo "--- mem3:"
tests/e2e/check_run.py mem "$out/mem3/monitor.csv" \
  --controller_log="$out/mem3/controller.log" || true
echo "plots: wrote docs/img/real_cpu2.png docs/img/real_mem3.png"
