#!/usr/bin/env python3
"""Writes the simulator scenarios tools/bench.sh uses for scale figures.

  scale_1000x2.json  1000 two-vCPU guests on 64 pCPUs, loads 0.05-0.5 per
                     vCPU, 512 MiB each: the /metrics and RSS benchmark.
  churn_1000x2.json  the same guests restarting with a new id every 200
                     ticks (5 per tick, staggered) up to tick 10,000, and
                     100 of them stopping and 100 others starting late: the
                     memory-growth run (no per-guest state may outlive it).

Only fields the simulator has read since before issue 13 are used, so the
old code in a side-by-side run reads the same files.

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


def main():
  out = sys.argv[1] if len(sys.argv) > 1 else "."
  for s in (scale(), churn()):
    with open(f"{out}/{s['name']}.json", "w") as f:
      json.dump(s, f, separators=(",", ":"))
      f.write("\n")


if __name__ == "__main__":
  main()
