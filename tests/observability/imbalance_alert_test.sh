#!/usr/bin/env bash
# PCpuImbalance against the real scheduler and a real Prometheus (alerts'
# for: shortened to 5s, scrape and evaluation every 1s): it fires while the
# scheduler runs with --dry_run on cpu_2_all_on_pcpu0 (8 busy vCPUs all on
# pCPU 0 of 4), and clears once it is restarted on the same port and acts.
#   imbalance_alert_test.sh BINARY SCENARIO
set -euo pipefail
here="tests/observability"
binary="$1"
scenario="$2"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# --ticks: each run lasts at most two minutes even if a check hangs.
"$here/run_prometheus.sh" --target "vmbalance=127.0.0.1:$port@hv-test" \
  --alert-for 5s -- \
  python3 "$here/imbalance_alert_check.py" --port "$port" --instance hv-test \
    --for-seconds 5 -- \
    "$binary" --simulate="$scenario" --sim_realtime --ticks=120 --quiet 1
