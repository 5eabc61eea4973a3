#!/usr/bin/env bash
# Starts Debian's Prometheus on a free loopback port with a test copy of the
# repo's configuration (see make_test_config.py), waits until it is ready,
# runs a command with PROMETHEUS_URL set, then stops Prometheus and removes
# its temp dir. Exits with the command's status.
#
#   run_prometheus.sh [--src prometheus/] [make_test_config.py options] -- CMD...
#
# Prometheus also scrapes itself (job "prometheus"). Its log is printed when
# it fails to start or the command fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prometheus="${PROMETHEUS_BIN:-/usr/bin/prometheus}"
if [[ ! -x "$prometheus" ]]; then
  echo "FAIL: prometheus not found at $prometheus (apt-get install prometheus)" >&2
  exit 1
fi

src="prometheus"
config_args=()
while (($#)); do
  case "$1" in
    --src) src="$2"; shift 2 ;;
    --) shift; break ;;
    *) config_args+=("$1"); shift ;;
  esac
done
if ((!$#)); then
  echo "usage: $0 [--src DIR] [config options] -- COMMAND..." >&2
  exit 2
fi

work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/prometheus.XXXXXX")"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 50); do  # up to 5 s for a clean shutdown
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port="$(free_port)"
python3 "$here/make_test_config.py" --src "$src" --out "$work/config" \
  --self "127.0.0.1:$port" "${config_args[@]}"
"$prometheus" --config.file="$work/config/prometheus.yml" \
  --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$port" \
  --web.enable-lifecycle >"$work/prometheus.log" 2>&1 &
pid=$!

export PROMETHEUS_URL="http://127.0.0.1:$port"
ready=0
for _ in $(seq 300); do  # up to 30 s
  if ! kill -0 "$pid" 2>/dev/null; then
    break
  fi
  if curl -sf "$PROMETHEUS_URL/-/ready" >/dev/null 2>&1; then
    ready=1
    break
  fi
  sleep 0.1
done
if ((!ready)); then
  echo "FAIL: Prometheus did not become ready on $PROMETHEUS_URL; its log:" >&2
  tail -n 30 "$work/prometheus.log" >&2
  exit 1
fi
echo "Prometheus ready at $PROMETHEUS_URL (pid $pid)"

status=0
"$@" || status=$?
if ((status)); then
  echo "--- prometheus.log (tail) ---" >&2
  tail -n 30 "$work/prometheus.log" >&2
fi
exit "$status"
