#!/usr/bin/env bash
# How fast a real guest's balloon moves: the figure behind the simulator's
# balloon_mib_per_s. Two guests from tools/balloon_speed.guests, one idle and
# one running mem_worker (touching a new page every 100 us, freeing all when
# low: a guest under memory load). For each guest and run, the balloon is
# inflated (HIGH -> LOW MiB) and deflated (LOW -> HIGH) with
# `virsh setmem --live`, and `virsh dommemstat` is read about every 100 ms:
# `actual` (the balloon size QEMU reports, moved by the guest's driver) and
# `available` (the guest's own MemTotal, from its stats every second).
#
# Per move it prints: seconds until `actual` reached the target (within
# 1 MiB) counted from the setmem call, the speed over the whole move
# (MiB moved / that time) and over its middle (10% -> 90% of the way, the
# driver's steady rate, without the call's start-up), and seconds until the
# guest's own MemTotal showed the move (within 8 MiB of the change: the
# kernel's reserved pages make MemTotal differ from actual by a constant).
# A summary gives the median of each per direction and guest.
#
#   tools/balloon_speed.sh [RUNS]         (default 3)
# Env: BS_LOW (512), BS_HIGH (896): the two balloon sizes in MiB;
#      BS_TIMEOUT (60): seconds to wait for one move; VMB_PREFIX (vmbbs-);
#      BS_BUILD (1; 0 uses bazel-bin as it is).
# Writes every sample to $work/samples.csv (guest,dir,run,t_s,actual_kib,
# available_kib). Guests are destroyed on exit. Under TCG, on a host shared
# with other work, the figures are those of an emulated guest: a KVM guest's
# driver runs faster (measure there with this same script).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-3}
low=${BS_LOW:-512}
high=${BS_HIGH:-896}
timeout_s=${BS_TIMEOUT:-60}
export VMB_PREFIX=${VMB_PREFIX:-vmbbs-}
connect=${VMB_CONNECT:-qemu:///system}
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "usage: tools/balloon_speed.sh [RUNS]" >&2; exit 2; }
((low < high)) || { echo "BS_LOW must be below BS_HIGH" >&2; exit 2; }

log() { echo "balloon_speed: $*" >&2; }

tools/libvirt_up.sh >/dev/null
if [[ ${BS_BUILD:-1} == 1 ]]; then
  bazel build //tests/testbed:testbed >&2
fi
testbed="$(pwd)/bazel-bin/tests/testbed/testbed"
work=$(mktemp -d /tmp/vmbalance-balloon-speed.XXXXXX)

cleanup() {
  trap - EXIT INT TERM
  "$testbed" down >/dev/null 2>&1 || log "could not remove every $VMB_PREFIX guest"
  log "samples in $work/samples.csv"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The description, with this run's sizes: guests start at HIGH of a HIGH max.
sed "s/HIGH/$high/g" tools/balloon_speed.guests >"$work/guests"
log "starting guests ($(grep -vc '^#' "$work/guests") lines of $work/guests)"
"$testbed" up "$work/guests" >&2
"$testbed" wait-ready 300 >&2
mapfile -t names < <("$testbed" names)

now_s() { date +%s.%N; }

# balloon_stat DOMAIN: "actual_kib available_kib" (NA when missing).
balloon_stat() {
  virsh -q -c "$connect" dommemstat "$1" 2>/dev/null |
    awk '$1=="actual"{a=$2} $1=="available"{v=$2}
         END{print (a==""?"NA":a), (v==""?"NA":v)}'
}

# move DOMAIN DIR RUN TARGET_MIB: one setmem, sampled until done; appends
# samples to samples.csv and one line to moves.txt.
move() {
  local dom=$1 dir=$2 run=$3 target=$4
  local from from_avail t0 t actual avail done_s="" seen_s=""
  read -r from from_avail < <(balloon_stat "$dom")
  t0=$(now_s)
  virsh -q -c "$connect" setmem "$dom" "${target}M" --live
  while :; do
    t=$(now_s)
    read -r actual avail < <(balloon_stat "$dom")
    local rel
    rel=$(awk -v a="$t" -v b="$t0" 'BEGIN{printf "%.3f", a-b}')
    echo "$dom,$dir,$run,$rel,$actual,$avail" >>"$work/samples.csv"
    if [[ -z $done_s && $actual != NA ]] &&
      ((actual / 1024 - target <= 1 && target - actual / 1024 <= 1)); then
      done_s=$rel
    fi
    if [[ -z $seen_s && $avail != NA && $from_avail != NA ]] &&
      awk -v f="$from_avail" -v v="$avail" -v d="$(((target * 1024) - from))" \
        'BEGIN{c=v-f; exit !((c-d)<=8192 && (d-c)<=8192)}'; then
      seen_s=$rel
    fi
    [[ -n $done_s && -n $seen_s ]] && break
    if awk -v r="$rel" -v m="$timeout_s" 'BEGIN{exit !(r>m)}'; then
      log "$dom $dir run $run: not done after $timeout_s s (actual $actual KiB)"
      break
    fi
    sleep 0.1
  done
  echo "$dom $dir $run $from $((target * 1024)) ${done_s:-NA} ${seen_s:-NA}" >>"$work/moves.txt"
}

echo "guest,dir,run,t_s,actual_kib,available_kib" >"$work/samples.csv"
: >"$work/moves.txt"
for ((run = 1; run <= runs; run++)); do
  for dom in "${names[@]}"; do
    move "$dom" inflate "$run" "$low"
    sleep 3  # let the guest settle (its workload keeps running)
    move "$dom" deflate "$run" "$high"
    sleep 3
  done
done

# The middle of each move (10% -> 90%), from the samples, and the report.
python3 - "$work" <<'EOF'
import csv, statistics, sys, collections
work = sys.argv[1]
samples = collections.defaultdict(list)
for r in csv.DictReader(open(f"{work}/samples.csv")):
    if r["actual_kib"] != "NA":
        samples[(r["guest"], r["dir"], r["run"])].append(
            (float(r["t_s"]), int(r["actual_kib"])))
rows = collections.defaultdict(lambda: collections.defaultdict(list))
print("guest dir run moved_mib done_s mib_per_s mid_mib_per_s guest_view_s")
for line in open(f"{work}/moves.txt"):
    g, d, run, frm, to, done, seen = line.split()
    frm, to = int(frm), int(to)
    moved = abs(to - frm) / 1024
    speed = moved / float(done) if done != "NA" and float(done) > 0 else None
    mid = None
    pts = samples[(g, d, run)]
    def first_past(frac):
        goal = frm + (to - frm) * frac
        for t, a in pts:
            if (to - frm) * (a - goal) >= 0:
                return t, a
        return None
    p10, p90 = first_past(0.1), first_past(0.9)
    if p10 and p90 and p90[0] > p10[0]:
        mid = abs(p90[1] - p10[1]) / 1024 / (p90[0] - p10[0])
    fmt = lambda v: "NA" if v is None else f"{v:.0f}"
    print(g, d, run, f"{moved:.0f}", done, fmt(speed), fmt(mid), seen)
    for k, v in (("done_s", None if done == "NA" else float(done)),
                 ("mib_per_s", speed), ("mid_mib_per_s", mid),
                 ("guest_view_s", None if seen == "NA" else float(seen))):
        if v is not None:
            rows[(g, d)][k].append(v)
print("\nmedians per guest and direction:")
for (g, d), r in sorted(rows.items()):
    print(g, d, " ".join(f"{k}={statistics.median(v):.2f}" for k, v in r.items()))
EOF
