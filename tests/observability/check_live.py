#!/usr/bin/env python3
"""Runs the repository's rules and dashboard queries through a real
Prometheus's query API and reports what it rejects or leaves empty.

  check_live.py --url URL [--instance HOST] [--require-data]
                [--no-duplicates] [--expect-alerts A,B] [--tolerate-alerts C]
                [--wait-for EXPR] [--timeout 60]

- Every recording rule, alert expression and dashboard query (Grafana
  variables filled in) must be accepted by /api/v1/query.
- Every rule group must be loaded and evaluate without error (/api/v1/rules).
- --require-data: queries expected to return data must, within --timeout
  (polled, not slept): those whose every metric has series on the server, or
  is recorded from such metrics, and that do not filter (no comparison, no
  ALERTS), at any depth (see expects_data). Alert expressions are only
  checked for acceptance.
- --no-duplicates: no host series (exporter-owned, not per-process) is stored
  twice for one host, and job vmbalance_secondary stores none of them.
- --expect-alerts: exactly these alerts are firing for --instance, apart
  from any of --tolerate-alerts (which may fire or not), steadily for
  --alerts-stable seconds.
Run from the repository (or runfiles) root.
"""

import argparse
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import observability_files as obs  # noqa: E402
from promql_names import metric_names  # noqa: E402

_FILTER = re.compile(r"==|!=|>|<")


class Prometheus:

  def __init__(self, url):
    self.url = url.rstrip("/")

  def get(self, path, **params):
    """Returns (data, error): the API's data, or its error text."""
    url = "%s%s?%s" % (self.url, path, urllib.parse.urlencode(params))
    try:
      with urllib.request.urlopen(url, timeout=10) as r:
        body = json.load(r)
    except urllib.error.HTTPError as e:
      try:
        body = json.load(e)
      except ValueError:
        return None, "HTTP %d" % e.code
    except (urllib.error.URLError, OSError) as e:
      return None, str(e)
    if body.get("status") != "success":
      return None, "%s: %s" % (body.get("errorType"), body.get("error"))
    return body["data"], None

  def query(self, expr):
    data, err = self.get("/api/v1/query", query=expr)
    return (data["result"] if data else None), err


def fill_variables(expr, instance):
  expr = expr.replace("$__rate_interval", "1m").replace("$__interval", "1m")
  expr = expr.replace("${instance}", instance).replace("$instance", instance)
  expr = expr.replace("$domain", ".*")
  m = re.match(r"^\s*label_values\((.*),\s*(\w+)\s*\)\s*$", expr, re.S)
  if m:  # Grafana's variable query, as PromQL
    expr = "count by (%s) (%s)" % (m.group(2), m.group(1))
  return expr


def filters(expr):
  text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)
  text = re.sub(r"\{[^{}]*\}", "", text)
  return bool(_FILTER.search(text)) and " bool " not in text or "ALERTS" in expr


def expects_data(expr, present, recording, seen=()):
  """Whether `expr` must return data when the metrics in `present` have
  series: it filters nothing, and each metric it names is present or
  recorded by a rule that itself expects data. A comparison with an `or`
  fallback (`... or ... * 0`) still always returns data."""
  if "ALERTS" in expr or filters(expr) and not re.search(r"\bor\b", expr):
    return False
  for name in metric_names(expr):
    if name in recording:
      if name in seen or not expects_data(recording[name], present, recording,
                                          seen + (name,)):
        return False
    elif name not in present:
      return False
  return True


