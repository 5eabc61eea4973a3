#!/usr/bin/env python3
"""Asserts what an e2e scenario must show, from the monitor's CSV (the judge).

    check_run.py cpu CSV [--smooth=N] [--balanced_by_s=S] [--pins=K]
                         [--min_balanced_fraction=F] [--min_mean_pct=P]
                         [--fair_tail_s=T --min_fair_ratio=R
                          --min_busy_guests=B]
    check_run.py mem CSV --controller_log=LOG [--grow GUEST:MIB]...
                         [--reclaim GUEST:MIB] [--more GUEST:OTHER:MIB]

cpu: balance is judged on N-row rolling means of each pCPU's load (one-second
readings are noisy on a busy host). With --balanced_by_s it must be balanced
at or before S seconds, stay balanced for at least F of the later rows, and
no pin may change after S. --pins=K: exactly K affinity changes in the run.
--fair_tail_s: fairness from the guests' side over the last T seconds. Each
guest's demand is its run time plus its wait for a pCPU (the monitor's
G_cpu_pct + G_wait_pct); the capacity the guests could have had is their run
time plus the host's idle time (host_idle_pct; what other work on the host
took is not theirs to have). Max-min fair shares of that capacity over the
demands give each guest its due; every busy guest (demand >= BUSY_PCT) must
run at least R of its due. On saturated pCPUs per-pCPU load reads 100%
everywhere, so only this sees 7 guests crowded on one pCPU and 1 alone on
the other, or a pCPU left idle while guests wait. --min_busy_guests=B: at
least B guests busy then (fewer: the workload did not run, nothing proved;
more is possible: a light guest crowded with busy ones waits like them).
fair_capacity_pct well under 100 x pCPUs means other work took the rest of
the host: per-pCPU balance then reflects that work, not the scheduler.
mem: every guest is present in every row; the host's free memory never falls
to the coordinator's reserve (largest "reserve N MiB" in its log); --grow G:M:
guest G's balloon reaches M MiB; --reclaim G:M: after its peak it falls to M
MiB or less; --more G:H:M: G's peak is at least M MiB above H's.
Prints key=value figures, then FAIL lines; exits 1 on any failure.
"""

import csv
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "testbed"))
for root in (os.environ.get("TEST_SRCDIR"), os.environ.get("RUNFILES_DIR")):
    if root:
        sys.path.insert(0, os.path.join(root, "vmbalance", "tests", "testbed"))
import csv_summary  # noqa: E402  (the testbed's, beside this in runfiles)


class Checker:
    def __init__(self):
        self.failures = []

    def figure(self, key, value):
        print(f"{key}={value}")

    def expect(self, ok, message):
        if not ok:
            self.failures.append(message)


# A guest whose run + wait covers 80% of the time wants a pCPU all the time
# (busy loops read 98-100% here). Light guests (duty 0.2) read 50-70%: a
# sleeper also waits for its wake-up slot, so run + wait overstates what it
# wants, and a bad placement does not starve them. The CPU scenarios' guests
# have one vCPU each, so a guest's figures are its vCPU's.
BUSY_PCT = 80.0


def fair_shares(demands, capacity):
    """Max-min fair split of capacity: the smallest demands are met first,
    the rest share what is left equally."""
    due = {}
    left = capacity
    pending = sorted(demands, key=demands.get)
    while pending:
        level = left / len(pending)
        g = pending.pop(0)
        due[g] = min(demands[g], level)
        left -= due[g]
    return due


def column_mean(rows, column):
    """Mean of a column's non-empty cells; None when it has none or is
    missing."""
    values = [float(r[column]) for r in rows if r.get(column)]
    return sum(values) / len(values) if values else None


