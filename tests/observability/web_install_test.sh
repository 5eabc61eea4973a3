#!/usr/bin/env bash
# deploy/install.sh --web-config-tls into a temp root (--root, no user, no
# systemd): the web config, certificate and key land in /etc/vmbalance with
# private modes (key 0600, config 0640, dir 0750), /etc/default/vmbalanced
# passes --web.config.file to the unit, and the installed vmbalanced serves
# over TLS with the generated password (the self-signed cert as CA). A second
# run keeps the key and does not repeat the flag. Then with a given password
# file, cert and key. ~10 s.
#
#   web_install_test.sh INSTALL_SH SCENARIO   (runfiles hold the binaries)
set -euo pipefail

install_sh="$(realpath "$1")"
scenario="$(realpath "$2")"
runfiles="${BIN_DIR:-$(pwd)}"  # Bazel runs tests at the runfiles root
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/web_install.XXXXXX")"
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
root="$work/root"

bash "$install_sh" --root "$root" --bin-dir "$runfiles" --web-config-tls >"$work/install.log" 2>&1 ||
  fail "install.sh failed: $(cat "$work/install.log")"
etc="$root/etc/vmbalance"
for f in web.yml web.key web.crt web-password; do
  [[ -f "$etc/$f" ]] || fail "$etc/$f missing"
done
[[ "$(stat -c %a "$etc/web.key")" == 600 ]] || fail "key mode $(stat -c %a "$etc/web.key")"
[[ "$(stat -c %a "$etc/web.yml")" == 640 ]] || fail "config mode $(stat -c %a "$etc/web.yml")"
[[ "$(stat -c %a "$etc/web-password")" == 600 ]] || fail "password mode"
[[ "$(stat -c %a "$etc")" == 750 ]] || fail "dir mode $(stat -c %a "$etc")"
grep -qx 'VMBALANCE_WEB_FLAGS=--web.config.file=/etc/vmbalance/web.yml' \
  "$root/etc/default/vmbalanced" || fail "defaults do not pass --web.config.file"
grep -q 'ExecStart=.*\$VMBALANCE_WEB_FLAGS' "$root/etc/systemd/system/vmbalanced.service" ||
  fail "the unit does not pass VMBALANCE_WEB_FLAGS"
grep -qE "^  prometheus: '[$]2[aby][$]10[$]" "$etc/web.yml" || fail "no bcrypt user: $(cat "$etc/web.yml")"
key_before="$(sha256sum "$etc/web.key")"

# The installed binary serves under the installed config.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$root/usr/local/bin/vmbalanced" --simulate="$scenario" --sim_realtime --ticks=100000 \
  --quiet --listen="127.0.0.1:$port" --web.config.file="$etc/web.yml" 1 \
  >"$work/vmbalanced.log" 2>&1 &
pid=$!
code=000
for _ in $(seq 100); do
  code="$(curl -s --max-time 5 --cacert "$etc/web.crt" -o /dev/null -w '%{http_code}' \
    -u "prometheus:$(cat "$etc/web-password")" "https://localhost:$port/metrics" || true)"
  [[ "$code" == 200 ]] && break
  sleep 0.1
done
[[ "$code" == 200 ]] || fail "installed config: HTTP $code; $(tail -5 "$work/vmbalanced.log")"
code="$(curl -s --max-time 5 --cacert "$etc/web.crt" -o /dev/null -w '%{http_code}' \
  -u "prometheus:nope" "https://localhost:$port/metrics")"
[[ "$code" == 401 ]] || fail "wrong password: HTTP $code"
echo "ok: the installed config serves TLS with basic auth"

# Idempotent: the key stays, the flag is not repeated.
bash "$install_sh" --root "$root" --bin-dir "$runfiles" --web-config-tls >"$work/install2.log" 2>&1 ||
  fail "second install.sh failed: $(cat "$work/install2.log")"
[[ "$(sha256sum "$etc/web.key")" == "$key_before" ]] || fail "the key was replaced"
[[ "$(grep -c '^VMBALANCE_WEB_FLAGS=' "$root/etc/default/vmbalanced")" == 1 ]] ||
  fail "VMBALANCE_WEB_FLAGS repeated"

# Given cert, key and password.
root2="$work/root2"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -keyout "$work/given.key" -out "$work/given.crt" -subj /CN=localhost 2>/dev/null
printf 'given password' >"$work/pw"
bash "$install_sh" --root "$root2" --bin-dir "$runfiles" --web-config-tls --web-user scraper \
  --web-password-file "$work/pw" --cert "$work/given.crt" --key "$work/given.key" \
  >"$work/install3.log" 2>&1 || fail "install.sh with given files failed: $(cat "$work/install3.log")"
cmp -s "$work/given.crt" "$root2/etc/vmbalance/web.crt" || fail "given cert not installed"
[[ "$(stat -c %a "$root2/etc/vmbalance/web.key")" == 600 ]] || fail "given key mode"
[[ ! -e "$root2/etc/vmbalance/web-password" ]] || fail "a password was generated anyway"
hash="$(sed -n "s/^  scraper: '\(.*\)'$/\1/p" "$root2/etc/vmbalance/web.yml")"
python3 -W ignore -c 'import crypt, sys; sys.exit(crypt.crypt("given password", sys.argv[1]) != sys.argv[1])' "$hash" ||
  fail "the hash does not match the given password: $hash"
echo PASS
