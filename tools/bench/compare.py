#!/usr/bin/env python3
"""Prints the side-by-side table of tools/bench.sh: case | old | new | ratio.

Reads OUT_DIR/{old,new}/*.json as bench.sh wrote them: Google Benchmark
results (derive, vcpu, memory: CPU time per iteration, matched by benchmark
name; a case only one side has shows "-"), scrape.json (scrape_bench.py)
sample.json (sample_cost.py) and, if present, new/rss.json
(rss_growth.py). Ratio is old / new: above 1
the new code is faster (or smaller).

  compare.py OUT_DIR OLD_REV
"""
import json
import os
import sys

UNIT_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
BENCHMARKS = [("derive", "sample -> derive -> metrics"),
              ("vcpu", "vCPU decision"), ("memory", "memory decision")]


def load(path):
  if not os.path.exists(path):
    return None
  with open(path) as f:
    return json.load(f)


def benchmark_ms(result):
  if result is None:
    return {}
  out = {}
  for b in result.get("benchmarks", []):
    if b.get("run_type", "iteration") != "iteration":
      continue
    out[b["name"]] = b["cpu_time"] * UNIT_MS[b.get("time_unit", "ns")]
  return out


def fmt(value, unit):
  if value is None:
    return "-"
  if unit == "ms" and value < 1:
    return f"{value:.3f} ms"
  if unit == "s":
    return f"{value:.2f} s"
  if unit in ("ms", "MiB"):
    return f"{value:.1f} {unit}"
  return f"{value:.0f}{unit}" if unit else f"{value:g}"


def ratio(old, new):
  if old is None or new is None or new <= 0:
    return "-"
  return f"{old / new:.1f}x"


def row(case, old, new, unit="ms", show_ratio=True):
  r = ratio(old, new) if show_ratio else ""
  print(f"| {case} | {fmt(old, unit)} | {fmt(new, unit)} | {r} |")


def scrape_rows(old, new):
  old, new = old or {}, new or {}
  cases = [
      ("scrape_ms", "/metrics 1000x2 vCPUs, median of 21", "ms"),
      ("scrape_gzip_ms", "/metrics gzip, median of 21", "ms"),
      ("scrape_max_ms", "/metrics slowest of the 21 (renders)", "ms"),
      ("storm_s", "200 gzip scrapes, 50 at a time (wall)", "s"),
      ("cpu_ms_0", "process CPU per 2 s interval, none scraping "
       "(new: prerendering, scraped lately)", "ms"),
      ("cpu_ms_1", "process CPU per 2 s interval, 1 gzip scraper", "ms"),
      ("cpu_ms_10", "process CPU per 2 s interval, 10 gzip scrapers", "ms"),
      ("rss_mib", "RSS serving 1000 domains", "MiB"),
  ]
  for key, case, unit in cases:
    row(case, old.get(key), new.get(key), unit)
  print(f"| storm scrapes that succeeded | {old.get('storm_ok', '-')}/200 | "
        f"{new.get('storm_ok', '-')}/200 | |")


def sample_rows(old, new):
  old, new = old or {}, new or {}
  row("one sample, 1000 test-driver guests via libvirtd, median (wall)",
      old.get("sample_seconds_median"), new.get("sample_seconds_median"), "s")
  row("same, slowest sample of the run (wall)", old.get("sample_seconds_max"),
      new.get("sample_seconds_max"), "s")
  row("round trips to libvirtd per sample", old.get("rpcs_per_sample"),
      new.get("rpcs_per_sample"), "")


def main():
  out, rev = sys.argv[1], sys.argv[2]
  print(f"\n| case | old ({rev}) | new | ratio old/new |")
  print("|---|---|---|---|")
  for name, label in BENCHMARKS:
    old = benchmark_ms(load(f"{out}/old/{name}.json"))
    new = benchmark_ms(load(f"{out}/new/{name}.json"))
    for case in list(old) + [c for c in new if c not in old]:
      row(f"{label}: {case}", old.get(case), new.get(case))
  scrape_rows(load(f"{out}/old/scrape.json"), load(f"{out}/new/scrape.json"))
  sample_rows(load(f"{out}/old/sample.json"), load(f"{out}/new/sample.json"))
  rss = load(f"{out}/new/rss.json")
  for name, r in (rss or {}).items():
    label = f"RSS over {r['ticks']} ticks, {name} (new code)"
    print(f"| {label}: after warm-up / end / peak | | {r['rss_start_mib']} / "
          f"{r['rss_end_mib']} / {r['rss_peak_mib']} MiB | growth "
          f"{r['growth_mib']:+.1f} MiB |")

if __name__ == "__main__":
  main()
