#!/usr/bin/env python3
"""Runs under run_prometheus.sh (PROMETHEUS_URL set), whose configuration
already scrapes 127.0.0.1:PORT as job vmbalance for --instance. Waits until
Prometheus has tried that port (so it sees the binary from its first tick),
starts the binary there, then checks:
  1. a real scrape passes `promtool check metrics` and matches the contract
     both ways for the binary's owners (polled: some families appear only
     after the first decisions);
  2. check_live.py: every rule and dashboard query is accepted, those
     expected to return data do, no host series is stored twice, and the
     expected alerts fire.

  binary_live_check.py --port P --instance I --owners exporter,vcpu \
      [--expect-alerts A,B] [--tolerate-alerts C] [--may-lack M,N] \
      -- BINARY [ARGS...]
"""

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_live  # noqa: E402
import contract_check  # noqa: E402
from binary_process import BinaryProcess  # noqa: E402


def promtool_check_metrics(text):
  promtool = os.environ.get("PROMTOOL", "/usr/bin/promtool")
  run = subprocess.run([promtool, "check", "metrics"], input=text, text=True,
                       capture_output=True)
  out = (run.stdout + run.stderr).strip()
  return run.returncode == 0, out


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument("--port", type=int, required=True)
  parser.add_argument("--instance", required=True)
  parser.add_argument("--owners", required=True)
  parser.add_argument("--expect-alerts", default="")
  parser.add_argument("--tolerate-alerts", default="")
  parser.add_argument("--may-lack", default="",
                      help="contract metrics this host cannot provide")
  parser.add_argument("--timeout", type=float, default=60)
  parser.add_argument("command", nargs="+")
  args = parser.parse_args()
  prom = check_live.Prometheus(os.environ["PROMETHEUS_URL"])
  owners = tuple(args.owners.split(","))
  may_lack = set(filter(None, args.may_lack.split(",")))
  up = 'up{instance="%s",job="vmbalance"}' % args.instance

  deadline = time.monotonic() + 15
  while not prom.query(up + " == 0")[0] and time.monotonic() < deadline:
    time.sleep(0.2)
  if not prom.query(up)[0]:
    print("FAIL: Prometheus never tried 127.0.0.1:%d" % args.port)
    return 1

  binary = BinaryProcess(args.command, args.port,
                         os.path.basename(args.command[0]))
  with binary:
    text = binary.wait_for_metrics()
    if text is None:
      return 1
    deadline = time.monotonic() + 15
    while True:
      problems = contract_check.compare(text, owners, may_lack=may_lack)
      if not problems or time.monotonic() > deadline:
        break
      time.sleep(0.5)
      text = binary.scrape() or ""
    clean, lint = promtool_check_metrics(text)
    if not clean:
      problems.append("promtool check metrics: " + lint)
    for p in problems:
      print("FAIL /metrics:", p)
    print("/metrics of %s: %d families, %d problems"
          % (os.path.basename(args.command[0]),
             len(contract_check.exported_types(text)), len(problems)))

    live = check_live.main([
        "--instance", args.instance, "--timeout", str(args.timeout),
        "--wait-for", up + " == 1", "--require-data", "--no-duplicates",
        "--expect-alerts", args.expect_alerts,
        "--tolerate-alerts", args.tolerate_alerts, "--alerts-stable", "5"])
    if problems or live:
      binary.print_log("the checks failed")
    return 1 if problems or live else 0


if __name__ == "__main__":
  sys.exit(main())
