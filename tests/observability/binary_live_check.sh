#!/usr/bin/env bash
# One vmbalance binary (or anything taking --listen=HOST:PORT and serving
# /metrics) scraped by a real Prometheus with the repo's configuration:
#   1. start it on a free loopback port and wait for /metrics (bounded);
#   2. its exposition passes `promtool check metrics` and holds every
#      contract metric of the given owners (exported_metrics.txt);
#   3. Prometheus accepts every rule and dashboard query, those expected to
#      return data do, no host series is stored twice, and exactly the
#      expected alerts fire (alerts' for: shortened to 0s).
#
#   binary_live_check.sh --owners exporter,vcpu [--instance NAME]
#       [--expect-alerts A,B] -- BINARY [ARGS...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
owners="exporter"
instance="hv-test"
expect=()
while (($#)); do
  case "$1" in
    --owners) owners="$2"; shift 2 ;;
    --instance) instance="$2"; shift 2 ;;
    --expect-alerts) expect=(--expect-alerts "$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
(($#)) || { echo "usage: $0 [options] -- BINARY [ARGS...]" >&2; exit 2; }

work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/binary.XXXXXX")"
pid=""
cleanup() {
  if [[ -n "$pid" ]]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$@" --listen="127.0.0.1:$port" >"$work/binary.log" 2>&1 &
pid=$!
for _ in $(seq 100); do  # up to 10 s
  curl -sf "http://127.0.0.1:$port/metrics" >"$work/metrics" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [[ ! -s "$work/metrics" ]]; then
  echo "FAIL: $1 serves no /metrics on :$port; its log:" >&2
  tail -n 30 "$work/binary.log" >&2
  exit 1
fi

promtool="${PROMTOOL:-/usr/bin/promtool}"
"$promtool" check metrics <"$work/metrics" || {
  echo "FAIL: promtool check metrics" >&2; exit 1; }
python3 - "$here/exported_metrics.txt" "$work/metrics" "$owners" <<'PY'
import sys
contract, scrape, owners = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
want = {}
for line in open(contract):
  f = line.split("#", 1)[0].split()
  if f and f[3] in owners:
    want[f[0]] = f[1]
got = {}
for line in open(scrape):
  f = line.split()
  if len(f) >= 4 and f[:2] == ["#", "TYPE"]:
    got[f[2] + ("_total" if f[3] == "counter" and not f[2].endswith("_total") else "")] = f[3]
missing = sorted(set(want) - set(got))
wrong = sorted(n for n in want if n in got and got[n] != want[n])
for n in sorted(set(got) - set(want)):
  print("note: exported but not in the contract:", n)
for n in missing:
  print("FAIL: contract metric not exported:", n)
for n in wrong:
  print("FAIL: %s is a %s, contract says %s" % (n, got[n], want[n]))
sys.exit(1 if missing or wrong else 0)
PY

"$here/run_prometheus.sh" --target "vmbalance=127.0.0.1:$port@$instance" \
  --alert-for 0s -- \
  python3 "$here/check_live.py" --instance "$instance" --timeout 60 \
    --wait-for "up{instance=\"$instance\",job=\"vmbalance\"} == 1" \
    --require-data --no-duplicates "${expect[@]}"