def main(argv=None):
  parser = argparse.ArgumentParser()
  parser.add_argument("--url", default=os.environ.get("PROMETHEUS_URL"))
  parser.add_argument("--instance", default="localhost")
  parser.add_argument("--require-data", action="store_true")
  parser.add_argument("--no-duplicates", action="store_true")
  parser.add_argument("--expect-alerts")
  parser.add_argument("--tolerate-alerts", default="")
  parser.add_argument("--alerts-stable", type=float, default=0,
                      help="seconds the expected alert set must hold")
  parser.add_argument("--wait-for", action="append", default=[],
                      help="first poll until this query returns data")
  parser.add_argument("--timeout", type=float, default=60)
  args = parser.parse_args(argv)
  if not args.url:
    parser.error("--url or PROMETHEUS_URL")
  prom = Prometheus(args.url)
  deadline = time.monotonic() + args.timeout
  problems = []

  for expr in args.wait_for:
    while not prom.query(expr)[0] and time.monotonic() < deadline:
      time.sleep(0.5)
    if not prom.query(expr)[0]:
      problems.append("no data for %s within %gs" % (expr, args.timeout))

  queries = obs.rule_queries() + obs.dashboard_queries()
  for q in queries:
    _, err = prom.query(fill_variables(q.expr, args.instance))
    if err:
      problems.append("%s: rejected: %s" % (q.where, err))

  # Rule groups loaded and healthy (after one evaluation at least).
  expected_rules = {r.get("record") or r.get("alert") for _, r in obs.read_rules()}
  while True:
    data, err = prom.get("/api/v1/rules")
    loaded = {r["name"]: r for g in (data or {}).get("groups", [])
              for r in g["rules"]}
    evaluated = all(r.get("lastEvaluation", "0001").startswith("0001") is False
                    for r in loaded.values())
    if (set(loaded) >= expected_rules and evaluated) or time.monotonic() > deadline:
      break
    time.sleep(0.5)
  for name in sorted(expected_rules - set(loaded)):
    problems.append("rule %s not loaded (%s)" % (name, err))
  for name, r in sorted(loaded.items()):
    if r.get("health") == "err" or r.get("lastError"):
      problems.append("rule %s: %s" % (name, r.get("lastError")))

  if args.require_data:
    data, err = prom.get("/api/v1/label/__name__/values")
    present = set(data or []) - obs.recorded_names()
    recording = {r["record"]: r["expr"] for _, r in obs.read_rules()
                 if "record" in r}
    pending = [q for q in queries if q.kind != "alert"
               and expects_data(q.expr, present, recording)]
    print("%d queries expected to return data" % len(pending))
    while pending:
      pending = [q for q in pending
                 if not prom.query(fill_variables(q.expr, args.instance))[0]]
      if not pending or time.monotonic() > deadline:
        break
      time.sleep(1)
    for q in pending:
      problems.append("%s: no data for %s" % (q.where, fill_variables(
          q.expr, args.instance)))

  if args.no_duplicates:
    contract = obs.read_contract()
    for m in contract.values():
      if m.owner != "exporter" or m.name in obs.PER_PROCESS:
        continue
      by = ",".join(("instance",) + m.labels)
      dup, err = prom.query("count by (%s) (%s) > 1" % (by, m.name))
      if err or dup:
        problems.append("%s stored twice for one host: %s" % (m.name, err or dup))
      sec, err = prom.query('%s{job="vmbalance_secondary"}' % m.name)
      if err or sec:
        problems.append("%s kept from job vmbalance_secondary" % m.name)

  if args.expect_alerts is not None:
    want = set(filter(None, args.expect_alerts.split(",")))
    tolerated = set(filter(None, args.tolerate_alerts.split(","))) - want
    # The set must hold for --alerts-stable seconds: a transient match (say
    # before a slower alert fires) is not the steady state.
    held_since = None
    while True:
      result, err = prom.query('ALERTS{alertstate="firing",instance="%s"}'
                               % args.instance)
      got = {r["metric"]["alertname"] for r in result or []} - tolerated
      now = time.monotonic()
      held_since = (held_since or now) if got == want else None
      if (held_since is not None and now - held_since >= args.alerts_stable
          or now > deadline):
        break
      time.sleep(1)
    if got != want:
      problems.append("firing alerts for %s: %s, expected %s (%s)" % (
          args.instance, sorted(got), sorted(want), err or ""))
    elif now - held_since < args.alerts_stable:
      problems.append("firing alerts for %s matched for only %.0fs" % (
          args.instance, now - held_since))

  for p in problems:
    print("FAIL", p)
  print("%d queries checked against %s: %d problems"
        % (len(queries), args.url, len(problems)))
  return 1 if problems else 0


if __name__ == "__main__":
  sys.exit(main())
