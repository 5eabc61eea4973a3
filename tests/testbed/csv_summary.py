#!/usr/bin/env python3
"""Summarises a testbed monitor CSV as key=value lines for test assertions.

    csv_summary.py RUN.csv [--skip_s=S] [--smooth=N]

Keys: rows, duration_s, first_balanced_s, settled_s (the time from which every
later row is balanced; -1 if the last row is not), pin_changes_total,
pin_changes_after_settled, balanced_fraction, min_host_free_mib,
mean_host_idle_pct, and per guest G: G_min_actual_mib, G_max_actual_mib,
G_min_unused_mib, G_mean_cpu_pct, G_mean_wait_pct (its vCPUs' wait for a
pCPU). Figures the CSV leaves empty (unknown) are left out, never read as 0.
Rows before --skip_s seconds are ignored (warm-up). --smooth=N judges balance
on the rolling mean of each pCPU's load over the last N rows (the rows'
own balanced column otherwise): on a shared or busy host one-interval
readings are noisy. Standard library only.
"""

import csv
import math
import sys


def smooth_balance(rows, window):
    """Rewrites mean/stddev/balanced from N-row rolling pCPU means."""
    pcpus = [c for c in rows[0] if c.startswith("pcpu") and c.endswith("_pct")]
    out = []
    for i, row in enumerate(rows):
        recent = rows[max(0, i - window + 1):i + 1]
        loads = [sum(float(r[c]) for r in recent) / len(recent) for c in pcpus]
        mean = sum(loads) / len(loads)
        sd = math.sqrt(sum((x - mean) ** 2 for x in loads) / len(loads))
        balanced = sd <= 0.05 * mean + 1e-9 and sd <= 5.0 + 1e-9
        out.append(dict(row, mean_pct=str(mean), stddev_pct=str(sd),
                        balanced="1" if balanced else "0"))
    return out


def summarize(rows, skip_s=0.0, smooth=1):
    rows = [r for r in rows if float(r["time_s"]) >= skip_s]
    if rows and smooth > 1:
        rows = smooth_balance(rows, smooth)
    out = {"rows": len(rows)}
    if not rows:
        return out
    times = [float(r["time_s"]) for r in rows]
    balanced = [r["balanced"] == "1" for r in rows]
    pins = [int(r["pin_changes"]) for r in rows]
    out["duration_s"] = round(times[-1] - times[0], 3)
    out["first_balanced_s"] = next(
        (t for t, b in zip(times, balanced) if b), -1)
    settled_index = None
    for i in range(len(rows) - 1, -1, -1):
        if not balanced[i]:
            break
        settled_index = i
    out["settled_s"] = times[settled_index] if settled_index is not None else -1
    out["pin_changes_total"] = sum(pins)
    out["pin_changes_after_settled"] = (
        sum(pins[settled_index + 1:]) if settled_index is not None else -1)
    out["balanced_fraction"] = round(sum(balanced) / len(rows), 3)
    free = [float(r["host_free_mib"]) for r in rows if r["host_free_mib"]]
    out["min_host_free_mib"] = min(free) if free else -1
    idle = [float(r["host_idle_pct"]) for r in rows if r.get("host_idle_pct")]
    if idle:
        out["mean_host_idle_pct"] = round(sum(idle) / len(idle), 2)
    guests = [c[:-len("_actual_mib")] for c in rows[0] if c.endswith("_actual_mib")]
    for g in guests:
        actual = [float(r[g + "_actual_mib"]) for r in rows if r[g + "_actual_mib"]]
        unused = [float(r[g + "_unused_mib"]) for r in rows if r[g + "_unused_mib"]]
        cpu = [float(r[g + "_cpu_pct"]) for r in rows if r[g + "_cpu_pct"]]
        wait = [float(r[g + "_wait_pct"]) for r in rows if r.get(g + "_wait_pct")]
        if actual:
            out[g + "_min_actual_mib"] = min(actual)
            out[g + "_max_actual_mib"] = max(actual)
        if unused:
            out[g + "_min_unused_mib"] = min(unused)
        if cpu:
            out[g + "_mean_cpu_pct"] = round(sum(cpu) / len(cpu), 2)
        if wait:
            out[g + "_mean_wait_pct"] = round(sum(wait) / len(wait), 2)
    return out


def main(argv):
    skip_s = 0.0
    smooth = 1
    paths = []
    for arg in argv[1:]:
        if arg.startswith("--skip_s="):
            skip_s = float(arg.split("=", 1)[1])
        elif arg.startswith("--smooth="):
            smooth = int(arg.split("=", 1)[1])
        else:
            paths.append(arg)
    if len(paths) != 1 or smooth < 1:
        print(__doc__, file=sys.stderr)
        return 2
    with open(paths[0], newline="") as f:
        summary = summarize(list(csv.DictReader(f)), skip_s, smooth)
    for key, value in summary.items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
