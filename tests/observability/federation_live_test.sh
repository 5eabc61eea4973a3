#!/usr/bin/env bash
# Fleet federation (issue 14): vmbalanced on the simulator is scraped by a
# site Prometheus with the repo's prometheus.yml and rules; a second, global
# Prometheus federates it with prometheus/fleet/federation.yml, and
# federation_check.py checks what arrives there and what does not. ~30 s.
#   federation_live_test.sh VMBALANCED SCENARIO
set -euo pipefail
here="tests/observability"
vmbalanced=$1 scenario=$2
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log="${TEST_TMPDIR:-/tmp}/vmbalanced.log"
"$vmbalanced" --simulate="$scenario" --sim_realtime --ticks=600 --quiet \
  --listen="127.0.0.1:$port" 1 >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
status=0
"$here/run_prometheus.sh" --target "vmbalance=127.0.0.1:$port@hv-test" -- \
  python3 "$here/federation_check.py" --fleet prometheus/fleet \
  --instance hv-test || status=$?
if ((status)); then
  echo "--- vmbalanced log (tail) ---" >&2
  tail -n 20 "$log" >&2
fi
exit "$status"
