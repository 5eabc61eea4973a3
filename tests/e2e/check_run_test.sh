#!/usr/bin/env bash
# check_run.py on synthetic monitor CSVs: a scheduler that balances once and
# holds still passes; one that does nothing, or keeps moving vCPUs, fails; the
# memory checks catch a guest that does not grow, is not reclaimed, vanishes,
# is resized although opted out, or a host that dips into the reserve.
set -euo pipefail
check="$TEST_SRCDIR/vmbalance/tests/e2e/check_run.py"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }
passes() { "$check" "$@" >"$tmp/out" || { cat "$tmp/out"; fail "expected pass: $*"; }; }
fails() { if "$check" "$@" >"$tmp/out"; then cat "$tmp/out"; fail "expected failure: $*"; fi; }

# cpu CSV: 60 rows; pCPU loads as (a, b) before and after t=MOVE; PINS at the
# listed seconds.
cpu_csv() {  # FILE MOVE_AT PINS_AT...
  local file=$1 move=$2
  shift 2
  python3 - "$file" "$move" "$@" <<'PY'
import sys
path, move, pin_times = sys.argv[1], float(sys.argv[2]), [float(x) for x in sys.argv[3:]]
with open(path, "w") as f:
    f.write("time_s,pcpu0_pct,pcpu1_pct,mean_pct,stddev_pct,balanced,pin_changes,host_free_mib,g_cpu_pct,g_actual_mib,g_unused_mib\n")
    for t in range(1, 61):
        a, b = (100, 0) if t < move else (100 + (t % 3), 100 - (t % 2))
        mean = (a + b) / 2
        sd = abs(a - b) / 2
        bal = int(sd <= 0.05 * mean and sd <= 5)
        pins = sum(1 for p in pin_times if int(p) == t)
        pins = 4 if t == int(move) and move < 60 else pins
        f.write(f"{t},{a},{b},{mean},{sd},{bal},{pins},20000,50,192,100\n")
PY
}
cpu_csv "$tmp/good.csv" 8
passes cpu "$tmp/good.csv" --smooth=5 --balanced_by_s=20 --pins=4 --min_mean_pct=40
cpu_csv "$tmp/nothing.csv" 99
fails cpu "$tmp/nothing.csv" --smooth=5 --balanced_by_s=20 --pins=4
cpu_csv "$tmp/churn.csv" 8 25 40 55
fails cpu "$tmp/churn.csv" --smooth=5 --balanced_by_s=20 --pins=4
passes cpu "$tmp/good.csv" --pins=4
fails cpu "$tmp/good.csv" --pins=0
passes cpu "$tmp/good.csv" --max_pins=4
fails cpu "$tmp/good.csv" --max_pins=3

# Fairness from the guests' side: 8 guests on 2 saturated pCPUs. Each spec
# is host idle %, then per guest run%/wait% ("-" for an unknown wait); the
# pCPU columns read 100/100 in every case, as they do on a real host, so only
# the guests' figures tell the cases apart.
fair_csv() {  # FILE IDLE RUN/WAIT...
  python3 - "$@" <<'PY'
import sys
path, idle, guests = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(path, "w") as f:
    f.write("time_s,pcpu0_pct,pcpu1_pct,mean_pct,stddev_pct,balanced,"
            "pin_changes,host_free_mib,host_idle_pct")
    for i in range(len(guests)):
        f.write(f",g{i}_cpu_pct,g{i}_wait_pct,g{i}_actual_mib,g{i}_unused_mib")
    f.write("\n")
    for t in range(1, 61):
        f.write(f"{t},100,100,100,0,1,0,20000,{idle}")
        for g in guests:
            run, wait = g.split("/")
            f.write(f",{run},{'' if wait == '-' else wait},192,100")
        f.write("\n")
PY
}
fair=(--fair_tail_s=30 --min_fair_ratio=0.75)
fair_csv "$tmp/even.csv" 0 24/74 24/74 24/74 24/74 25/73 25/73 25/73 25/73
passes cpu "$tmp/even.csv" "${fair[@]}"
# 7 crowded on one pCPU, 1 alone on the other: 14% vs a fair 25%.
fair_csv "$tmp/crowded.csv" 0 14/85 14/85 14/85 14/85 14/85 14/85 14/85 95/3
fails cpu "$tmp/crowded.csv" "${fair[@]}"
# All on one pCPU, the other idle (a scheduler that does nothing).
fair_csv "$tmp/stuck.csv" 95 12/86 12/86 12/86 12/86 12/86 12/86 12/86 12/86
fails cpu "$tmp/stuck.csv" "${fair[@]}"
# The same shares while other work takes the second pCPU: not unfair to them.
fair_csv "$tmp/shared.csv" 0 12/86 12/86 12/86 12/86 12/86 12/86 12/86 12/86
passes cpu "$tmp/shared.csv" "${fair[@]}"
# Heavy guests share what the light ones leave: 30% each is their due.
fair_csv "$tmp/mixed.csv" 0 29/69 20/10 29/69 20/10 31/67 20/10 31/67 20/10
passes cpu "$tmp/mixed.csv" "${fair[@]}" --min_busy_guests=4
fails cpu "$tmp/mixed.csv" "${fair[@]}" --min_busy_guests=5
fair_csv "$tmp/mixed_bad.csv" 0 18/80 20/5 18/80 20/5 42/56 20/5 42/56 20/5
fails cpu "$tmp/mixed_bad.csv" "${fair[@]}"
# Idle guests prove nothing; unknown waits are not read as "no wait".
fair_csv "$tmp/idle.csv" 190 1/0 1/0 1/0 1/0 1/0 1/0 1/0 1/0
fails cpu "$tmp/idle.csv" "${fair[@]}"
fair_csv "$tmp/nowait.csv" 0 25/- 25/- 25/- 25/- 25/- 25/- 25/- 25/-
fails cpu "$tmp/nowait.csv" "${fair[@]}"
fails cpu "$tmp/good.csv" "${fair[@]}"  # a CSV from before the wait columns