def check_fairness(rows, guests, tail_s, min_ratio, want_busy, c):
    end = float(rows[-1]["time_s"])
    tail = [r for r in rows if float(r["time_s"]) > end - tail_s]
    run = {g: column_mean(tail, g + "_cpu_pct") for g in guests}
    wait = {g: column_mean(tail, g + "_wait_pct") for g in guests}
    idle = column_mean(tail, "host_idle_pct")
    unknown = [g for g in guests if run[g] is None or wait[g] is None]
    c.expect(not unknown and idle is not None,
             f"no run/wait figures for {unknown or 'the host idle time'} in "
             f"the last {tail_s} s: cannot judge fairness")
    if unknown or idle is None:
        return
    demand = {g: run[g] + wait[g] for g in guests}
    capacity = sum(run.values()) + idle
    due = fair_shares(demand, capacity)
    c.figure("fair_capacity_pct", round(capacity, 1))
    c.figure("fair_host_idle_pct", round(idle, 1))
    ratios = {}
    for g in guests:
        ratio = run[g] / due[g] if due[g] > 0 else 1.0
        c.figure(f"{g}_run_wait_due_pct",
                 f"{run[g]:.1f}/{wait[g]:.1f}/{due[g]:.1f}")
        if demand[g] >= BUSY_PCT:
            ratios[g] = ratio
    c.expect(ratios, f"no busy guest (demand >= {BUSY_PCT}%) in the last "
             f"{tail_s} s: fairness proves nothing")
    if not ratios:
        return
    worst = min(ratios, key=ratios.get)
    busy_runs = [run[g] for g in ratios]
    c.figure("busy_guests", len(ratios))
    c.expect(want_busy is None or len(ratios) >= want_busy,
             f"{len(ratios)} busy guests in the last {tail_s} s, want >= "
             f"{want_busy}: is the workload running?")
    c.figure("busy_run_pct_min_max",
             f"{min(busy_runs):.1f}/{max(busy_runs):.1f}")
    c.figure("min_fair_ratio", round(ratios[worst], 3))
    c.expect(ratios[worst] >= min_ratio,
             f"{worst} ran {run[worst]:.1f}% of a pCPU, {ratios[worst]:.2f} "
             f"of its fair {due[worst]:.1f}% (want >= {min_ratio}): guests "
             "wait while capacity goes elsewhere")


def parse_flags(argv):
    flags = {}
    lists = {"grow": [], "reclaim": [], "more": []}
    positional = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("--") and "=" in arg:
            key, value = arg[2:].split("=", 1)
        elif arg.startswith("--"):
            key, value = arg[2:], argv[i + 1]
            i += 1
        else:
            positional.append(arg)
            i += 1
            continue
        if key in lists:
            lists[key].append(value)
        else:
            flags[key] = value
        i += 1
    return positional, flags, lists


def check_cpu(rows, flags, c):
    smooth = int(flags.get("smooth", 1))
    if smooth > 1:
        rows = csv_summary.smooth_balance(rows, smooth)
    times = [float(r["time_s"]) for r in rows]
    balanced = [r["balanced"] == "1" for r in rows]
    pins = [int(r["pin_changes"]) for r in rows]
    pin_times = [t for t, p in zip(times, pins) if p > 0]
    first = next((t for t, b in zip(times, balanced) if b), -1)
    c.figure("duration_s", round(times[-1], 1))
    c.figure("first_balanced_s", first)
    c.figure("pin_changes_total", sum(pins))
    c.figure("last_pin_change_s", pin_times[-1] if pin_times else -1)
    c.figure("balanced_fraction_all", round(sum(balanced) / len(rows), 3))
    c.figure("final_smoothed_stddev_pct", round(float(rows[-1]["stddev_pct"]), 2))
    c.figure("final_smoothed_mean_pct", round(float(rows[-1]["mean_pct"]), 2))
    mean_load = sum(float(r["mean_pct"]) for r in rows) / len(rows)
    c.figure("mean_pcpu_load_pct", round(mean_load, 1))
    if "min_mean_pct" in flags:
        c.expect(mean_load >= float(flags["min_mean_pct"]),
                 f"mean pCPU load {mean_load:.1f}% < {flags['min_mean_pct']}%:"
                 " are the guests busy?")
    if "pins" in flags:
        want = int(flags["pins"])
        c.expect(sum(pins) == want,
                 f"{sum(pins)} pin changes, want exactly {want}")
    if "balanced_by_s" in flags:
        bound = float(flags["balanced_by_s"])
        c.expect(0 <= first <= bound,
                 f"first balanced (smoothed over {smooth}) at {first} s, "
                 f"want <= {bound} s")
        late = [t for t in pin_times if t > bound]
        c.expect(not late, f"pin changes after {bound} s at {late}")
        after = [b for t, b in zip(times, balanced) if t > bound]
        frac = sum(after) / len(after) if after else 0
        c.figure("balanced_fraction_after_bound", round(frac, 3))
        want = float(flags.get("min_balanced_fraction", 0.9))
        c.expect(after and frac >= want,
                 f"balanced in {frac:.2f} of the rows after {bound} s, "
                 f"want >= {want}")
    if "fair_tail_s" in flags:
        want_busy = flags.get("min_busy_guests")
        check_fairness(rows, guests_of(rows), float(flags["fair_tail_s"]),
                       float(flags.get("min_fair_ratio", 0.75)),
                       int(want_busy) if want_busy else None, c)


