#!/usr/bin/env bash
# Brings up libvirt's system daemons where no systemd runs (containers, CI
# VMs whose PID 1 is something else), so that `virsh -c qemu:///system`
# answers. Idempotent: safe to run any number of times. Under systemd it only
# checks the connection (the unit files own the daemons there).
#
# Env: LIBVIRT_UP_TIMEOUT_S (default 60) bounds the wait for the daemon.
set -euo pipefail

readonly URI="qemu:///system"
readonly TIMEOUT_S="${LIBVIRT_UP_TIMEOUT_S:-60}"

log() { echo "libvirt_up: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

answers() { timeout 10 virsh -c "$URI" list >/dev/null 2>&1; }

running() { pgrep -x "$1" >/dev/null 2>&1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (starts system daemons)"
command -v virsh >/dev/null || die "virsh not found: install libvirt-clients"

if [[ -d /run/systemd/system ]]; then
  # systemd owns the daemons; socket activation starts libvirtd on connect.
  answers || die "systemd is running but $URI does not answer; try: systemctl start libvirtd"
  log "ready ($URI, systemd)"
  exit 0
fi

command -v libvirtd >/dev/null || die "libvirtd not found: install libvirt-daemon-system"
command -v virtlogd >/dev/null || die "virtlogd not found: install libvirt-daemon-system"

# Without udev /dev/kvm stays root:root 0600. libvirt (qemu runs as an
# unprivileged user) then keeps re-probing QEMU's capabilities, which makes
# define take tens of seconds. Giving it to group kvm fixes that.
if [[ -e /dev/kvm ]]; then
  getent group kvm >/dev/null || groupadd --system kvm
  chgrp kvm /dev/kvm
  chmod 660 /dev/kvm
fi

mkdir -p /run/libvirt /var/log/libvirt /var/lib/libvirt/images

# virsh (libvirt >= 8) starts polkit's text agent, pkttyagent, whenever it has
# a controlling terminal; without polkit on the system bus the agent prints
# "Authorization not available. Check if polkit service is running" on every
# call. Under systemd dbus runs and activates polkitd; here we start the bus
# ourselves, and it activates polkitd on the first request.
bus_up() { [[ -r /run/dbus/pid ]] && kill -0 "$(cat /run/dbus/pid)" 2>/dev/null; }
if command -v dbus-daemon >/dev/null && ! bus_up; then
  mkdir -p /run/dbus
  rm -f /run/dbus/pid /run/dbus/system_bus_socket
  log "starting the D-Bus system bus (polkit answers on it)"
  dbus-daemon --system --fork || die "dbus-daemon --system failed to start"
fi

if ! running virtlogd; then
  log "starting virtlogd"
  virtlogd -d || die "virtlogd failed to start"
fi
if ! running libvirtd; then
  # A stale pid file from a killed daemon would stop a new one from starting.
  rm -f /run/libvirtd.pid
  log "starting libvirtd"
  libvirtd -d || die "libvirtd failed to start (see /var/log/libvirt/ or run 'libvirtd -v')"
fi

deadline=$((SECONDS + TIMEOUT_S))
until answers; do
  if ((SECONDS >= deadline)); then
    die "$URI did not answer within ${TIMEOUT_S}s (libvirtd running: $(running libvirtd && echo yes || echo no))"
  fi
  sleep 0.5
done
log "ready ($URI)"
