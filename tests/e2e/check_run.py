#!/usr/bin/env python3
"""Asserts what an e2e scenario must show, from the monitor's CSV (the judge).

    check_run.py cpu CSV [--smooth=N] [--balanced_by_s=S] [--pins=K]
                         [--min_balanced_fraction=F] [--min_mean_pct=P]
    check_run.py mem CSV --controller_log=LOG [--grow GUEST:MIB]...
                         [--reclaim GUEST:MIB] [--more GUEST:OTHER:MIB]

cpu: balance is judged on N-row rolling means of each pCPU's load (one-second
readings are noisy on a busy host). With --balanced_by_s it must be balanced
at or before S seconds, stay balanced for at least F of the later rows, and
no pin may change after S. --pins=K: exactly K affinity changes in the run.
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
