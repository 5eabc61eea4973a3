#!/usr/bin/env bash
# One idempotent set-up for vmbalance on Debian 12 (root): installs the build
# and test dependencies from Debian's archive and brings up libvirtd by hand
# where no systemd runs. Safe to run any number of times.
set -euo pipefail

PACKAGES=(
  # build
  bazel-bootstrap bazel-rules-java g++ libvirt-dev prometheus-cpp-dev
  libcivetweb-dev libgflags-dev libgoogle-glog-dev libgtest-dev libgmock-dev
  libbenchmark-dev nlohmann-json3-dev libxml2-dev
  # web config: YAML, TLS (civetweb loads libssl.so, which libssl-dev
  # provides), bcrypt through libxcrypt; openssl and htpasswd for tests
  libyaml-dev libssl-dev libcrypt-dev openssl apache2-utils
  # real guests
  libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils
  busybox-static cpio gzip
  # kmod: modinfo orders the guest image's kernel modules (build_image.sh);
  # dbus: the system bus polkit answers on (libvirt_up.sh starts it)
  kmod dbus
  # observability and tools used by tests and plots
  prometheus curl gnuplot-nox python3 python3-yaml
  # fuzzing (fuzz/): clang with libFuzzer and the sanitizer runtimes
  clang libclang-rt-14-dev
)

if [[ $(id -u) -ne 0 ]]; then
  echo "setup.sh: must run as root (it installs packages and starts libvirtd)" >&2
  exit 1
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  echo "setup.sh: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# The testbed fetches a kernel with apt-get download: keep package lists fresh.
if ! compgen -G "/var/lib/apt/lists/*_Packages" >/dev/null; then
  apt-get update -qq
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -x "$here/libvirt_up.sh" ]]; then
  "$here/libvirt_up.sh"
fi
echo "setup.sh: ready"
