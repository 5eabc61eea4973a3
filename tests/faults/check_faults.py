#!/usr/bin/env python3
"""The fault suite's verdicts, judged from what a user sees: the /metrics
scrapes poll_metrics.py recorded (with the guests' vCPU affinity from /proc),
the times the suite injected each fault (an events file: "NAME UNIX_TIME" per
line) and the controller's timestamped log.

  check_faults.py hung POLLS EVENTS LOG --stopped G --others A,B,...
      one guest's QEMU stopped between events `stop` and `cont`
  check_faults.py job POLLS EVENTS LOG --held G --others A,B,...
      G's domain job held by another client between events `job` and
      `cont` (released, the job's holder done, at `released`)
  check_faults.py restart POLLS EVENTS --guests A,B,...
      libvirtd killed at events `kill1..N`, answering again at `up1..N`

Prints one line per assertion (PASS/FAIL ...), exits 1 when any failed.
"""
import argparse
import json
import re
import sys

VCPU_TIME = "libvirt_domain_vcpu_time_seconds_total"
PIN_CHANGES = "vmbalance_vcpu_pin_changes_total"
READ_TIMEOUTS = "vmbalance_domain_read_timeouts_total"
READABLE = "vmbalance_domain_readable"
# A log line that says a guest could not be read in time.
UNREADABLE_WORDS = re.compile(
    r"time[ds]? ?out|deadline|unreadable|not read in time|did not answer|"
    r"not respond|hung|missed", re.I)


