#!/usr/bin/env bash
# One vmbalance binary (or anything taking --listen=HOST:PORT and serving
# /metrics) scraped by a real Prometheus with the repo's configuration and
# rules (alerts' for: shortened to 0s): Prometheus starts first on a free
# port, then binary_live_check.py starts the binary on another and checks its
# /metrics (promtool, contract) and every rule and dashboard query live.
#
#   binary_live_check.sh --owners exporter,vcpu [--instance NAME]
#       [--expect-alerts A,B] [--tolerate-alerts C] [--may-lack M,N]
#       -- BINARY [ARGS...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
owners="exporter"
instance="hv-test"
extra=()
while (($#)); do
  case "$1" in
    --owners) owners="$2"; shift 2 ;;
    --instance) instance="$2"; shift 2 ;;
    --expect-alerts|--tolerate-alerts|--may-lack) extra+=("$1" "$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
(($#)) || { echo "usage: $0 [options] -- BINARY [ARGS...]" >&2; exit 2; }

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
exec "$here/run_prometheus.sh" --target "vmbalance=127.0.0.1:$port@$instance" \
  --alert-for 0s -- \
  python3 "$here/binary_live_check.py" --port "$port" --instance "$instance" \
    --owners "$owners" "${extra[@]}" -- "$@"