def guests_of(rows):
    return [k[:-len("_actual_mib")] for k in rows[0] if k.endswith("_actual_mib")]


def check_mem(rows, flags, lists, c):
    guests = guests_of(rows)
    for g in guests:
        missing = [r["time_s"] for r in rows if not r[g + "_actual_mib"]]
        c.expect(not missing, f"{g} missing (gone?) at {missing[:5]} s")
    actual = {g: [(float(r["time_s"]), float(r[g + "_actual_mib"]))
                  for r in rows if r[g + "_actual_mib"]] for g in guests}
    for g in guests:
        c.figure(f"{g}_max_actual_mib", max(a for _, a in actual[g]))
        c.figure(f"{g}_final_actual_mib", actual[g][-1][1])
    free = [float(r["host_free_mib"]) for r in rows if r["host_free_mib"]]
    c.figure("min_host_free_mib", min(free))
    with open(flags["controller_log"], errors="replace") as f:
        reserves = [int(m) for m in re.findall(r"reserve (\d+) MiB", f.read())]
    c.expect(reserves, "no 'reserve N MiB' in the controller log")
    if reserves:
        c.figure("host_reserve_mib", max(reserves))
        c.expect(min(free) > max(reserves),
                 f"host free fell to {min(free)} MiB, reserve {max(reserves)}")

    def peak(g):
        return max(actual[g], key=lambda ta: ta[1])

    for spec in lists["grow"]:
        g, mib = spec.split(":")
        c.expect(peak(g)[1] >= float(mib),
                 f"{g} peaked at {peak(g)[1]} MiB, want >= {mib}")
    for spec in lists["reclaim"]:
        g, mib = spec.split(":")
        t_peak, _ = peak(g)
        later = [(t, a) for t, a in actual[g] if t > t_peak]
        low = min(later, key=lambda ta: ta[1]) if later else (-1, float("inf"))
        c.figure(f"{g}_reclaimed_to_mib", low[1])
        c.figure(f"{g}_reclaimed_at_s", low[0])
        c.expect(low[1] <= float(mib),
                 f"{g} fell only to {low[1]} MiB after its peak, want <= {mib}")
    for spec in lists["more"]:
        g, h, mib = spec.split(":")
        c.expect(peak(g)[1] - peak(h)[1] >= float(mib),
                 f"{g} peaked at {peak(g)[1]} MiB, {h} at {peak(h)[1]}: want "
                 f"{g} >= {h} + {mib}")


def main(argv):
    positional, flags, lists = parse_flags(argv[1:])
    if len(positional) != 2 or positional[0] not in ("cpu", "mem"):
        print(__doc__, file=sys.stderr)
        return 2
    kind, path = positional
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    c = Checker()
    if not rows:
        print(f"FAIL: {path} has no rows")
        return 1
    if kind == "cpu":
        check_cpu(rows, flags, c)
    else:
        check_mem(rows, flags, lists, c)
    for failure in c.failures:
        print(f"FAIL: {failure}")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