def load_polls(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def load_events(path):
    events = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                events[parts[0]] = float(parts[1])
    return events


def domain_of(series):
    m = re.search(r'domain="([^"]*)"', series)
    return m.group(1) if m else None


def domain_value(poll, metric, guest):
    """Sum of METRIC over GUEST's series in one scrape; None when absent."""
    values = [v for s, v in poll["samples"].items()
              if s.startswith(metric + "{") and domain_of(s) == guest]
    return sum(values) if values else None


def scalar(poll, metric):
    for s, v in poll["samples"].items():
        if s == metric or s.startswith(metric + "{"):
            return v
    return None


def longest_stall(polls, guest, start, end):
    """(seconds, from, to): the longest time within [start, end] during which
    no scrape showed GUEST's vCPU time move (a failed scrape or a missing
    value does not move it)."""
    prev = None
    points = [start]
    for p in polls:
        v = domain_value(p, VCPU_TIME, guest) if p["ok"] else None
        if start <= p["t"] <= end and v is not None and prev is not None \
                and v != prev:
            points.append(p["t"])
        if v is not None:
            prev = v
        if p["t"] > end:
            break
    points.append(end)
    gaps = [(b - a, a, b) for a, b in zip(points, points[1:])]
    return max(gaps)


class Verdict:
    def __init__(self):
        self.failed = 0

    def check(self, ok, what):
        print(("PASS " if ok else "FAIL ") + what)
        if not ok:
            self.failed += 1
        return ok


def check_stalls(v, polls, guests, start, end, max_stall_s, when):
    for g in guests:
        gap, a, b = longest_stall(polls, g, start, end)
        v.check(gap <= max_stall_s,
                f"{when}: {g}'s {VCPU_TIME} never still for more than "
                f"{max_stall_s:g} s (longest {gap:.1f} s, at +{a - start:.1f}"
                f"..+{b - start:.1f} s)")


def log_lines(path, start, end):
    """The log's lines stamped (timestamp_lines.py) within [start, end]."""
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            stamp, _, rest = line.partition(" ")
            try:
                t = float(stamp)
            except ValueError:
                continue
            if start <= t <= end:
                out.append(rest.rstrip("\n"))
    return out


def stopped_guest_reported(polls, log, guest, start, end):
    """How the stopped guest was reported as unreadable, or None."""
    before = None
    for p in polls:
        if p["t"] > end:
            break
        n = domain_value(p, READ_TIMEOUTS, guest)
        if p["t"] < start:
            before = n if n is not None else before
        elif n is not None and n > (before or 0):
            return f"{READ_TIMEOUTS} for it rose to {n:g}"
        r = domain_value(p, READABLE, guest)
        if start <= p["t"] and r == 0:
            return f"{READABLE} 0 for it"
    for line in log_lines(log, start, end):
        if guest in line and UNREADABLE_WORDS.search(line):
            return "the controller's log: " + line.strip()[:160]
    return None


def affinities(polls, guest, start, end):
    return [p["aff"].get(guest) for p in polls
            if start <= p["t"] <= end and p.get("aff")]


def scheduler_acted(v, a, polls, log, others, start, end):
    """The scheduler changed the others' pins within [start, end]."""
    if a.dry_run:
        planned = [l for l in log_lines(log, start, end)
                   if re.search(r"^\s*pin (%s) vcpu" % "|".join(others), l)]
        v.check(bool(planned),
                f"the scheduler decided pins for the other guests while one "
                f"was stopped (dry run: {len(planned)} planned pin line(s))")
        return
    moved = sorted({g for g in others for aff in affinities(polls, g, start, end)
                    if aff and aff != "0"})
    v.check(bool(moved),
            "the scheduler moved another guest off pCPU 0 while one was "
            f"stopped (seen in /proc: {', '.join(moved) or 'none moved'})")
    counts = [scalar(p, PIN_CHANGES) for p in polls
              if start <= p["t"] <= end and p["ok"]]
    counts = [c for c in counts if c is not None]
    v.check(len(counts) >= 2 and counts[-1] > counts[0],
            f"{PIN_CHANGES} rose while the guest was stopped "
            f"({counts[0] if counts else '?'} -> "
            f"{counts[-1] if counts else '?'})")


def resumed(v, polls, guests, after, within_s):
    for g in guests:
        before = [domain_value(p, VCPU_TIME, g) for p in polls
                  if p["t"] <= after and p["ok"]]
        before = max([x for x in before if x is not None], default=None)
        later = [p["t"] - after for p in polls
                 if after < p["t"] <= after + within_s and p["ok"]
                 and (domain_value(p, VCPU_TIME, g) or 0) > (before or 0)]
        v.check(bool(later),
                f"after SIGCONT {g}'s {VCPU_TIME} advanced within "
                f"{within_s:g} s ({'after %.1f s' % later[0] if later else 'never'})")


def cmd_hung(a):
    polls, ev, v = load_polls(a.polls), load_events(a.events), Verdict()
    others = a.others.split(",")
    t0, t1 = ev["stop"], ev["cont"]
    base = ev.get("baseline", t0 - 8)
    check_stalls(v, polls, others, base, t0, a.max_stall_s,
                 "BASELINE (before any fault; a failure here means the host "
                 "is too busy for this test)")
    during = [p for p in polls if t0 <= p["t"] <= t1]
    bad = [p for p in during if not p["ok"]]
    v.check(during and not bad,
            f"every scrape while {a.stopped} was stopped answered "
            f"({len(during) - len(bad)}/{len(during)}"
            f"{'; ' + bad[0].get('error', '') if bad else ''})")
    check_stalls(v, polls, others, t0, t1, a.max_stall_s,
                 f"while {a.stopped} was stopped")
    how = stopped_guest_reported(polls, a.log, a.stopped, t0, t1 + 3)
    how = how or f"no {READ_TIMEOUTS}/{READABLE} for it, no log line naming it"
    v.check(not how.startswith("no "),
            f"{a.stopped} reported as unreadable while stopped ({how})")
    affs = [x for x in affinities(polls, a.stopped, t0, t1) if x is not None]
    v.check(len(set(affs)) <= 1,
            f"{a.stopped}'s vCPU affinity unchanged while stopped "
            f"(seen: {' -> '.join(dict.fromkeys(affs)) or 'none'})")
    scheduler_acted(v, a, polls, a.log, others, ev.get("repinned", t0), t1)
    resumed(v, polls, others + [a.stopped], t1, a.resume_s)
    return 1 if v.failed else 0


def readable_again(v, polls, guest, after, within_s):
    """GUEST readable in every scrape from some point within WITHIN_S of
    AFTER to the last: nothing of vmbalance's left hung on it."""
    later = [p for p in polls if p["t"] > after and p["ok"]]
    values = [(p["t"], domain_value(p, READABLE, guest)) for p in later]
    since = None
    for t, r in values:
        if r == 1:
            since = t if since is None else since
        else:
            since = None
    v.check(since is not None and since - after <= within_s,
            f"{guest} readable ({READABLE} 1) from within {within_s:g} s of "
            f"the release to the end"
            f" ({'from %.1f s' % (since - after) if since else 'not so'};"
            f" last {values[-1][1] if values else 'no scrape'})")


def why_bad(poll):
    if not poll["ok"]:
        return poll.get("error", "scrape failed")
    return f"libvirt_up {scalar(poll, 'libvirt_up')}"


def cmd_job(a):
    polls, ev, v = load_polls(a.polls), load_events(a.events), Verdict()
    others = a.others.split(",")
    t0, t1, done = ev["job"], ev["cont"], ev.get("released", ev["cont"])
    base = ev.get("baseline", t0 - 6)
    check_stalls(v, polls, others, base, ev["stop"], a.max_stall_s,
                 "BASELINE (before any fault; a failure here means the host "
                 "is too busy for this test)")
    during = [p for p in polls if t0 <= p["t"] <= t1]
    bad = [p for p in during if not p["ok"] or scalar(p, "libvirt_up") != 1]
    v.check(during and not bad,
            f"every scrape while {a.held}'s job was held answered with "
            f"libvirt_up 1 ({len(during) - len(bad)}/{len(during)}"
            f"{'; ' + why_bad(bad[0]) if bad else ''})")
    check_stalls(v, polls, others, t0, t1, a.max_stall_s,
                 f"while {a.held}'s job was held")
    how = stopped_guest_reported(polls, a.log, a.held, t0, t1 + 3)
    how = how or f"no {READ_TIMEOUTS}/{READABLE} for it, no log line naming it"
    v.check(not how.startswith("no "),
            f"{a.held} reported as unreadable while its job was held ({how})")
    affs = [x for x in affinities(polls, a.held, t0, t1) if x is not None]
    v.check(len(set(affs)) <= 1,
            f"{a.held}'s vCPU affinity unchanged while its job was held "
            f"(seen: {' -> '.join(dict.fromkeys(affs)) or 'none'})")
    scheduler_acted(v, a, polls, a.log, others, ev.get("repinned", t0), t1)
    resumed(v, polls, others + [a.held], done, a.resume_s)
    readable_again(v, polls, a.held, done, a.resume_s)
    return 1 if v.failed else 0


def cmd_restart(a):
    polls, ev, v = load_polls(a.polls), load_events(a.events), Verdict()
    guests = a.guests.split(",")
    n = 1
    while f"kill{n}" in ev:
        kill, up = ev[f"kill{n}"], ev[f"up{n}"]
        window = [p for p in polls
                  if kill <= p["t"] <= up + a.recover_s and p["ok"]]
        down_at = next((p["t"] for p in window
                        if scalar(p, "libvirt_up") == 0), None)
        v.check(down_at is not None,
                f"restart {n}: libvirt_up went 0 after the kill"
                f"{' (%.1f s after it)' % (down_at - kill) if down_at else ''}")
        # Advancing = beyond anything seen until libvirt_up read 0.
        until = down_at if down_at is not None else kill
        before = {g: max([x for x in (domain_value(p, VCPU_TIME, g)
                                      for p in polls
                                      if p["t"] <= until and p["ok"])
                          if x is not None], default=0) for g in guests}
        back = None
        for p in window:
            if down_at is None or p["t"] <= down_at:
                continue
            if scalar(p, "libvirt_up") == 1 and all(
                    (domain_value(p, VCPU_TIME, g) or 0) > before[g]
                    for g in guests):
                back = p["t"]
                break
        v.check(back is not None,
                f"restart {n}: libvirt_up 1 and every guest's {VCPU_TIME} "
                f"advanced within {a.recover_s:g} s of libvirtd answering"
                f" ({'%.1f s' % (back - up) if back else 'not seen'};"
                f" libvirtd was down {up - kill:.1f} s)")
        n += 1
    v.check(n > 1, f"{n - 1} libvirtd restart(s) found in the events")
    return 1 if v.failed else 0


def main(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    h = sub.add_parser("hung")
    h.add_argument("polls")
    h.add_argument("events")
    h.add_argument("log")
    h.add_argument("--stopped", required=True)
    h.add_argument("--others", required=True)
    h.add_argument("--max_stall_s", type=float, default=3.5)
    h.add_argument("--resume_s", type=float, default=10)
    h.add_argument("--dry_run", action="store_true",
                   help="the controller ran with --dry_run: judge its "
                   "decisions from the log instead of applied pins")
    j = sub.add_parser("job")
    j.add_argument("polls")
    j.add_argument("events")
    j.add_argument("log")
    j.add_argument("--held", required=True)
    j.add_argument("--others", required=True)
    j.add_argument("--max_stall_s", type=float, default=3.5)
    j.add_argument("--resume_s", type=float, default=8)
    j.add_argument("--dry_run", action="store_true",
                   help="the controller ran with --dry_run (see hung)")
    r = sub.add_parser("restart")
    r.add_argument("polls")
    r.add_argument("events")
    r.add_argument("--guests", required=True)
    r.add_argument("--recover_s", type=float, default=5)
    a = p.parse_args(argv)
    return {"hung": cmd_hung, "job": cmd_job, "restart": cmd_restart}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
