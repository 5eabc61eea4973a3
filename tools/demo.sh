#!/usr/bin/env bash
# The one-command demo: installs what is needed, builds, boots a handful of
# small real guests (TCG where KVM is not usable) with uneven CPU and memory
# workloads, runs vmbalanced (both controllers) with its metrics scraped by a
# real Prometheus on loopback, and shows the independent monitor until Ctrl-C.
# Everything it started is stopped and removed on exit.
#
#   tools/demo.sh [GUESTS_FILE]      (default tools/demo.guests)
# Env: DEMO_INTERVAL (2), VMB_PREFIX (vmbdemo-), DEMO_FLAGS (extra
#      vmbalanced flags). vmbalanced manages every guest on the host: where
#      guests other than the demo's run, it runs with --dry_run (decides and
#      reports, never pins or resizes theirs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
guests="${1:-tools/demo.guests}"
interval="${DEMO_INTERVAL:-2}"
export VMB_PREFIX="${VMB_PREFIX:-vmbdemo-}"

tools/setup.sh
echo "demo: building"
bazel build -c opt //controller:vmbalanced //tests/testbed:monitor \
  //tests/testbed:testbed
# Not the bazel-bin symlink: another build may have pointed it elsewhere.
bin=$(bazel info -c opt bazel-bin 2>/dev/null)
testbed="$bin/tests/testbed/testbed"
work=$(mktemp -d /tmp/vmbalance-demo.XXXXXX)

controller_pid=""
cleanup() {
  trap - EXIT INT TERM
  echo
  echo "demo: cleaning up"
  if [[ -n $controller_pid ]]; then kill -TERM "$controller_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  "$testbed" down || true
  echo "demo: logs kept in $work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "demo: booting guests from $guests (first run fetches a kernel: ~1 min)"
"$testbed" up "$root/$guests"
"$testbed" wait-ready

# A few readings before vmbalanced starts, so the imbalance it fixes is on
# screen (Prometheus comes up after it, and the placement is fixed by then).
echo "demo: before vmbalanced (all vCPUs on pCPU 0):"
"$bin/tests/testbed/monitor" --prefix="$VMB_PREFIX" --interval="$interval" \
  --count=2 --csv="$work/monitor_before.csv"

flags=(${DEMO_FLAGS:-})
others=$(virsh -q -c qemu:///system list --all --name |
  grep -v "^$VMB_PREFIX" | grep -c . || true)
if ((others > 0)); then
  echo "demo: $others guest(s) here are not the demo's: vmbalanced runs with --dry_run"
  flags+=(--dry_run)
fi
echo "demo: starting vmbalanced every ${interval}s on :9180 (log: $work/vmbalanced.log)"
"$bin/controller/vmbalanced" --listen=127.0.0.1:9180 "${flags[@]}" "$interval" \
  >"$work/vmbalanced.log" 2>&1 &
controller_pid=$!

cat <<MSG
demo: the monitor below is independent of vmbalance (its own libvirt reads).
      Watch the pCPU std-dev fall as vCPUs are spread, and the memory guest
      grow and later shrink. vmbalanced's own report: tail -f $work/vmbalanced.log
      Ctrl-C stops everything.
MSG
tests/observability/run_prometheus.sh \
  --target "vmbalance=127.0.0.1:9180@$(hostname)" -- \
  bash -c 'echo "demo: Prometheus graph UI at $PROMETHEUS_URL/graph?g0.expr=vmbalance_pcpu_load_stddev_ratio"
           exec "$0" --prefix="$1" --interval="$2" --csv="$3"' \
  "$bin/tests/testbed/monitor" "$VMB_PREFIX" "$interval" "$work/monitor.csv"
