#!/usr/bin/env python3
"""Records one scheduler run for the README picture. Runs under
run_prometheus.sh (PROMETHEUS_URL set), whose configuration scrapes
127.0.0.1:PORT as job vmbalance for --instance: the scheduler runs with
--dry_run for --dry-seconds (deciding, not pinning), is restarted on the same
port acting for --act-seconds, and the std-dev and mean of pCPU load Prometheus
scraped meanwhile are plotted (plot_range.py) with the switch marked.

  stddev_plot_run.py --port P --instance I --out PNG [--title T] \
      -- BINARY --simulate=... --sim_realtime ... INTERVAL
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot_range  # noqa: E402
from binary_process import BinaryProcess  # noqa: E402
from check_live import Prometheus  # noqa: E402


def wait_for(prom, expr, timeout=30):
  deadline = time.monotonic() + timeout
  while time.monotonic() < deadline:
    if prom.query(expr)[0]:
      return True
    time.sleep(0.5)
  raise SystemExit("FAIL: no data for %s within %gs" % (expr, timeout))


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument("--port", type=int, required=True)
  parser.add_argument("--instance", required=True)
  parser.add_argument("--out", required=True)
  parser.add_argument("--title", default="")
  parser.add_argument("--dry-seconds", type=float, default=30)
  parser.add_argument("--act-seconds", type=float, default=40)
  parser.add_argument("command", nargs="+")
  args = parser.parse_args()
  prom = Prometheus(os.environ["PROMETHEUS_URL"])
  selector = '{instance="%s"}' % args.instance

  with BinaryProcess(args.command + ["--dry_run"], args.port, "dry_run") as b:
    if b.wait_for_metrics() is None:
      return 1
    wait_for(prom, "vmbalance_dry_run%s == 1" % selector)
    start = time.time()
    # A recording, not a test: the phases last as long as the picture needs.
    time.sleep(args.dry_seconds)
  switch = time.time()
  with BinaryProcess(args.command, args.port, "acting") as b:
    if b.wait_for_metrics() is None:
      return 1
    wait_for(prom, "vmbalance_dry_run%s == 0" % selector)
    time.sleep(args.act_seconds)
    end = time.time()
  return plot_range.main([
      "--url", prom.url, "--start", str(start - 2), "--end", str(end),
      "--out", args.out, "--title", args.title,
      "--ylabel", "pCPU load (1 = one pCPU busy)",
      "--query", "vmbalance_pcpu_load_stddev_ratio" + selector,
      "--legend", "std-dev of pCPU load",
      "--query", "vmbalance_pcpu_load_mean_ratio" + selector,
      "--legend", "mean pCPU load",
      "--query", "0.05 * vmbalance_pcpu_load_mean_ratio" + selector,
      "--legend", "5% of the mean (bound)",
      "--mark", "%f=scheduler restarted without --dry_run" % switch])


if __name__ == "__main__":
  sys.exit(main())
