#!/usr/bin/env python3
"""Times /metrics of one vmbalanced binary serving a simulated host.

Starts BINARY --simulate=SCENARIO --sim_realtime --listen=127.0.0.1:0 with
one snapshot every INTERVAL seconds, waits for the guests' series, then
measures over loopback HTTP:
  scrape_ms, scrape_gzip_ms   median (and max) of N sequential scrapes, as
                              curl times them;
  storm_ok, storm_s           200 scrapes, 50 at a time: how many succeeded;
  cpu_ms_0, cpu_ms_1,         process CPU per interval (the tick's own work
  cpu_ms_10                   included) with no scraper (after the first
                              scrapes), one gzip scraper, and ten at once,
                              each scraping once per interval;
  rss_mib                     the process's resident memory at the end.
Prints one JSON object.

  scrape_bench.py BINARY SCENARIO [--interval S] [--n N]
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time


def fetch(port, gzip=False):
  conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
  headers = {"Accept-Encoding": "gzip"} if gzip else {}
  conn.request("GET", "/metrics", headers=headers)
  response = conn.getresponse()
  body = response.read()
  conn.close()
  return response.status, body


def timed(port, gzip=False):
  start = time.perf_counter()
  status, body = fetch(port, gzip)
  return (time.perf_counter() - start) * 1000, status, len(body)


def curl_timed(port, gzip=False):
  """As timed(), by curl when there is one: a C client, so the figure is
  the server's and the loopback's rather than Python's reading 3 MB."""
  if not shutil.which("curl"):
    return timed(port, gzip)
  command = ["curl", "-s", "-o", "/dev/null", "-w",
             "%{time_total} %{http_code} %{size_download}"]
  if gzip:
    command += ["-H", "Accept-Encoding: gzip"]
  result = subprocess.run(command + [f"http://127.0.0.1:{port}/metrics"],
                          capture_output=True, text=True, check=True)
  seconds, code, size = result.stdout.split()
  return float(seconds) * 1000, int(code), int(size)


def cpu_seconds(pid):
  with open(f"/proc/{pid}/stat") as f:
    fields = f.read().rsplit(")", 1)[1].split()
  return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid):
  with open(f"/proc/{pid}/status") as f:
    for line in f:
      if line.startswith("VmRSS:"):
        return int(line.split()[1]) / 1024
  return 0


def start(binary, scenario, interval):
  log = open(os.devnull, "w")
  process = subprocess.Popen(
      [binary, f"--simulate={scenario}", "--sim_realtime", "--quiet",
       "--listen=127.0.0.1:0", "--ticks=1000000", str(interval)],
      stdout=log, stderr=subprocess.PIPE, text=True)
  for line in process.stderr:
    match = re.search(r"serving /metrics on port (\d+)", line)
    if match:
      threading.Thread(target=lambda: [None for _ in process.stderr],
                       daemon=True).start()  # keep draining the log
      return process, int(match.group(1))
  raise SystemExit(f"{binary} did not serve /metrics")


def wait_for_guests(port, interval):
  deadline = time.time() + 60
  while time.time() < deadline:
    status, body = fetch(port)
    if status == 200 and b"vmbalance_vcpu_demand_ratio{" in body:
      time.sleep(interval)  # a few snapshots in, rates and decisions made
      return
    time.sleep(0.2)
  raise SystemExit("no guest series within 60 s")


def cpu_per_interval(pid, port, interval, scrapers, intervals):
  """Process CPU (ms) per interval while `scrapers` scrape once each."""
  before = cpu_seconds(pid)
  with concurrent.futures.ThreadPoolExecutor(max(scrapers, 1)) as pool:
    for _ in range(intervals):
      tick = time.time()
      list(pool.map(lambda _: fetch(port, gzip=True), range(scrapers)))
      time.sleep(max(0, interval - (time.time() - tick)))
  return (cpu_seconds(pid) - before) * 1000 / intervals


def measure(port, pid, interval, n):
  out = {}
  plain = [curl_timed(port) for _ in range(n)]
  gz = [curl_timed(port, gzip=True) for _ in range(n)]
  out["scrape_ms"] = statistics.median(t for t, _, _ in plain)
  out["scrape_max_ms"] = max(t for t, _, _ in plain)
  out["scrape_gzip_ms"] = statistics.median(t for t, _, _ in gz)
  out["bytes"] = plain[-1][2]
  out["gzip_bytes"] = gz[-1][2]
  start_storm = time.perf_counter()
  with concurrent.futures.ThreadPoolExecutor(50) as pool:
    storm = list(pool.map(lambda _: timed(port, gzip=True), range(200)))
  out["storm_s"] = time.perf_counter() - start_storm
  out["storm_ok"] = sum(1 for _, status, _ in storm if status == 200)
  intervals = 5
  for scrapers in (0, 1, 10):
    out[f"cpu_ms_{scrapers}"] = cpu_per_interval(pid, port, interval, scrapers,
                                                 intervals)
  out["rss_mib"] = rss_mib(pid)
  return out


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument("binary")
  parser.add_argument("scenario")
  parser.add_argument("--interval", type=float, default=2)
  parser.add_argument("--n", type=int, default=21)
  args = parser.parse_args()
  process, port = start(args.binary, args.scenario, args.interval)
  try:
    wait_for_guests(port, args.interval)
    print(json.dumps(measure(port, process.pid, args.interval, args.n)))
  finally:
    process.terminate()
    process.wait(timeout=30)


if __name__ == "__main__":
  sys.exit(main())
