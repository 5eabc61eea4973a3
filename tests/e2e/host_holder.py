#!/usr/bin/env python3
"""Makes this host small for real: holds host memory (allocated and backed)
until /proc/meminfo's MemAvailable is down to a target, then holds it until
killed. Its own oom_score_adj is raised (--oom_score_adj) so that if the host
does run out, the kernel kills this holder, not the test harness or libvirtd:
a test that finds the holder dead (or an OOM kill in dmesg) has caught a host
that ran out.

  host_holder.py --leave_mib=3072 --boot_mib=2560 --ready_file=F

Two stages, because backing memory on this machine kind costs ~0.6 GiB/s on
an idle host but only 35-100 MiB/s while TCG guests keep both cores busy:
1. leave --leave_mib + --boot_mib available (start it before the guests
   boot), write "stage1 ..." to --ready_file and wait for SIGUSR1;
2. on SIGUSR1 (once the guests are up), allocate or free until --leave_mib
   is available, then write "held_mib=N available_mib=M" to --ready_file.
"""
import argparse
import mmap
import signal
import sys
import time

# Allocation step: small enough to land within a step of the target, large
# enough that reaching ~18 GiB takes ~150 steps.
STEP_MIB = 128
MIB = 1 << 20


def mem_available_mib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    raise RuntimeError("no MemAvailable in /proc/meminfo")


def backed(mib):
    # MAP_POPULATE on a private writable mapping write-faults every page:
    # really backed (not the shared zero page), done in the kernel.
    return mmap.mmap(-1, mib * MIB,
                     flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS |
                     mmap.MAP_POPULATE)


def hold_down_to(held, leave_mib):
    """Allocates (or frees) whole steps until leave_mib is available."""
    while mem_available_mib() - STEP_MIB > leave_mib:
        held.append((STEP_MIB, backed(STEP_MIB)))
    while held and mem_available_mib() < leave_mib:
        held.pop()[1].close()
    rest = mem_available_mib() - leave_mib
    if rest > 0:
        held.append((rest, backed(rest)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--leave_mib", type=int, required=True)
    p.add_argument("--boot_mib", type=int, default=0)
    p.add_argument("--ready_file", required=True)
    p.add_argument("--oom_score_adj", type=int, default=300)
    a = p.parse_args()
    with open("/proc/self/oom_score_adj", "w") as f:
        f.write(str(a.oom_score_adj))
    go = []
    signal.signal(signal.SIGUSR1, lambda *_: go.append(1))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    held = []
    hold_down_to(held, a.leave_mib + a.boot_mib)
    with open(a.ready_file, "w") as f:
        f.write(f"stage1 available_mib={mem_available_mib()}\n")
    while not go:
        time.sleep(0.1)
    hold_down_to(held, a.leave_mib)
    with open(a.ready_file, "w") as f:
        f.write(f"held_mib={sum(m for m, _ in held)} "
                f"available_mib={mem_available_mib()}\n")
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
