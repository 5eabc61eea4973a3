#!/usr/bin/env bash
# The real-guest testbed: defines, starts, waits for and destroys a set of
# small libvirt guests described by a text file. Guests boot a Debian cloud
# kernel with a busybox initramfs (build_image.sh) that runs one workload.
#
#   testbed.sh up DESCRIPTION      (re)create and start the guests
#   testbed.sh wait-ready [SECS]   wait until every console shows VMB_READY
#                                  and every balloon is at its start size,
#                                  then apply the described pinning (guests
#                                  boot unpinned: faster)
#   testbed.sh down [--keep-logs DIR]
#                                  destroy + undefine every guest with the
#                                  prefix, remove the state dir; idempotent
#   testbed.sh oom-check           fail if a console shows OOM or a panic
#   testbed.sh names | consoles | virt-type | state-dir
#
# DESCRIPTION lines ('#' starts a comment):
#   pinning rr|pcpu0|none          initial vCPU pinning (default none):
#                                  round-robin over pCPUs, all on pCPU 0, or
#                                  unpinned
#   policy [cpu=on|off] [memory=on|off] | policy -
#                                  the guests described after it carry
#                                  <vmbalance:policy .../> in their
#                                  persistent definition (the operator's
#                                  opt-out), until the next policy line;
#                                  '-' for none
#   COUNT VCPUS MEM_MIB MAX_MIB WORKLOAD [ARGS...]
#                                  COUNT guests; WORKLOAD is cpu_worker,
#                                  mem_worker, cache_reader or idle (see
#                                  those programs and build_image.sh);
#                                  cache_reader guests get a sparse raw disk
#                                  of VMB_DISK_MIB (1536) as /dev/vda
#
# Env: VMB_PREFIX (default vmb-): guest names are PREFIX00, PREFIX01, ...;
#      only domains with this prefix are ever touched.
#      VMB_CONNECT (default qemu:///system).
#      VMB_VIRT_TYPE (kvm|qemu): default kvm when the host CPU has vmx/svm
#      and /dev/kvm exists, else qemu (TCG).
#      VMB_WORKER_DIR: where cpu_worker and mem_worker are (default: beside
#      this script, as in Bazel's runfiles).
#      VMB_IMAGE_DIR: image cache (see build_image.sh).
#      VMB_EXTRA_CMDLINE: appended to the guests' kernel command line
#      (end it with a space).
# Designed for `trap 'testbed.sh down' EXIT` in tests: down always succeeds.
set -euo pipefail

readonly PREFIX="${VMB_PREFIX:-vmb-}"
readonly CONNECT="${VMB_CONNECT:-qemu:///system}"
readonly IMAGE_DIR="${VMB_IMAGE_DIR:-/var/lib/libvirt/images/vmbalance}"
readonly STATE_DIR="$IMAGE_DIR/run/${PREFIX%-}"
# Beside this script, or in its runfiles when run as `bazel run` output.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -d ${BASH_SOURCE[0]}.runfiles/vmbalance/tests/testbed ]]; then
  here="$(cd "${BASH_SOURCE[0]}.runfiles/vmbalance/tests/testbed" && pwd)"
fi
readonly HERE="$here"

