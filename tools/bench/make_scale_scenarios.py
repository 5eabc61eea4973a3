#!/usr/bin/env python3
"""Writes the simulator scenarios tools/bench.sh uses for scale figures.

  scale_1000x2.json  1000 two-vCPU guests on 64 pCPUs, loads 0.05-0.5 per
                     vCPU, 512 MiB each: the /metrics and RSS benchmark.
  churn_1000x2.json  the same guests restarting with a new id every 200
                     ticks (5 per tick, staggered) up to tick 10,000, and
                     100 of them stopping and 100 others starting late: the
                     memory-growth run (no per-guest state may outlive it).

Only fields the simulator has read since before issue 13 are used in those
two, so the old code in a side-by-side run reads the same files. The RSS
runs (tools/bench/rss_growth.py, new code only) add "tick_records": false,
so the simulator's referee keeps no per-tick record and the process's
growth is the controller's own:

  rss_steady_1000x2.json   scale_1000x2, nobody restarts.
  rss_restart_1000x2.json  churn_1000x2: restarts keep name and UUID (a
                           reboot: a new id and qemu process).
  rss_replace_1000x2.json  1000 slots whose guest is destroyed and replaced
                           by a new one (new name and UUID) every 1000
                           ticks, one slot a tick: 9,000 guests come and go
                           in 10,000 ticks, so any state kept for a gone
                           guest grows with them.

  make_scale_scenarios.py OUT_DIR
"""
import json
import random
import sys

DOMAINS = 1000
VCPUS = 2
PCPUS = 64
MEMORY_MIB = 512
CHURN_TICKS = 10000
RESTART_EVERY = 200
REPLACE_EVERY = 1000


def domain(rng, i):
  return {
      "name": f"vm{i}",
      "vcpus": VCPUS,
      "memory_mib": MEMORY_MIB,
      "pin": [rng.randrange(PCPUS) for _ in range(VCPUS)],
      "cpu": [[[0, round(rng.uniform(0.05, 0.5), 3)]] for _ in range(VCPUS)],
  }


def scenario(name, description, domains):
  return {
      "name": name,
      "description": description,
      "pcpus": PCPUS,
      "host_memory_mib": DOMAINS * MEMORY_MIB * 2,
      "noise": 0.02,
      "seed": 13,
      "domains": domains,
  }


def scale():
  rng = random.Random(13)
  return scenario("scale_1000x2", "1000 two-vCPU guests on 64 pCPUs",
                  [domain(rng, i) for i in range(DOMAINS)])


def churn():
  rng = random.Random(14)
  domains = []
  for i in range(DOMAINS):
    d = domain(rng, i)
    first = 1 + i % RESTART_EVERY
    d["restart_at"] = list(range(first, CHURN_TICKS, RESTART_EVERY))
    if i % 10 == 1:  # 100 guests leave half-way
      d["stop"] = CHURN_TICKS // 2
      d["restart_at"] = [t for t in d["restart_at"] if t < d["stop"]]
    if i % 10 == 2:  # 100 guests arrive late
      d["start"] = CHURN_TICKS // 4
      d["restart_at"] = [t for t in d["restart_at"] if t > d["start"]]
    domains.append(d)
  return scenario(
      "churn_1000x2",
      f"1000 two-vCPU guests restarting with a new id every {RESTART_EVERY} "
      "ticks; 100 stop half-way, 100 start late", domains)


def replace():
  rng = random.Random(15)
  domains = []
  for slot in range(DOMAINS):
    generation = 0
    while generation * REPLACE_EVERY + slot < CHURN_TICKS:
      d = domain(rng, slot)
      d["name"] = f"vm{slot}g{generation}"
      if generation > 0:
        d["start"] = generation * REPLACE_EVERY + slot
      d["stop"] = (generation + 1) * REPLACE_EVERY + slot
      domains.append(d)
      generation += 1
  return scenario(
      "rss_replace_1000x2",
      f"1000 two-vCPU guests, each replaced by a new guest every "
      f"{REPLACE_EVERY} ticks, one a tick", domains)


def records_off(s, name):
  return dict(s, name=name, tick_records=False)


def main():
  out = sys.argv[1] if len(sys.argv) > 1 else "."
  rss = (records_off(scale(), "rss_steady_1000x2"),
         records_off(churn(), "rss_restart_1000x2"),
         records_off(replace(), "rss_replace_1000x2"))
  for s in (scale(), churn()) + rss:
    with open(f"{out}/{s['name']}.json", "w") as f:
      json.dump(s, f, separators=(",", ":"))
      f.write("\n")


if __name__ == "__main__":
  main()
