#!/usr/bin/env bash
# check_faults.py on made-up scrapes: a good hung-QEMU run passes, and each
# thing it guards (the others' counters stalled, a scrape that failed, the
# stopped guest not reported, its affinity changed, the scheduler idle, no
# resume) fails it on its own; the same for a held domain job (plus
# libvirt_up and the guest readable again); a good and a bad libvirtd restart.
set -euo pipefail
check="${TEST_SRCDIR:-.}/vmbalance/tests/faults/check_faults.py"
[[ -x $check ]] || check="$(dirname "$0")/check_faults.py"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# make_polls [KEY=VALUE...] writes polls.jsonl, events.txt and ctl.log for a
# run: scrapes every 0.5 s over 0..30 s, guest a stopped at 10..20 s, b and c
# busy; the knobs break one thing each.
make_polls() {
  python3 - "$dir" "$@" <<'EOF'
import json, sys
d, knobs = sys.argv[1], dict(a.split("=") for a in sys.argv[2:])
stall_b = knobs.get("stall_b") == "1"        # b's counter stops at 11..19 s
fail_scrape = knobs.get("fail_scrape") == "1"
report = knobs.get("report", "series")       # series | log | none
aff_a = knobs.get("aff_a", "0")              # a's affinity while stopped
moved = knobs.get("moved", "1") == "1"       # scheduler moves c at 12 s
resume = knobs.get("resume", "1") == "1"
readable = knobs.get("readable", "1") == "1"  # a readable again after 20 s
libvirt_down = knobs.get("libvirt_down") == "1"  # libvirt_up 0 at 14 s
out = open(f"{d}/polls.jsonl", "w")
for i in range(61):
    t = 1000 + i / 2
    rel = t - 1000
    stopped = 10 <= rel < 20
    s = {}
    va = rel if rel < 10 else (10 if (rel < 20 or not resume) else rel - 10)
    s['libvirt_domain_vcpu_time_seconds_total{domain="a",uuid="1",vcpu="0"}'] = va
    vb = rel if not (stall_b and 11 <= rel < 19) else 11
    s['libvirt_domain_vcpu_time_seconds_total{domain="b",uuid="2",vcpu="0"}'] = vb
    s['libvirt_domain_vcpu_time_seconds_total{domain="c",uuid="3",vcpu="0"}'] = rel
    if report == "series":
        s['vmbalance_domain_read_timeouts_total{domain="a",uuid="1"}'] = (
            0 if rel < 11 else min(rel, 20) - 10)
    s["vmbalance_vcpu_pin_changes_total"] = 2 + (1 if moved and rel >= 12 else 0)
    s["libvirt_up"] = 0 if libvirt_down and rel == 14 else 1
    if report == "series":
        s['vmbalance_domain_readable{domain="a",uuid="1"}'] = (
            0 if 11 <= rel < 21 or (rel >= 21 and not readable) else 1)
    aff = {"a": aff_a if stopped and rel > 15 else "0", "b": "0",
           "c": "1" if moved and rel >= 12 else "0"}
    ok = not (fail_scrape and rel == 14)
    out.write(json.dumps({"t": t, "ok": ok, "samples": s if ok else {},
                          "aff": aff}) + "\n")
open(f"{d}/events.txt", "w").write(
    "baseline 1002\nstop 1010\njob 1010.2\nrepinned 1010.5\ncont 1020\n"
    "released 1020.5\n")
with open(f"{d}/ctl.log", "w") as f:
    f.write("1005.0 [tick 5] 3 domains\n")
    if report == "log":
        f.write("1012.0 W... domain a timed out at the sampling deadline\n")
    if report == "log2":
        f.write("1012.0     not read in time, left alone: a\n")
EOF
}

# The phase judged: hung, or job (a's domain job held from `job` to `cont`).
mode=hung
hung() {
  if [[ $mode == job ]]; then
    "$check" job "$dir/polls.jsonl" "$dir/events.txt" "$dir/ctl.log" \
      --held a --others b,c --max_stall_s 3 "$@" >"$dir/out.txt"
  else
    "$check" hung "$dir/polls.jsonl" "$dir/events.txt" "$dir/ctl.log" \
      --stopped a --others b,c --max_stall_s 3 "$@" >"$dir/out.txt"
  fi
}

expect_pass() {
  make_polls "$@"
  hung || { cat "$dir/out.txt"; echo "FAIL: good run ($*) rejected"; exit 1; }
}

# expect_fail WHAT KNOBS...: the verdict fails with a line containing WHAT.
expect_fail() {
  local what=$1
  shift
  make_polls "$@"
  if hung; then cat "$dir/out.txt"; echo "FAIL: ($*) passed"; exit 1; fi
  grep -q "^FAIL .*$what" "$dir/out.txt" ||
    { cat "$dir/out.txt"; echo "FAIL: ($*) did not fail on '$what'"; exit 1; }
  echo "ok: ($*) fails: $(grep -m1 "^FAIL .*$what" "$dir/out.txt")"
}

expect_pass
expect_pass report=log
expect_pass report=log2
expect_fail "while a was stopped: b's" stall_b=1
expect_fail "every scrape while a was stopped answered" fail_scrape=1
expect_fail "a reported as unreadable" report=none
expect_fail "a's vCPU affinity unchanged" aff_a=1
expect_fail "moved another guest off pCPU 0" moved=0
expect_fail "pin_changes_total rose" moved=0
expect_fail "after SIGCONT a's" resume=0

# The held job: the same run judged by `job`, plus libvirt_up and a guest
# readable again after the release.
mode=job
expect_pass
expect_fail "a readable" report=log  # no readable series at all
expect_fail "while a's job was held: b's" stall_b=1
expect_fail "answered with libvirt_up 1" fail_scrape=1
expect_fail "answered with libvirt_up 1" libvirt_down=1
expect_fail "a's vCPU affinity unchanged while its job" aff_a=1
expect_fail "moved another guest off pCPU 0" moved=0
expect_fail "after SIGCONT a's" resume=0
expect_fail "a readable" readable=0
expect_fail "a reported as unreadable while its job" report=none
mode=hung

# libvirtd restarts: up drops to 0 at kill, back 1 s after `up`.
make_restart() {
  python3 - "$dir" "$@" <<'EOF'
import json, sys
d, knobs = sys.argv[1], dict(a.split("=") for a in sys.argv[2:])
never_down = knobs.get("never_down") == "1"
stuck = knobs.get("stuck") == "1"            # counters never move again
out = open(f"{d}/polls.jsonl", "w")
for i in range(41):
    t = 1000 + i / 2
    down = 5 <= t - 1000 < 8
    up = 0 if down and not never_down else 1
    v = t - 1000 if not (stuck and t - 1000 >= 5) else 5
    out.write(json.dumps({"t": t, "ok": True, "samples": {
        "libvirt_up": up,
        'libvirt_domain_vcpu_time_seconds_total{domain="b",uuid="2",vcpu="0"}': v,
    }}) + "\n")
open(f"{d}/events.txt", "w").write("kill1 1005\nup1 1007\n")
EOF
}
restart() { "$check" restart "$dir/polls.jsonl" "$dir/events.txt" --guests b --recover_s 4 >"$dir/out.txt"; }
make_restart
restart || { cat "$dir/out.txt"; echo "FAIL: good restart rejected"; exit 1; }
for knob in never_down=1 stuck=1; do
  make_restart "$knob"
  if restart; then cat "$dir/out.txt"; echo "FAIL: restart ($knob) passed"; exit 1; fi
  echo "ok: restart ($knob) fails: $(grep -m1 '^FAIL' "$dir/out.txt")"
done
echo PASS
