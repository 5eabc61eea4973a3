#!/usr/bin/env bash
# The repo's prometheus.yml and rules in a real Prometheus, scraping two
# stand-ins for vmbalance binaries on one host (testdata/vmbalanced.prom, every
# metric of the contract): one in job vmbalance, one in vmbalance_secondary.
# Checks every rule and dashboard query is accepted and returns data, no host
# series is stored twice, and exactly the alerts the fixture calls for fire
# (alerts' for: shortened to 0s): 0.75/0.25 pCPU load with the scheduler not
# balanced -> PCpuImbalance; a guest 50 MiB unused under a 100 MiB low mark ->
# GuestMemoryPressure. When the real binaries exist, the same steps run
# against them (see the Monitoring section of README.md).
set -euo pipefail
here="tests/observability"
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/fake.XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

start_fake() {  # $1: name; prints the port
  python3 "$here/fake_exporter.py" "$here/testdata/vmbalanced.prom" \
    --port-file "$work/$1.port" &
  pids+=($!)
}
wait_port() {
  for _ in $(seq 100); do  # up to 10 s
    [[ -s "$work/$1.port" ]] && { cat "$work/$1.port"; return; }
    sleep 0.1
  done
  echo "FAIL: fake exporter $1 did not start" >&2
  exit 1
}
start_fake primary
start_fake secondary
primary="$(wait_port primary)"
secondary="$(wait_port secondary)"

"$here/run_prometheus.sh" \
  --target "vmbalance=127.0.0.1:$primary@hv-test" \
  --target "vmbalance_secondary=127.0.0.1:$secondary@hv-test" \
  --alert-for 0s -- \
  python3 "$here/check_live.py" --instance hv-test --timeout 60 \
    --wait-for 'up{instance="hv-test",job="vmbalance"} == 1' \
    --wait-for 'up{instance="hv-test",job="vmbalance_secondary"} == 1' \
    --require-data --no-duplicates \
    --expect-alerts PCpuImbalance,GuestMemoryPressure
