#!/usr/bin/env python3
"""The imbalance alert against the real scheduler, in two phases. Runs under
run_prometheus.sh (PROMETHEUS_URL set; alerts' for: shortened), whose
configuration scrapes 127.0.0.1:PORT as job vmbalance for --instance.

  1. The scheduler runs with --dry_run on an imbalanced scenario: it decides
     but never pins, so PCpuImbalance must fire (and no pin is counted).
  2. It is restarted on the same port without --dry_run: it must pin, the
     imbalance ratio must fall below 5% of the mean, and PCpuImbalance must
     stay clear (neither pending nor firing) for longer than its for:, with
     the ratio's series present throughout (so a missing series, e.g. during
     the restart, cannot pass for a cleared alert).

  imbalance_alert_check.py --port P --instance I --for-seconds 5 \
      -- BINARY --simulate=SCENARIO --sim_realtime [ARGS...] INTERVAL
Every wait is bounded polling; each phase prints how long it took.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from binary_process import BinaryProcess  # noqa: E402
from check_live import Prometheus  # noqa: E402

BOUND = 0.05  # the SPEC's std-dev / mean bound


class Phase:
  """Polls named conditions until all hold or the phase's deadline passes."""

  def __init__(self, prom, instance, timeout):
    self.prom = prom
    self.instance = instance
    self.deadline = time.monotonic() + timeout
    self.start = time.monotonic()

  def value(self, expr):
    """The single value of `expr` for the instance, or None."""
    result, err = self.prom.query(expr % {"i": self.instance})
    if err:
      raise SystemExit("FAIL: query %s rejected: %s" % (expr, err))
    return float(result[0]["value"][1]) if result else None

  def alert_states(self):
    result, _ = self.prom.query(
        'ALERTS{alertname="PCpuImbalance",instance="%s"}' % self.instance)
    return {r["metric"]["alertstate"] for r in result or []}

  def wait(self, what, condition):
    while time.monotonic() < self.deadline:
      if condition():
        print("  %s after %.1fs" % (what, time.monotonic() - self.start),
              flush=True)
        return True
      time.sleep(0.5)
    print("FAIL: not %s within the phase's time" % what, flush=True)
    return False


def phase_dry_run(prom, args, binary):
  print("phase 1: --dry_run on an imbalanced load", flush=True)
  phase = Phase(prom, args.instance, args.timeout)
  ratio = 'instance:vmbalance_pcpu_load_imbalance:ratio{instance="%(i)s"}'
  ok = (phase.wait("scraped in dry run", lambda: phase.value(
      'vmbalance_dry_run{instance="%(i)s"}') == 1)
        and phase.wait("imbalance above %g" % BOUND,
                       lambda: (phase.value(ratio) or 0) > BOUND)
        and phase.wait("PCpuImbalance firing",
                       lambda: "firing" in phase.alert_states()))
  if ok:
    pins = phase.value('vmbalance_vcpu_pin_changes_total{instance="%(i)s"}')
    print("  imbalance %.3f, pin changes %s" % (phase.value(ratio), pins))
    if pins != 0:
      print("FAIL: --dry_run pinned %s vCPUs" % pins)
      ok = False
  if binary.proc.poll() is not None:
    binary.print_log("the dry-run scheduler exited early")
    ok = False
  return ok


def phase_acting(prom, args):
  print("phase 2: the same load, scheduler acting", flush=True)
  phase = Phase(prom, args.instance, args.timeout)
  ratio = 'instance:vmbalance_pcpu_load_imbalance:ratio{instance="%(i)s"}'
  if not (phase.wait("scraped acting", lambda: phase.value(
      'vmbalance_dry_run{instance="%(i)s"}') == 0)
          and phase.wait("vCPUs pinned", lambda: (phase.value(
              'vmbalance_vcpu_pin_changes_total{instance="%(i)s"}') or 0) > 0)
          and phase.wait("imbalance below %g" % BOUND,
                         lambda: (phase.value(ratio) or 1) < BOUND)
          and phase.wait("PCpuImbalance clear",
                         lambda: not phase.alert_states())):
    return False
  hold = args.for_seconds + 3
  until = time.monotonic() + hold
  while time.monotonic() < until:
    states, value = phase.alert_states(), phase.value(ratio)
    if states or value is None or value >= BOUND:
      print("FAIL: within %gs of clearing: PCpuImbalance %s, imbalance %s"
            % (hold, sorted(states) or "clear", value))
      return False
    time.sleep(0.5)
  print("  stayed clear for %gs; imbalance %.4f" % (hold, value))
  return True


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument("--port", type=int, required=True)
  parser.add_argument("--instance", required=True)
  parser.add_argument("--for-seconds", type=float, required=True,
                      help="the shortened for: of the alerts")
  parser.add_argument("--timeout", type=float, default=45,
                      help="seconds each phase may take")
  parser.add_argument("command", nargs="+")
  args = parser.parse_args()
  prom = Prometheus(os.environ["PROMETHEUS_URL"])

  dry = BinaryProcess(args.command + ["--dry_run"], args.port, "dry_run")
  with dry:
    if dry.wait_for_metrics() is None or not phase_dry_run(prom, args, dry):
      dry.print_log("phase 1 failed")
      return 1
  acting = BinaryProcess(args.command, args.port, "acting")
  with acting:
    if acting.wait_for_metrics() is None or not phase_acting(prom, args):
      acting.print_log("phase 2 failed")
      return 1
  print("PASS")
  return 0


if __name__ == "__main__":
  sys.exit(main())