log() { echo "testbed: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
virsh_() { timeout 120 virsh -q -c "$CONNECT" "$@"; }

[[ $PREFIX =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad VMB_PREFIX '$PREFIX'"

virt_type() {
  if [[ -n ${VMB_VIRT_TYPE:-} ]]; then
    echo "$VMB_VIRT_TYPE"
  elif [[ -r /dev/kvm ]] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
    echo kvm
  else
    # No hardware virtualisation visible (e.g. a PVM-flavoured /dev/kvm that
    # only runs special guest kernels): software emulation.
    echo qemu
  fi
}

find_worker() {
  local name=$1 dir
  for dir in "${VMB_WORKER_DIR:-}" "$HERE" \
    "${RUNFILES_DIR:-/nonexistent}/vmbalance/tests/testbed" \
    "${TEST_SRCDIR:-/nonexistent}/vmbalance/tests/testbed"; do
    if [[ -n $dir && -x $dir/$name ]]; then
      echo "$dir/$name"
      return
    fi
  done
  die "$name not found (build //tests/testbed:$name, or set VMB_WORKER_DIR)"
}

# Deterministic UUID from the guest name, so re-defining keeps identity.
uuid_for() {
  local h
  h=$(printf 'vmbalance-testbed/%s' "$1" | md5sum | cut -c1-32)
  echo "${h:0:8}-${h:8:4}-4${h:13:3}-8${h:17:3}-${h:20:12}"
}

# A disk for guests that read one: sparse, so the host reads holes (no host
# page cache, no host disk) while the guest's page cache fills for real.
disk_xml() {
  local name=$1 run=$2
  [[ $run == cache_reader* ]] || return 0
  truncate -s "${VMB_DISK_MIB:-1536}M" "$STATE_DIR/$name.disk"
  cat <<EOF
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$STATE_DIR/$name.disk'/>
      <target dev='vda' bus='virtio'/>
    </disk>
EOF
}

# The operator's opt-out element for ATTRS (e.g. memory='off'), or nothing.
policy_xml() {
  [[ -n $1 ]] || return 0
  cat <<EOF
  <metadata>
    <vmbalance:policy xmlns:vmbalance='https://vmbalance.dev/xmlns/policy/1' $1/>
  </metadata>
EOF
}

domain_xml() {
  local name=$1 vcpus=$2 mem=$3 max=$4 run=$5 policy=${6:-} type cpu=""
  type=$(virt_type)
  [[ $type == kvm ]] && cpu="<cpu mode='host-passthrough'/>"
  cat <<EOF
<domain type='$type'>
  <name>$name</name>
  <uuid>$(uuid_for "$name")</uuid>
$(policy_xml "$policy")
  <memory unit='MiB'>$max</memory>
  <currentMemory unit='MiB'>$mem</currentMemory>
  <vcpu placement='static'>$vcpus</vcpu>
  $cpu
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$KERNEL</kernel>
    <initrd>$INITRD</initrd>
    <cmdline>console=ttyS0 rdinit=/init panic=-1 loglevel=4 no_timer_check ${VMB_EXTRA_CMDLINE:-}vmb.name=$name vmb.run=$run</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>restart</on_crash>
  <devices>
$(disk_xml "$name" "$run")
    <serial type='file'>
      <source path='$STATE_DIR/$name.console.log' append='on'/>
      <target port='0'/>
    </serial>
    <console type='file'>
      <source path='$STATE_DIR/$name.console.log' append='on'/>
      <target type='serial' port='0'/>
    </console>
    <memballoon model='virtio'>
      <stats period='1'/>
    </memballoon>
  </devices>
</domain>
EOF
}

our_domains() {
  virsh_ list --all --name 2>/dev/null | grep -E "^${PREFIX//./\\.}" || true
}

cmd_down() {
  local keep=""
  if [[ ${1:-} == --keep-logs ]]; then keep=${2:?--keep-logs needs a DIR}; fi
  local d
  local -a doms
  mapfile -t doms < <(our_domains)
  for d in "${doms[@]}"; do  # in parallel: each destroy can take seconds
    virsh_ destroy "$d" >/dev/null 2>&1 &
  done
  wait
  for d in "${doms[@]}"; do
    virsh_ undefine "$d" >/dev/null 2>&1 || true
  done
  if [[ -n $keep && -d $STATE_DIR ]]; then
    mkdir -p "$keep"
    cp "$STATE_DIR"/*.console.log "$keep"/ 2>/dev/null || true
  fi
  rm -rf "$STATE_DIR"
  local left
  left=$(our_domains)
  [[ -z $left ]] || { log "could not remove: $left"; return 1; }
  return 0
}

# The attributes of a 'policy' line ("cpu=off memory=on" -> "cpu='off'
# memory='on'"), empty for '-'; fails on anything else.
policy_attributes() {
  local word out=""
  for word in $1; do
    [[ $word == - ]] && continue
    [[ $word =~ ^(cpu|memory)=(on|off)$ ]] || return 1
    out+="${word%%=*}='${word#*=}' "
  done
  echo "${out% }"
}

cmd_up() {
  local desc=${1:?usage: testbed.sh up DESCRIPTION}
  if [[ $desc != /* && -n ${BUILD_WORKING_DIRECTORY:-} ]]; then
    desc="$BUILD_WORKING_DIRECTORY/$desc"
  fi
  [[ -r $desc ]] || die "cannot read $desc"
  virsh_ list >/dev/null 2>&1 ||
    die "libvirt at $CONNECT does not answer (run tools/libvirt_up.sh as root)"

  local images
  images=$("$HERE/build_image.sh" "$(find_worker cpu_worker)" \
    "$(find_worker mem_worker)") || die "image build failed"
  KERNEL=$(sed -n 1p <<<"$images")
  INITRD=$(sed -n 2p <<<"$images")

  cmd_down
  mkdir -p "$STATE_DIR"
  chmod 755 "$STATE_DIR"
  local npcpu
  npcpu=$(virsh_ nodeinfo | sed -n 's/^CPU(s): *//p')
  [[ $npcpu -ge 1 ]] || die "cannot read the host's pCPU count"

  local pinning=none policy="" index=0 next_pcpu=0 line count vcpus mem max rest
  : >"$STATE_DIR/guests"
  : >"$STATE_DIR/pins"
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%%#*}
    read -r count vcpus mem max rest <<<"$line" || true
    [[ -n ${count:-} ]] || continue
    if [[ $count == pinning ]]; then
      pinning=$vcpus
      [[ $pinning =~ ^(rr|pcpu0|none)$ ]] || die "pinning must be rr, pcpu0 or none"
      continue
    fi
    if [[ $count == policy ]]; then
      policy=$(policy_attributes "${line#*policy}") ||
        die "bad line in $desc: $line"
      continue
    fi
    [[ $count =~ ^[0-9]+$ && $vcpus =~ ^[0-9]+$ && $mem =~ ^[0-9]+$ &&
      $max =~ ^[0-9]+$ && -n $rest ]] || die "bad line in $desc: $line"
    ((mem <= max)) || die "memory above max memory: $line"
    local run
    run=$(tr -s ' \t' ',' <<<"$rest")
    run=${run%,}
    local i
    for ((i = 0; i < count; i++)); do
      local name v
      name=$(printf '%s%02d' "$PREFIX" "$index")
      if [[ $pinning != none ]]; then
        for ((v = 0; v < vcpus; v++)); do
          local cpu=0
          if [[ $pinning == rr ]]; then
            cpu=$((next_pcpu % npcpu))
            next_pcpu=$((next_pcpu + 1))
          fi
          echo "$name $v $cpu" >>"$STATE_DIR/pins"
        done
      fi
      domain_xml "$name" "$vcpus" "$mem" "$max" "$run" "$policy" \
        >"$STATE_DIR/$name.xml"
      echo "$name $mem" >>"$STATE_DIR/guests"
      index=$((index + 1))
    done
  done <"$desc"
  ((index > 0)) || die "no guests in $desc"

  log "starting $index guest(s), type $(virt_type), pinning $pinning"
  local name
  while read -r name _; do
    virsh_ define "$STATE_DIR/$name.xml" >/dev/null || die "define $name failed"
    date +%s.%N >"$STATE_DIR/$name.started"
    virsh_ start "$name" >/dev/null || die "start $name failed"
  done <"$STATE_DIR/guests"
}

guests() {
  [[ -r $STATE_DIR/guests ]] || die "no testbed is up (prefix $PREFIX)"
  cut -d' ' -f1 "$STATE_DIR/guests"
}

cmd_wait_ready() {
  local timeout_s=${1:-0} name pending now
  local -a all
  mapfile -t all < <(guests)
  ((timeout_s > 0)) || timeout_s=$((60 + 15 * ${#all[@]}))
  local deadline=$((SECONDS + timeout_s))
  local -A done_=()
  while :; do
    pending=()
    for name in "${all[@]}"; do
      [[ -n ${done_[$name]:-} ]] && continue
      if grep -qa VMB_READY "$STATE_DIR/$name.console.log" 2>/dev/null &&
        balloon_settled "$name"; then
        now=$(date +%s.%N)
        done_[$name]=1
        log "$name ready $(awk -v a="$(cat "$STATE_DIR/$name.started")" \
          -v b="$now" 'BEGIN{printf "%.1f", b-a}') s after start"
      else
        pending+=("$name")
      fi
    done
    if ((${#pending[@]} == 0)); then
      apply_pins
      return 0
    fi
    if ((SECONDS >= deadline)); then
      log "not ready after ${timeout_s}s: ${pending[*]}"
      for name in "${pending[@]}"; do
        log "--- tail of $name console:"
        tail -n 5 "$STATE_DIR/$name.console.log" >&2 2>/dev/null || true
      done
      return 1
    fi
    sleep 0.5
  done
}

# The balloon has reached the described start size (it starts at max).
balloon_settled() {
  local want actual
  want=$(awk -v n="$1" '$1 == n { print $2 * 1024 }' "$STATE_DIR/guests")
  actual=$(virsh_ dommemstat "$1" 2>/dev/null | awk '$1 == "actual" { print $2 }')
  [[ -n $actual && $actual == "$want" ]]
}

# The description's pinning is applied once every guest is ready: booting
# 8 guests all on pCPU 0 takes twice as long as booting them spread out.
apply_pins() {
  local name vcpu cpu n=0
  [[ -s $STATE_DIR/pins ]] || return 0
  while read -r name vcpu cpu; do
    virsh_ vcpupin "$name" "$vcpu" "$cpu" --live >/dev/null ||
      die "vcpupin $name $vcpu $cpu failed"
    n=$((n + 1))
  done <"$STATE_DIR/pins"
  : >"$STATE_DIR/pins"
  log "pinned $n vCPU(s) as described"
}

cmd_oom_check() {
  local name bad=0
  for name in $(guests); do
    if grep -aE 'Out of memory|Kernel panic|deadlocked on memory|oom-kill' \
      "$STATE_DIR/$name.console.log" >/dev/null 2>&1; then
      log "$name: OOM or panic on the console:"
      grep -aE 'Out of memory|Kernel panic|deadlocked on memory|oom-kill' \
        "$STATE_DIR/$name.console.log" | head -n 5 >&2
      bad=1
    fi
  done
  ((bad == 0)) || return 1
  log "no OOM or panic in $(guests | wc -l) console(s)"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  wait-ready) shift; cmd_wait_ready "$@" ;;
  down) shift; cmd_down "$@" ;;
  oom-check) cmd_oom_check ;;
  names) guests ;;
  consoles) guests | sed "s|^\(.*\)$|$STATE_DIR/\1.console.log|" ;;
  virt-type) virt_type ;;
  state-dir) echo "$STATE_DIR" ;;
  *) sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
