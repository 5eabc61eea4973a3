#!/usr/bin/env python3
"""Judges a run on a host made small for real (mem_small_host_test.sh).

  check_small_host.py HOST_CSV MONITOR_CSV CONTROLLER_LOG DMESG_BEFORE
      DMESG_AFTER CONSOLES_DIR [--min_growth_mib=N]

Asserts, printing a figure per line and FAIL lines for what is wrong:
- host MemAvailable (HOST_CSV, the test's own /proc/meminfo sampler) never
  fell to the coordinator's reserve (largest "reserve N MiB" in its log);
- the host memory holder was alive in every sample;
- the kernel log gained no OOM kill during the run (DMESG_AFTER lines that
  are not in DMESG_BEFORE);
- inside the guests, failures were graceful: no panic, no reboot (one boot
  line per console), and the guest OOM killer only ever killed the workload
  (mem_worker), never PID 1's shell;
- the guests did grow (sum over guests of peak minus first balloon size
  >= --min_growth_mib): a run where nothing was granted proves nothing about
  a host that can run short.
Exit status 0 when all hold, 1 otherwise.
"""
import csv
import glob
import os
import re
import sys

OOM_RE = re.compile(r"Out of memory|oom-kill|invoked oom-killer|Killed process")
PANIC_RE = re.compile(r"Kernel panic|deadlocked on memory")
KILLED_RE = re.compile(r"Killed process \d+ \(([^)]*)\)")
BOOT_RE = re.compile(r"vmb: guest \S* up after")
LOW_RE = re.compile(r"mem_worker: low \(")


class Checker:
    def __init__(self):
        self.failures = 0

    def figure(self, name, value):
        print(f"{name}={value}")

    def expect(self, ok, message):
        if not ok:
            self.failures += 1
            print(f"FAIL: {message}")


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def check_host(host_csv, controller_log, c):
    rows = read_rows(host_csv)
    c.expect(rows, f"{host_csv} has no rows")
    if not rows:
        return
    avail = [float(r["mem_available_mib"]) for r in rows]
    low = min(range(len(rows)), key=lambda i: avail[i])
    c.figure("host_samples", len(rows))
    c.figure("min_host_available_mib", avail[low])
    c.figure("min_host_available_at_s", rows[low]["time_s"])
    with open(controller_log, errors="replace") as f:
        reserves = [int(m) for m in re.findall(r"reserve (\d+) MiB", f.read())]
    c.expect(reserves, "no 'reserve N MiB' in the controller log")
    if reserves:
        reserve = max(reserves)
        c.figure("host_reserve_mib", reserve)
        below = [r["time_s"] for r, a in zip(rows, avail) if a <= reserve]
        c.figure("host_samples_at_or_below_reserve", len(below))
        c.expect(not below,
                 f"host MemAvailable fell to {avail[low]} MiB at "
                 f"{rows[low]['time_s']} s, reserve {reserve} MiB "
                 f"({len(below)} sample(s) at or below it)")
    dead = [r["time_s"] for r in rows if r["holder_alive"] != "1"]
    c.expect(not dead, f"host memory holder dead from {dead[:1]} s "
                       "(killed by the host's OOM killer?)")


def check_dmesg(before, after, c):
    with open(before, errors="replace") as f:
        seen = set(f.read().splitlines())
    with open(after, errors="replace") as f:
        new = [l for l in f.read().splitlines() if l not in seen]
    ooms = [l for l in new if OOM_RE.search(l)]
    c.figure("host_dmesg_new_oom_lines", len(ooms))
    for line in ooms[:5]:
        print(f"  dmesg: {line}")
    c.expect(not ooms, "the host kernel logged an OOM kill during the run")


def check_guests(consoles_dir, c):
    consoles = sorted(glob.glob(os.path.join(consoles_dir, "*.console.log")))
    c.expect(consoles, f"no guest consoles in {consoles_dir}")
    for path in consoles:
        name = os.path.basename(path)[:-len(".console.log")]
        with open(path, errors="replace") as f:
            text = f.read()
        killed = KILLED_RE.findall(text)
        boots = len(BOOT_RE.findall(text))
        c.figure(f"{name}_workload_low_frees", len(LOW_RE.findall(text)))
        c.figure(f"{name}_guest_oom_kills", len(killed))
        c.expect(not PANIC_RE.search(text), f"{name}: panic on its console")
        c.expect(boots == 1, f"{name}: booted {boots} times (a reboot?)")
        others = [k for k in killed if k != "mem_worker"]
        c.expect(not others, f"{name}: guest OOM killed {others}, not the "
                             "workload")


def check_growth(monitor_csv, min_growth, c):
    rows = read_rows(monitor_csv)
    c.expect(rows, f"{monitor_csv} has no rows")
    if not rows:
        return
    guests = [k[:-len("_actual_mib")] for k in rows[0]
              if k.endswith("_actual_mib")]
    growth = 0.0
    for g in guests:
        sizes = [float(r[g + "_actual_mib"]) for r in rows
                 if r[g + "_actual_mib"]]
        c.expect(len(sizes) == len(rows), f"{g} missing from some rows")
        if sizes:
            c.figure(f"{g}_peak_actual_mib", max(sizes))
            growth += max(sizes) - sizes[0]
    c.figure("guests_total_growth_mib", round(growth, 1))
    c.expect(growth >= min_growth,
             f"the guests grew by {growth} MiB in all, want >= {min_growth}: "
             "the host was never put to the test")


def main(argv):
    flags = dict(a[2:].split("=", 1) for a in argv[1:] if a.startswith("--"))
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    host_csv, monitor_csv, log, before, after, consoles = args
    c = Checker()
    check_host(host_csv, log, c)
    check_dmesg(before, after, c)
    check_guests(consoles, c)
    check_growth(monitor_csv, float(flags.get("min_growth_mib", 0)), c)
    print("RESULT:", "PASS" if c.failures == 0 else f"{c.failures} failure(s)")
    return 0 if c.failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