# Phases compared from the guests' side (compare), and a guest that must
# never move (--still). Spec per guest: run%/wait%[/cpus]; rows 1-60.
phase_csv() {  # FILE IDLE GUEST_SPEC... (env CROWDED_S, default 10)
  python3 - "${CROWDED_S:-10}" "$@" <<'PY'
import sys
crowded, path, idle, guests = float(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
with open(path, "w") as f:
    f.write("time_s,pcpu0_pct,pcpu1_pct,mean_pct,stddev_pct,balanced,"
            "pin_changes,host_free_mib,host_idle_pct")
    for i in range(len(guests)):
        f.write(f",g{i}_cpu_pct,g{i}_wait_pct,g{i}_actual_mib,"
                f"g{i}_unused_mib,g{i}_cpus")
    f.write("\n")
    for t in range(1, 61):
        # Until CROWDED_S every guest is crowded on one pCPU: half its run,
        # the other pCPU idle.
        early = t <= crowded
        f.write(f"{t},100,100,100,0,1,{1 if t == 5 else 0},20000,"
                f"{100 if early else idle}")
        for g in guests:
            run, wait, *cpus = g.split("/")
            run = float(run) / 2 if early else float(run)
            f.write(f",{run},{wait},192,100,{cpus[0] if cpus else '0-1'}")
        f.write("\n")
PY
}
cmp=(--smooth=5 --tail_s=25 --min_busy_guests=4)
phase_csv "$tmp/linux.csv" 0 30/68 20/30 30/68 20/30 30/68 20/30 30/68 20/30
phase_csv "$tmp/same.csv" 0 29/69 20/30 31/67 20/30 30/68 20/30 30/68 20/30
passes compare "$tmp/linux.csv" "$tmp/same.csv" "${cmp[@]}"
# Everything pinned to pCPU 0, pCPU 1 idle: the busy guests run half.
phase_csv "$tmp/all0.csv" 100 15/84 10/40 15/84 10/40 15/84 10/40 15/84 10/40
fails compare "$tmp/linux.csv" "$tmp/all0.csv" "${cmp[@]}"
# Two busy guests crowded together, two alone with a light one each.
phase_csv "$tmp/lopsided.csv" 0 20/78 20/30 20/78 20/30 40/58 20/30 40/58 20/30
fails compare "$tmp/linux.csv" "$tmp/lopsided.csv" "${cmp[@]}"
# Fair in the end, but 25 s later than Linux alone: too slow.
CROWDED_S=35 phase_csv "$tmp/late.csv" 0 29/69 20/30 31/67 20/30 30/68 20/30 30/68 20/30
fails compare "$tmp/linux.csv" "$tmp/late.csv" "${cmp[@]}"
fails compare "$tmp/linux.csv" "$tmp/same.csv" "${cmp[@]}" --min_busy_guests=5
# The opted-out guest g0 stays on pCPU 0; moving it once fails.
phase_csv "$tmp/still.csv" 0 30/68/0 20/30 30/68 20/30
passes cpu "$tmp/still.csv" --still=g0:0 --min_pins=1
fails cpu "$tmp/still.csv" --still=g0:0 --min_pins=2
python3 - "$tmp/still.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
rows[29]["g0_cpus"] = "1"
with open(sys.argv[1], "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=rows[0].keys())
    w.writeheader()
    w.writerows(rows)
PY
fails cpu "$tmp/still.csv" --still=g0:0 --min_pins=1
fails cpu "$tmp/good.csv" --still=g:0  # no affinity column: not "never moved"

# mem CSV: guest a grows to 1500 then is reclaimed to 600; b stays at 512.
python3 - "$tmp/mem.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("time_s,pcpu0_pct,mean_pct,stddev_pct,balanced,pin_changes,host_free_mib,a_cpu_pct,a_actual_mib,a_unused_mib,b_cpu_pct,b_actual_mib,b_unused_mib\n")
    for t in range(1, 101):
        a = 512 + 25 * t if t <= 40 else max(600, 1512 - 40 * (t - 40))
        f.write(f"{t},10,10,0,1,0,{20000 - a},5,{a},100,1,512,300\n")
PY
echo "  host total 24105 MiB  free 20000 MiB  reserve 482 MiB" >"$tmp/log"
passes mem "$tmp/mem.csv" --controller_log="$tmp/log" --grow=a:1400 --reclaim=a:700 --more=a:b:500
fails mem "$tmp/mem.csv" --controller_log="$tmp/log" --grow=b:1000
fails mem "$tmp/mem.csv" --controller_log="$tmp/log" --reclaim=a:500
fails mem "$tmp/mem.csv" --controller_log="$tmp/log" --more=b:a:0
passes mem "$tmp/mem.csv" --controller_log="$tmp/log" --untouched=b
fails mem "$tmp/mem.csv" --controller_log="$tmp/log" --untouched=a
echo "  reserve 19000 MiB" >"$tmp/log2"
fails mem "$tmp/mem.csv" --controller_log="$tmp/log2"
sed -i '50s/,1,512,300$/,,,/' "$tmp/mem.csv"
fails mem "$tmp/mem.csv" --controller_log="$tmp/log"
echo PASS
