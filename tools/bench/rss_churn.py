#!/usr/bin/env python3
"""Resident memory of vmbalanced over a long simulated run (virtual time).

Runs BINARY --simulate=SCENARIO --ticks=TICKS --quiet 1 and reads the
process's VmRSS every 0.1 s. Prints one JSON object: RSS (MiB) once a tenth
of the run's time has passed (start), at half time, the last reading
(end), the peak (VmHWM), growth = end - start, and the run's seconds.

  rss_churn.py BINARY SCENARIO TICKS

measure() is shared with rss_growth.py.
"""
import json
import subprocess
import sys
import time


def status_kib(pid, key):
  try:
    with open(f"/proc/{pid}/status") as f:
      for line in f:
        if line.startswith(key + ":"):
          return int(line.split()[1])
  except FileNotFoundError:
    pass
  return None


def measure(binary, scenario, ticks):
  """Runs one simulation to its end; its RSS readings as a dict."""
  started = time.time()
  process = subprocess.Popen(
      [binary, f"--simulate={scenario}", f"--ticks={ticks}", "--quiet", "1"],
      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
  readings = []  # (seconds since start, VmRSS KiB)
  peak = 0
  while process.poll() is None:
    rss = status_kib(process.pid, "VmRSS")
    hwm = status_kib(process.pid, "VmHWM")
    if rss is not None:
      readings.append((time.time() - started, rss))
      peak = max(peak, hwm or 0)
    time.sleep(0.1)
  if process.returncode != 0 or len(readings) < 10:
    raise SystemExit(f"{scenario}: run failed: exit {process.returncode}")
  total = readings[-1][0]

  def at(fraction):
    return next(r for t, r in readings if t >= fraction * total) / 1024

  result = {
      "ticks": ticks,
      "seconds": round(time.time() - started, 1),
      "rss_start_mib": round(at(0.1), 1),
      "rss_half_mib": round(at(0.5), 1),
      "rss_end_mib": round(readings[-1][1] / 1024, 1),
      "rss_peak_mib": round(peak / 1024, 1),
  }
  result["growth_mib"] = round(result["rss_end_mib"] - result["rss_start_mib"],
                               1)
  return result


def main():
  print(json.dumps(measure(sys.argv[1], sys.argv[2], int(sys.argv[3]))))


if __name__ == "__main__":
  main()
