#!/usr/bin/env bash
# Issue 14: a real Prometheus (Debian's) scrapes vmbalanced over TLS with
# basic auth, configured as an operator would (scheme: https, tls_config
# with ca_file, basic_auth), and the target is up. Wrong credentials get
# 401, plain HTTP to the TLS port fails, TLS 1.1 is refused; after a SIGHUP
# to RequireAndVerifyClientCert, a client without a certificate (or with one
# from another CA) is refused, one signed by the CA gets in, and Prometheus
# (which presents its certificate) keeps scraping. A bad web config at start
# is an error. Throwaway certificates come from openssl. ~20 s.
#
#   tls_prometheus_live_test.sh VMBALANCED SCENARIO
set -euo pipefail

vmbalanced="$(realpath "$1")"
scenario="$(realpath "$2")"
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/tls_prometheus.XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for log in "$work"/*.log; do echo "--- $log" >&2; tail -20 "$log" >&2; done
  exit 1
}
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
cd "$work"

# --- throwaway PKI: a CA, the server (localhost, 127.0.0.1), a client, and
# a client of another CA.
openssl_quiet() { openssl "$@" 2>/dev/null; }
for ca in ca otherca; do
  openssl_quiet req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$ca.key" -out "$ca.crt" -days 1 -subj "/CN=$ca"
done
sign() {  # name CA [extfile]
  openssl_quiet req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$1.key" -out "$1.csr" -subj "/CN=$1"
  openssl_quiet x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" \
    -CAcreateserial -out "$1.crt" -days 1 ${3:+-extfile "$3"}
}
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >server.ext
sign server ca server.ext
sign client ca
sign stranger otherca
chmod 600 ./*.key

# --- basic auth: a bcrypt hash made by Apache's htpasswd.
password="correct horse"
hash="$(htpasswd -bnBC 10 prometheus "$password" | cut -d: -f2)"
[[ "$hash" == '$2y$10$'* ]] || fail "htpasswd gave no bcrypt hash: $hash"
printf '%s' "$password" >password
write_config() {  # client_auth_type
  cat >web.yml.tmp <<YAML
tls_server_config:
  cert_file: server.crt
  key_file: server.key
$( [[ "$1" == NoClientCert ]] || printf '  client_auth_type: %s\n  client_ca_file: ca.crt\n' "$1")
basic_auth_users:
  prometheus: '$hash'
http_server_config:
  headers:
    Strict-Transport-Security: max-age=31536000
YAML
  mv web.yml.tmp web.yml
}

# --- a bad web config at start is a clear error and a non-zero exit.
printf 'basic_auth_users:\n  prometheus: not-a-hash\n' >bad.yml
if "$vmbalanced" --simulate="$scenario" --sim_realtime --quiet \
    --listen=127.0.0.1:0 --web.config.file=bad.yml 1 >bad.log 2>&1; then
  fail "vmbalanced started with a bad web config"
fi
grep -q "basic_auth_users.prometheus: not a bcrypt hash" bad.log ||
  fail "no clear error for a bad hash: $(cat bad.log)"

# --- vmbalanced (simulator, real time) over TLS with basic auth.
write_config NoClientCert
port="$(free_port)"
"$vmbalanced" --simulate="$scenario" --sim_realtime --ticks=100000 --quiet \
  --listen="127.0.0.1:$port" --web.config.file="$work/web.yml" 1 \
  >vmbalanced.log 2>&1 &
pids+=($!)
vmbalanced_pid=$!
url="https://127.0.0.1:$port"
https() { curl -sS --max-time 5 --cacert ca.crt "$@"; }
for _ in $(seq 100); do
  https -o /dev/null -u "prometheus:$password" "$url/-/healthy" 2>/dev/null && break
  sleep 0.1
done
code="$(https -o /dev/null -w '%{http_code}' -u "prometheus:$password" "$url/metrics")"
[[ "$code" == 200 ]] || fail "right password: HTTP $code"
code="$(https -o /dev/null -w '%{http_code}' -u "prometheus:wrong" "$url/metrics")"
[[ "$code" == 401 ]] || fail "wrong password: HTTP $code, expected 401"
code="$(https -o /dev/null -w '%{http_code}' "$url/metrics")"
[[ "$code" == 401 ]] || fail "no credentials: HTTP $code, expected 401"
https -D - -o /dev/null -u "prometheus:$password" "$url/" |
  grep -qi '^Strict-Transport-Security: max-age=31536000' ||
  fail "configured header missing"
if curl -sS --max-time 5 -o /dev/null "http://127.0.0.1:$port/metrics" 2>plain.err; then
  fail "plain HTTP to the TLS port was answered"
fi
if echo | openssl s_client -connect "127.0.0.1:$port" -tls1_1 >tls11.out 2>&1 &&
    grep -q 'Protocol *: TLSv1.1' tls11.out && ! grep -q alert tls11.out; then
  fail "TLS 1.1 accepted"
fi
echo "ok: 200 with the password, 401 without or wrong, plain HTTP and TLS 1.1 refused"

# --- Prometheus, configured as an operator would.
prom_port="$(free_port)"
cat >prometheus.yml <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: vmbalanced
    scheme: https
    tls_config:
      ca_file: $work/ca.crt
      cert_file: $work/client.crt
      key_file: $work/client.key
    basic_auth:
      username: prometheus
      password_file: $work/password
    static_configs:
      - targets: ['127.0.0.1:$port']
YAML
promtool check config prometheus.yml >/dev/null || fail "promtool rejects the config"
/usr/bin/prometheus --config.file=prometheus.yml --storage.tsdb.path=data \
  --web.listen-address="127.0.0.1:$prom_port" >prometheus.log 2>&1 &
pids+=($!)
target_health() {  # prints "health lastScrape lastError" of the target
  curl -s --max-time 2 "http://127.0.0.1:$prom_port/api/v1/targets" |
    python3 -c 'import json, sys
t = json.load(sys.stdin)["data"]["activeTargets"][0]
print(t["health"], t["lastScrape"], t["lastError"] or "-")' 2>/dev/null || true
}
up_value() {
  curl -s --max-time 2 "http://127.0.0.1:$prom_port/api/v1/query" \
    --data-urlencode 'query=up{job="vmbalanced"}' |
    python3 -c 'import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "none")' 2>/dev/null || true
}
for _ in $(seq 150); do
  [[ "$(up_value)" == 1 ]] && break
  sleep 0.2
done
[[ "$(up_value)" == 1 ]] || fail "Prometheus: up is $(up_value); target: $(target_health)"
samples="$(curl -s "http://127.0.0.1:$prom_port/api/v1/query" \
  --data-urlencode 'query=count({job="vmbalanced",__name__=~"vmbalance_.*"})')"
grep -q '"result":\[{' <<<"$samples" || fail "no vmbalance_ series scraped: $samples"
echo "ok: Prometheus scrapes vmbalanced over https with basic auth, up 1"

# --- client certificates required: SIGHUP after the change.
write_config RequireAndVerifyClientCert
reload_at="$(date -u +%Y-%m-%dT%H:%M:%S)"
kill -HUP "$vmbalanced_pid"
for _ in $(seq 100); do
  grep -q "web config reloaded" vmbalanced.log && break
  sleep 0.1
done
grep -q "web config reloaded" vmbalanced.log || fail "no reload after SIGHUP"
if https -o /dev/null -u "prometheus:$password" "$url/metrics" 2>nocert.err; then
  fail "a client without a certificate got in"
fi
if https -o /dev/null --cert stranger.crt --key stranger.key \
    -u "prometheus:$password" "$url/metrics" 2>stranger.err; then
  fail "a client with another CA's certificate got in"
fi
code="$(https -o /dev/null -w '%{http_code}' --cert client.crt --key client.key \
  -u "prometheus:$password" "$url/metrics")"
[[ "$code" == 200 ]] || fail "client certificate from the CA: HTTP $code"
code="$(https -o /dev/null -w '%{http_code}' --cert client.crt --key client.key \
  -u "prometheus:wrong" "$url/metrics")"
[[ "$code" == 401 ]] || fail "client certificate, wrong password: HTTP $code"
echo "ok: RequireAndVerifyClientCert refuses no cert and a foreign cert, admits the CA's"
for _ in $(seq 100); do
  read -r health last _ <<<"$(target_health)"
  [[ "$health" == up && "${last:0:19}" > "$reload_at" ]] && break
  sleep 0.2
done
[[ "$health" == up && "${last:0:19}" > "$reload_at" ]] ||
  fail "Prometheus after the reload: $(target_health)"
echo "ok: Prometheus with its client certificate still scrapes after the reload"
echo PASS
