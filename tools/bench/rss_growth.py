#!/usr/bin/env python3
"""RSS of vmbalanced over a long simulated run, steady and with churn, side
by side in one run (the runs go in parallel, so they share one moment of
the machine).

Runs BINARY --simulate=SCENARIO --ticks=TICKS --quiet 1 for each scenario
at once (virtual time) and reads each process's VmRSS every 0.1 s (see
rss_churn.py). The scenarios (make_scale_scenarios.py) turn the referee's
per-tick records off ("tick_records": false), so what grows is the
controller's own state, not the simulator's record of the run. Warm-up is
the first tenth of a run's wall time (about TICKS/10 ticks: the first
decisions, the first replacements and restarts); growth is the last reading
minus the one at warm-up.

Prints a Markdown table and writes the readings as JSON to --json=PATH.

  rss_growth.py [--json=PATH] [--with_records] BINARY SCENARIO_DIR TICKS

--with_records adds the restart run with the referee's records on (the
simulator's default), to show what the records alone cost.
"""
import concurrent.futures
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rss_churn  # noqa: E402

RUNS = [
    ("rss_steady_1000x2", "steady: 1000 guests, nobody restarts"),
    ("rss_restart_1000x2", "restart churn: 5 reboots a tick (new id, same "
     "UUID), 100 leave, 100 arrive"),
    ("rss_replace_1000x2", "replace churn: one guest a tick destroyed and "
     "a new one (new name, UUID) created"),
]


def with_records(scenario_dir):
  """The restart scenario with the records on, written beside the others."""
  with open(f"{scenario_dir}/rss_restart_1000x2.json") as f:
    s = json.load(f)
  s["tick_records"] = True
  s["name"] = "rss_restart_records_1000x2"
  path = f"{scenario_dir}/{s['name']}.json"
  with open(path, "w") as f:
    json.dump(s, f, separators=(",", ":"))
  return s["name"], "restart churn, referee's per-tick records ON"


def main():
  args = [a for a in sys.argv[1:] if not a.startswith("--")]
  flags = [a for a in sys.argv[1:] if a.startswith("--")]
  binary, scenario_dir, ticks = args[0], args[1], int(args[2])
  json_path = next((f.split("=", 1)[1] for f in flags
                    if f.startswith("--json=")), None)
  runs = list(RUNS)
  if "--with_records" in flags:
    runs.append(with_records(scenario_dir))
  with concurrent.futures.ThreadPoolExecutor(len(runs)) as pool:
    futures = [
        pool.submit(rss_churn.measure, binary,
                    f"{scenario_dir}/{name}.json", ticks)
        for name, _ in runs
    ]
    results = {name: f.result() for (name, _), f in zip(runs, futures)}
  print(f"\nvmbalanced RSS (MiB) over {ticks} simulated ticks, "
        "1000 two-vCPU guests, runs in parallel")
  print("| run | after warm-up | half-way | end | peak | growth |")
  print("| --- | ---: | ---: | ---: | ---: | ---: |")
  for name, label in runs:
    r = results[name]
    print(f"| {label} | {r['rss_start_mib']} | {r['rss_half_mib']} | "
          f"{r['rss_end_mib']} | {r['rss_peak_mib']} | "
          f"{r['growth_mib']:+.1f} |")
  if json_path:
    with open(json_path, "w") as f:
      json.dump(results, f, indent=1)


if __name__ == "__main__":
  main()
