#!/usr/bin/env python3
"""Scrapes a /metrics URL every PERIOD seconds until SIGTERM and appends one
JSON line per scrape: what a user's Prometheus would have seen, plus the
guests' vCPU affinity read from /proc (independent of libvirt, so it answers
even when a guest's QEMU or libvirtd does not).

Line: {"t": unix time, "ok": bool, "ms": scrape latency, "error": str,
       "samples": {"name{labels}": value, ...} (only --metric families),
       "aff": {"guest": "cpus of its vCPU threads", ...}}
"""
import argparse
import json
import os
import signal
import sys
import time
import urllib.request


def parse_exposition(text, wanted):
    """{series: value} for the sample lines whose metric name is in wanted."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name = line.split("{", 1)[0].split(" ", 1)[0]
        if name not in wanted:
            continue
        series, _, value = line.rpartition(" ")
        try:
            out[series] = float(value)
        except ValueError:
            pass
    return out


def vcpu_affinity(pid):
    """Cpus_allowed_list of a QEMU's vCPU threads ("CPU n/..."), joined by
    '|', or None when the process is gone."""
    lists = []
    try:
        tasks = sorted(os.listdir(f"/proc/{pid}/task"), key=int)
        for tid in tasks:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                if not f.read().startswith("CPU "):
                    continue
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith("Cpus_allowed_list:"):
                        lists.append(line.split(":", 1)[1].strip())
    except OSError:
        return None
    return "|".join(lists)


def qemu_pid(name):
    try:
        with open(f"/run/libvirt/qemu/{name}.pid") as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("url")
    p.add_argument("out", help="JSON lines file to append to")
    p.add_argument("--period", type=float, default=0.5)
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--metric", action="append", default=[])
    p.add_argument("--guest", action="append", default=[],
                   help="guest whose vCPU affinity to record from /proc")
    args = p.parse_args()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    wanted = set(args.metric)
    with open(args.out, "a") as out:
        while not stop:
            start = time.time()
            rec = {"t": start, "ok": False, "samples": {}}
            try:
                with urllib.request.urlopen(args.url,
                                            timeout=args.timeout) as r:
                    body = r.read().decode()
                rec["ok"] = r.status == 200
                rec["samples"] = parse_exposition(body, wanted)
            except Exception as e:  # any failure is a data point
                rec["error"] = str(e)
            rec["ms"] = round((time.time() - start) * 1000, 1)
            if args.guest:
                rec["aff"] = {}
                for g in args.guest:
                    pid = qemu_pid(g)
                    rec["aff"][g] = vcpu_affinity(pid) if pid else None
            out.write(json.dumps(rec) + "\n")
            out.flush()
            time.sleep(max(0.0, args.period - (time.time() - start)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
