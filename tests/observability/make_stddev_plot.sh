#!/usr/bin/env bash
# Makes docs/img/stddev_after_scheduler.png, the README's picture of the
# std-dev of pCPU load falling once the vCPU scheduler acts: vmbalanced on the
# simulator in real time (--simulate --sim_realtime, cpu_2_all_on_pcpu0: 8 busy
# vCPUs all pinned on pCPU 0 of 4), scraped every second by a real Prometheus
# with the repo's configuration; first with --dry_run, then restarted acting.
# Takes about 80 s. Run from the repository root:
#   bazel build //controller:vmbalanced && tests/observability/make_stddev_plot.sh
set -euo pipefail
binary="${1:-bazel-bin/controller/vmbalanced}"
scenario="${2:-controller/sim/testdata/cpu_2_all_on_pcpu0.json}"
out="${OUT:-docs/img/stddev_after_scheduler.png}"
here="tests/observability"
mkdir -p "$(dirname "$out")"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$here/run_prometheus.sh" --target "vmbalance=127.0.0.1:$port@sim-host" -- \
  python3 "$here/stddev_plot_run.py" --port "$port" --instance sim-host \
    --out "$out" --dry-seconds "${DRY_SECONDS:-30}" \
    --act-seconds "${ACT_SECONDS:-40}" \
    --title "vmbalanced, simulated host in real time: 8 busy vCPUs pinned on pCPU 0 of 4" \
    -- "$binary" --simulate="$scenario" --sim_realtime --ticks=600 --quiet 1
