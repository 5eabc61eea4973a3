#!/usr/bin/env bash
# Builds the testbed's guest image: a Debian cloud kernel fetched with
# `apt-get download` and a busybox initramfs holding the virtio modules, the
# workload binaries and an /init that runs the workload named on the kernel
# command line (vmb.run=prog,--flag=x,...: commas become spaces).
#
#   build_image.sh CPU_WORKER MEM_WORKER
#
# Prints two lines on stdout: the kernel path, then the initramfs path. Both
# live in $VMB_IMAGE_DIR (default /var/lib/libvirt/images/vmbalance, where
# qemu may read them) and are cached: the kernel by package name, the
# initramfs by a hash of everything that goes into it. Nothing is written to
# the source tree. $VMB_KERNEL_PKG overrides the kernel package.
set -euo pipefail

readonly IMAGE_DIR="${VMB_IMAGE_DIR:-/var/lib/libvirt/images/vmbalance}"
# Load order matters (no modules.dep is shipped): computed from depends=.
# virtio_blk: the disk of cache_reader guests (a page cache to fill).
readonly MODULES=(virtio_ring virtio virtio_pci_modern_dev
  virtio_pci_legacy_dev virtio_pci virtio_balloon virtio_console virtio_blk)

log() { echo "build_image: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

(($# == 2)) || die "usage: build_image.sh CPU_WORKER MEM_WORKER"
cpu_worker=$(readlink -f "$1")
mem_worker=$(readlink -f "$2")
[[ -x $cpu_worker && -x $mem_worker ]] || die "workers not executable: $1 $2"
busybox=$(command -v busybox) || die "busybox not found: install busybox-static"
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
  die "$busybox is not static: install busybox-static"

mkdir -p "$IMAGE_DIR"
chmod 755 "$IMAGE_DIR"
# One builder at a time per image dir (parallel tests share the cache).
exec 9>"$IMAGE_DIR/.lock"
flock -w 600 9 || die "timed out waiting for $IMAGE_DIR/.lock"

# --- kernel -----------------------------------------------------------------
pick_kernel_pkg() {
  if [[ -n ${VMB_KERNEL_PKG:-} ]]; then
    echo "$VMB_KERNEL_PKG"
    return
  fi
  # The meta package depends on the current ABI's image.
  apt-cache depends linux-image-cloud-amd64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n1
}

pkg=$(pick_kernel_pkg)
if [[ -z $pkg ]]; then
  # Offline or no package lists: reuse any kernel fetched before.
  pkg=$(find "$IMAGE_DIR/kernel" -mindepth 1 -maxdepth 1 -printf "%f\n" 2>/dev/null | sort -V | tail -n1 || true)
  [[ -n $pkg ]] || die "no linux-image-*-cloud-amd64 known to apt (run apt-get update)"
  log "apt-cache gave no kernel; using cached $pkg"
fi
kdir="$IMAGE_DIR/kernel/$pkg"
# Fetched again when a module was added to MODULES since the last fetch.
missing=0
for m in "${MODULES[@]}"; do [[ -f $kdir/modules/$m.ko ]] || missing=1; done
if [[ ! -f $kdir/vmlinuz ]] || ((missing)); then
  log "fetching $pkg"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && apt-get download -q "$pkg" >&2) || die "apt-get download $pkg failed"
  dpkg-deb -x "$tmp"/*.deb "$tmp/root"
  mkdir -p "$kdir.new/modules"
  cp "$tmp"/root/boot/vmlinuz-* "$kdir.new/vmlinuz"
  for m in "${MODULES[@]}"; do
    ko=$(find "$tmp/root/lib/modules" -name "$m.ko" | head -n1)
    [[ -n $ko ]] || die "$m.ko not in $pkg"
    cp "$ko" "$kdir.new/modules/"
  done
  rm -rf "$kdir"
  mv "$kdir.new" "$kdir"
  chmod -R a+rX "$kdir"
  rm -rf "$tmp"
  trap - EXIT
fi

# Order modules so each comes after what it depends on.
ordered=()
remaining=("${MODULES[@]}")
while ((${#remaining[@]})); do
  progress=0
  next=()
  for m in "${remaining[@]}"; do
    ready=1
    # Without modinfo (no kmod installed) MODULES' own order is kept: it
    # already lists each module after what it depends on.
    for d in $(modinfo -F depends "$kdir/modules/$m.ko" 2>/dev/null | tr ',' ' '); do
      [[ " ${ordered[*]} " == *" $d "* ]] || ready=0
    done
    if ((ready)); then ordered+=("$m"); progress=1; else next+=("$m"); fi
  done
  ((progress)) || die "unresolvable module dependencies: ${next[*]}"
  remaining=("${next[@]+"${next[@]}"}")
done

# --- initramfs --------------------------------------------------------------
read -r -d '' init_script <<'INIT' || true
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/null >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
for m in $(cat /etc/vmb-modules); do
  insmod "/lib/modules/$m.ko" || echo "vmb: insmod $m failed"
done
run=
name=
for w in $(cat /proc/cmdline); do
  case "$w" in
    vmb.run=*) run=$(echo "${w#vmb.run=}" | tr ',' ' ') ;;
    vmb.name=*) name="${w#vmb.name=}" ;;
  esac
done
[ -n "$name" ] && hostname "$name"
echo "vmb: guest $name up after $(cut -d' ' -f1 /proc/uptime) s; balloon: $(ls -d /sys/module/virtio_balloon 2>/dev/null || echo missing)"
# The balloon inflates from max memory down to the start size after boot:
# start the workload once MemTotal has held still for 2 s (at most 90 s).
prev=0 same=0 i=0
while [ $i -lt 180 ] && [ $same -lt 4 ]; do
  total=$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)
  if [ "$total" = "$prev" ]; then same=$((same + 1)); else same=0; fi
  prev=$total i=$((i + 1))
  sleep 0.5
done
echo "vmb: MemTotal settled at $((total / 1024)) MiB after $(cut -d' ' -f1 /proc/uptime) s"
if [ -z "$run" ] || [ "$run" = idle ]; then
  echo "VMB_READY idle"
  while true; do sleep 3600; done
fi
while true; do
  echo "vmb: starting /opt/vmb/$run"
  /opt/vmb/$run
  echo "vmb: workload exited with status $?, restarting in 1 s"
  sleep 1
done
INIT

# cache_reader: reads the guest's disk (/dev/vda) to /dev/null again and
# again, so the guest's page cache fills (the balloon reports it as
# disk_caches) while its workload needs next to no memory.
read -r -d '' cache_reader <<'READER' || true
#!/bin/sh
echo "VMB_READY cache_reader $(cat /sys/block/vda/size 2>/dev/null) sectors"
while true; do
  dd if=/dev/vda of=/dev/null bs=1M 2>&1 | tail -n 1
  grep -E '^(MemAvailable|Cached):' /proc/meminfo | tr -s ' \n' ' '
  echo
  sleep 1
done
READER

key=$( {
  echo "$pkg" "${ordered[*]}" "$init_script" "$cache_reader"
  sha256sum "$busybox" "$cpu_worker" "$mem_worker"
} | sha256sum | cut -c1-16)
initrd="$IMAGE_DIR/initrd-$key.cpio.gz"
if [[ ! -f $initrd ]]; then
  log "building $initrd"
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root"/{bin,dev,proc,sys,etc,tmp,opt/vmb,lib/modules}
  cp "$busybox" "$root/bin/busybox"
  cp "$cpu_worker" "$root/opt/vmb/cpu_worker"
  cp "$mem_worker" "$root/opt/vmb/mem_worker"
  printf '%s\n' "$cache_reader" >"$root/opt/vmb/cache_reader"
  for m in "${ordered[@]}"; do cp "$kdir/modules/$m.ko" "$root/lib/modules/"; done
  echo "${ordered[*]}" >"$root/etc/vmb-modules"
  printf '%s\n' "$init_script" >"$root/init"
  chmod 755 "$root/init" "$root"/opt/vmb/* "$root/bin/busybox"
  mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
  (cd "$root" && find . -print0 | LC_ALL=C sort -z |
    cpio --null -o -H newc --quiet | gzip -6) >"$initrd.new"
  chmod 644 "$initrd.new"
  mv "$initrd.new" "$initrd"
  rm -rf "$root"
  trap - EXIT
  # Keep the cache small: drop initramfs images not used for a day.
  find "$IMAGE_DIR" -maxdepth 1 -name 'initrd-*.cpio.gz' -mtime +1 -delete || true
fi
touch "$initrd"
echo "$kdir/vmlinuz"
echo "$initrd"
