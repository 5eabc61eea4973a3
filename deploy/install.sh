#!/usr/bin/env bash
# Installs vmbalanced on this KVM host as a systemd service: builds it, copies
# the binary, creates the vmbalance user (in the libvirt group) and enables
# the unit. Run as root from a checkout. Idempotent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ $(id -u) -ne 0 ]]; then echo "install.sh: run as root" >&2; exit 1; fi
bazel build -c opt //controller:vmbalanced //exporter:libvirt_exporter
install -m 0755 bazel-bin/controller/vmbalanced /usr/local/bin/vmbalanced
install -m 0755 bazel-bin/exporter/libvirt_exporter /usr/local/bin/libvirt_exporter
getent group libvirt >/dev/null || groupadd --system libvirt
id vmbalance >/dev/null 2>&1 || useradd --system --no-create-home \
  --shell /usr/sbin/nologin --groups libvirt vmbalance
install -d /usr/local/share/doc/vmbalance
install -m 0644 README.md /usr/local/share/doc/vmbalance/README.md
install -m 0644 deploy/vmbalanced.service /etc/systemd/system/vmbalanced.service
[[ -e /etc/default/vmbalanced ]] || install -m 0644 deploy/vmbalanced.default /etc/default/vmbalanced
if [[ -d /run/systemd/system ]]; then
  systemctl daemon-reload
  systemctl enable --now vmbalanced
  systemctl --no-pager status vmbalanced || true
else
  echo "install.sh: no systemd here; start it by hand: vmbalanced 2"
fi
