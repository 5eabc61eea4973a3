#!/usr/bin/env bash
# The starter against a real Prometheus scraping itself: it becomes ready on a
# free port, scrapes (up == 1), loads the repo's rules and accepts every rule
# and dashboard query; and it is gone afterwards.
set -euo pipefail
here="tests/observability"
out="$(mktemp "${TEST_TMPDIR:-/tmp}/run.XXXXXX")"
"$here/run_prometheus.sh" -- bash -c '
  echo "$PROMETHEUS_URL" >"$0"
  python3 tests/observability/check_live.py --timeout 30 \
    --wait-for "up{job=\"prometheus\"} == 1"' "$out"
url="$(cat "$out")"
if curl -sf "$url/-/ready" >/dev/null 2>&1; then
  echo "FAIL: Prometheus still answers at $url after the run" >&2
  exit 1
fi
echo "PASS"
