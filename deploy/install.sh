#!/usr/bin/env bash
# Installs vmbalanced on this KVM host as a systemd service: builds it, copies
# the binary, creates the vmbalance user (in the libvirt group) and enables
# the unit. Run as root from a checkout. Idempotent.
#
#   install.sh [--web-config-tls [--web-user NAME] [--web-password-file FILE]
#               [--cert FILE --key FILE]] [--root DIR] [--no-build]
#              [--bin-dir DIR]
#
# --web-config-tls  also installs /etc/vmbalance/web.yml (exporter-toolkit
#     format) serving the metrics over TLS with basic auth, and has the unit
#     pass --web.config.file. The certificate and key are --cert/--key if
#     given, else a self-signed pair made here (EC P-256, this host's names);
#     the password is read from --web-password-file, else generated and left
#     in /etc/vmbalance/web-password (0600 root) for Prometheus' password_file.
#     Key 0600 and config 0640, owned so that only root and vmbalance read them.
# --root DIR   installs under DIR instead of / (no user, no systemctl): for
#     tests and packaging. --no-build uses the binaries already built;
#     --bin-dir takes them from DIR/controller and DIR/exporter (default
#     bazel-bin, or a test's runfiles).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

root="" build=1 bin_dir=bazel-bin web_tls=0 web_user=prometheus password_file="" cert="" key=""
while (($#)); do
  case "$1" in
    --web-config-tls) web_tls=1; shift ;;
    --web-user) web_user="$2"; shift 2 ;;
    --web-password-file) password_file="$(realpath "$2")"; shift 2 ;;
    --cert) cert="$(realpath "$2")"; shift 2 ;;
    --key) key="$(realpath "$2")"; shift 2 ;;
    --root) root="$(realpath -m "$2")"; shift 2 ;;
    --no-build) build=0; shift ;;
    --bin-dir) bin_dir="$2"; build=0; shift 2 ;;
    *) echo "install.sh: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done
if [[ -n "$cert" && -z "$key" ]] || [[ -z "$cert" && -n "$key" ]]; then
  echo "install.sh: --cert and --key go together" >&2; exit 2
fi
if [[ -z "$root" && $(id -u) -ne 0 ]]; then echo "install.sh: run as root" >&2; exit 1; fi

if ((build)); then
  bazel build -c opt //controller:vmbalanced //exporter:libvirt_exporter
fi
install -d "$root/usr/local/bin" "$root/etc/systemd/system" "$root/etc/default"
install -m 0755 "$bin_dir/controller/vmbalanced" "$root/usr/local/bin/vmbalanced"
install -m 0755 "$bin_dir/exporter/libvirt_exporter" "$root/usr/local/bin/libvirt_exporter"
if [[ -z "$root" ]]; then
  getent group libvirt >/dev/null || groupadd --system libvirt
  id vmbalance >/dev/null 2>&1 || useradd --system --no-create-home \
    --shell /usr/sbin/nologin --groups libvirt vmbalance
fi
install -d "$root/usr/local/share/doc/vmbalance"
install -m 0644 README.md "$root/usr/local/share/doc/vmbalance/README.md"
install -m 0644 deploy/vmbalanced.service "$root/etc/systemd/system/vmbalanced.service"
[[ -e "$root/etc/default/vmbalanced" ]] ||
  install -m 0644 deploy/vmbalanced.default "$root/etc/default/vmbalanced"

# A bcrypt hash of stdin: Apache's htpasswd, else the system's crypt library.
bcrypt_hash() {
  if command -v htpasswd >/dev/null; then
    htpasswd -inBC 10 "$web_user" | cut -d: -f2
  else
    python3 -W ignore -c 'import crypt, sys
print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1024)))'
  fi
}

install_web_config() {
  local dir="$root/etc/vmbalance" group=vmbalance
  getent group "$group" >/dev/null || group=root  # --root without the user
  install -d -m 0750 -o root -g "$group" "$dir"
  if [[ -n "$cert" ]]; then
    install -m 0644 -o root -g "$group" "$cert" "$dir/web.crt"
    install -m 0600 -o "$([[ $group == root ]] && echo root || echo vmbalance)" \
      -g "$group" "$key" "$dir/web.key"
  elif [[ ! -e "$dir/web.key" ]]; then
    local host
    host="$(hostname -f 2>/dev/null || hostname)"
    (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
      -nodes -days 825 -keyout "$dir/web.key" -out "$dir/web.crt" \
      -subj "/CN=$host" \
      -addext "subjectAltName=DNS:$host,DNS:localhost,IP:127.0.0.1" 2>/dev/null)
    chmod 0644 "$dir/web.crt"
    echo "install.sh: made a self-signed certificate $dir/web.crt (give it to Prometheus as tls_config.ca_file)"
  fi
  chown "$([[ $group == root ]] && echo root || echo vmbalance):$group" "$dir/web.key"
  chmod 0600 "$dir/web.key"
  local password
  if [[ -n "$password_file" ]]; then
    password="$(cat "$password_file")"
  else
    password="$(openssl rand -base64 24)"
    (umask 077 && printf '%s' "$password" >"$dir/web-password")
    echo "install.sh: basic-auth password for '$web_user' in $dir/web-password"
  fi
  local hash
  hash="$(printf '%s' "$password" | bcrypt_hash)"
  (umask 027 && cat >"$dir/web.yml" <<YAML
# vmbalance web config (Prometheus exporter-toolkit format), from install.sh.
# Re-read on change and on \`systemctl reload vmbalanced\`.
tls_server_config:
  cert_file: web.crt
  key_file: web.key
  min_version: TLS12
basic_auth_users:
  $web_user: '$hash'
http_server_config:
  headers:
    Strict-Transport-Security: max-age=31536000
    X-Content-Type-Options: nosniff
YAML
  )
  chown "root:$group" "$dir/web.yml"
  chmod 0640 "$dir/web.yml"
  local defaults="$root/etc/default/vmbalanced"
  local flag="VMBALANCE_WEB_FLAGS=--web.config.file=/etc/vmbalance/web.yml"
  if grep -q '^VMBALANCE_WEB_FLAGS=' "$defaults"; then
    sed -i "s|^VMBALANCE_WEB_FLAGS=.*|$flag|" "$defaults"
  else
    printf '%s\n' "$flag" >>"$defaults"
  fi
}
if ((web_tls)); then install_web_config; fi

if [[ -z "$root" && -d /run/systemd/system ]]; then
  systemctl daemon-reload
  systemctl enable --now vmbalanced
  systemctl --no-pager status vmbalanced || true
elif [[ -z "$root" ]]; then
  echo "install.sh: no systemd here; start it by hand: vmbalanced 2"
fi
