#!/usr/bin/env python3
"""Structural checks of prometheus/ and grafana/ that need no server.

Dashboards: unique uids and panel ids, every panel has a datasource and a
query, the issue's panels are there, every metric a query names is exported
(tests/observability/exported_metrics.txt) or recorded. Rules: every metric
exists, names follow level:metric:operation, each alert has for/severity/
annotations and a runbook section in the README draft, and the promtool unit
tests cover every alert firing and not firing and every recording rule.
Config: the secondary job drops exactly the host series of the contract.

Run from the repository root (or Bazel's runfiles root): python3 check_static.py
"""

import os
import re
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import observability_files as obs  # noqa: E402
from promql_names import metric_names  # noqa: E402

EXPECTED_ALERTS = {"PCpuImbalance", "SchedulerChurn", "GuestMemoryPressure",
                   "HostMemoryLow", "BalloonStatsStale", "ExporterDown",
                   "LibvirtDown", "GuestUnreadable"}
# Metrics the host dashboard must show (issue 6, section 2).
HOST_DASHBOARD_METRICS = {
    "vmbalance_pcpu_load_ratio", "instance:vmbalance_pcpu_load_ratio:stddev",
    "instance:vmbalance_pcpu_load_imbalance:ratio", "libvirt_domain_vcpu_pcpu",
    "vmbalance_vcpu_utilization_ratio", "libvirt_domain_vcpu_delay_seconds_total",
    "vmbalance_vcpu_pin_changes_total", "vmbalance_balanced",
    "libvirt_domain_memory_actual_bytes", "libvirt_domain_memory_unused_bytes",
    "vmbalance_memory_target_bytes", "libvirt_node_memory_free_bytes",
    "vmbalance_memory_host_reserve_bytes", "vmbalance_balloon_changes_total",
    "ALERTS"}
README_DRAFT = "README.md"
GRAFANA_DATASOURCE = "grafana/provisioning/datasources/vmbalance.yml"
GRAFANA_PROVIDER = "grafana/provisioning/dashboards/vmbalance.yml"


class Checker:

  def __init__(self, root):
    self.root = root
    self.errors = []
    self.contract = obs.read_contract(root)
    self.recorded = obs.recorded_names(root)
    self.known = set(self.contract) | self.recorded | obs.BUILTIN_METRICS

  def error(self, where, message):
    self.errors.append("%s: %s" % (where, message))

  def path(self, rel):
    return os.path.join(self.root, rel)

  def check_known_metrics(self, query):
    names = metric_names(query.expr)
    if not names and query.kind != "variable":
      self.error(query.where, "names no metric: %r" % query.expr)
    for name in sorted(names - self.known):
      self.error(query.where, "metric %s is neither exported nor recorded"
                 % name)
    return names

  # Dashboards -------------------------------------------------------------

  def check_dashboards(self):
    boards = obs.read_dashboards(self.root)
    if len(boards) < 2:
      self.error("grafana/dashboards", "expected host and fleet dashboards")
    uids = {}
    for path, board in boards:
      uid = board.get("uid", "")
      if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", uid):
        self.error(path, "bad or missing uid %r" % uid)
      if uid in uids:
        self.error(path, "uid %r also used by %s" % (uid, uids[uid]))
      uids[uid] = path
      if board.get("schemaVersion", 0) < 36:
        self.error(path, "schemaVersion below Grafana 10's")
      self.check_variables(path, board)
      self.check_panels(path, board)
    for query in obs.dashboard_queries(self.root):
      self.check_known_metrics(query)
    return boards

  def check_variables(self, path, board):
    variables = {v["name"]: v for v in board.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
      self.error(path, "no Prometheus datasource variable named datasource")
    inst = variables.get("instance")
    if not inst or inst.get("type") != "query":
      self.error(path, "no query variable named instance (the host)")

  def check_panels(self, path, board):
    ids = set()
    cells = []
    for panel in obs.all_panels(board):
      pid = panel.get("id")
      where = "%s: panel %r" % (path, panel.get("title"))
      if not isinstance(pid, int) or pid in ids:
        self.error(where, "missing or duplicate panel id %r" % pid)
      ids.add(pid)
      pos = panel.get("gridPos", {})
      if pos.get("x", 0) + pos.get("w", 0) > 24 or pos.get("w", 0) <= 0:
        self.error(where, "gridPos outside the 24-column grid: %r" % pos)
      for other_where, other in cells:
        if (pos["x"] < other["x"] + other["w"] and other["x"] < pos["x"] + pos["w"]
            and pos["y"] < other["y"] + other["h"]
            and other["y"] < pos["y"] + pos["h"]):
          self.error(where, "overlaps %s" % other_where)
      cells.append((where, pos))
      if panel.get("type") == "row":
        continue  # a row holds panels, not queries
      ds = panel.get("datasource")
      if not isinstance(ds, dict) or ds.get("uid") != "${datasource}":
        self.error(where, "datasource is not the ${datasource} variable: %r"
                   % ds)
      targets = panel.get("targets") or []
      if not targets:
        self.error(where, "no query")
      ref_ids = [t.get("refId") for t in targets]
      if len(set(ref_ids)) != len(ref_ids):
        self.error(where, "duplicate refIds %r" % ref_ids)
      for t in targets:
        if not t.get("expr", "").strip():
          self.error(where, "empty query %s" % t.get("refId"))
        if not isinstance(t.get("datasource"), dict):
          self.error(where, "query %s has no datasource" % t.get("refId"))

  def check_host_dashboard(self, boards):
    host = dict((b["uid"], b) for _, b in boards).get("vmbalance-host")
    fleet = dict((b["uid"], b) for _, b in boards).get("vmbalance-fleet")
    if not host or not fleet:
      self.error("grafana/dashboards", "uids vmbalance-host and "
                 "vmbalance-fleet are what links and users rely on")
      return
    used = set()
    bound_drawn = False
    for panel in obs.all_panels(host):
      for t in panel.get("targets", []):
        names = metric_names(t["expr"])
        used |= names
        steps = (panel.get("fieldConfig", {}).get("defaults", {})
                 .get("thresholds", {}).get("steps", []))
        mode = (panel.get("fieldConfig", {}).get("defaults", {}).get("custom", {})
                .get("thresholdsStyle", {}).get("mode"))
        if ("instance:vmbalance_pcpu_load_imbalance:ratio" in names
            and mode == "line" and any(s.get("value") == 0.05 for s in steps)):
          bound_drawn = True
    for name in sorted(HOST_DASHBOARD_METRICS - used):
      self.error("vmbalance-host", "no panel shows %s" % name)
    if not bound_drawn:
      self.error("vmbalance-host", "imbalance panel does not draw the 5% line")
    fleet_exprs = [t["expr"] for p in obs.all_panels(fleet)
                   for t in p.get("targets", [])]
    if not any(re.search(r"\b(topk|sort_desc|sort)\(", e) for e in fleet_exprs):
      self.error("vmbalance-fleet", "ranks nothing (no topk/sort)")
    for needle in ("imbalance", "low_mark"):
      if not any(needle in e for e in fleet_exprs):
        self.error("vmbalance-fleet", "does not rank hosts by %s" % needle)

  def check_provisioning(self, boards):
    with open(self.path(GRAFANA_DATASOURCE)) as f:
      ds = yaml.safe_load(f)["datasources"]
    uids = {d["uid"] for d in ds if d.get("type") == "prometheus"}
    for path, board in boards:
      for v in board["templating"]["list"]:
        if v["type"] == "datasource" and v.get("current", {}).get("value") not in uids:
          self.error(path, "default datasource %r is not provisioned"
                     % v.get("current"))
    with open(self.path(GRAFANA_PROVIDER)) as f:
      providers = yaml.safe_load(f)["providers"]
    if not any(p.get("type") == "file" and p.get("options", {}).get("path")
               for p in providers):
      self.error(GRAFANA_PROVIDER, "no file provider with a path")

  # Rules ------------------------------------------------------------------

  def check_rules(self):
    with open(self.path(README_DRAFT)) as f:
      readme = f.read()
    anchors = {github_anchor(h) for h in
               re.findall(r"^#+\s+(.*?)\s*$", readme, flags=re.M)}
    alerts = set()
    for query in obs.rule_queries(self.root):
      self.check_known_metrics(query)
    for path, rule in obs.read_rules(self.root):
      if "record" in rule:
        if not re.fullmatch(r"[a-z_]+:[a-z0-9_]+:[a-z0-9_]+", rule["record"]):
          self.error(path, "%s is not level:metric:operation" % rule["record"])
        continue
      name = rule["alert"]
      alerts.add(name)
      where = "%s: %s" % (path, name)
      if not rule.get("for"):
        self.error(where, "no for:")
      if rule.get("labels", {}).get("severity") not in ("warning", "critical"):
        self.error(where, "severity is not warning or critical")
      ann = rule.get("annotations", {})
      for key in ("summary", "description", "runbook_url"):
        if not ann.get(key):
          self.error(where, "no %s annotation" % key)
      if "$value" not in ann.get("description", "") and name not in (
          "ExporterDown", "LibvirtDown"):
        self.error(where, "description does not show the value")
      anchor = "runbook-" + name.lower()
      if ann.get("runbook_url") != "README.md#" + anchor:
        self.error(where, "runbook_url is not README.md#%s" % anchor)
      if anchor not in anchors:
        self.error(where, "%s has no heading giving #%s" % (README_DRAFT, anchor))
    if alerts != EXPECTED_ALERTS:
      self.error("prometheus/rules/alerts.yml", "alerts %r, expected %r"
                 % (sorted(alerts), sorted(EXPECTED_ALERTS)))
    self.check_rule_tests(alerts)

  def check_rule_tests(self, alerts):
    firing, quiet = set(), set()
    with open(self.path("prometheus/rules/alerts_test.yml")) as f:
      for test in yaml.safe_load(f)["tests"]:
        for t in test.get("alert_rule_test", []):
          (firing if t.get("exp_alerts") else quiet).add(t["alertname"])
    for name in sorted(alerts - firing):
      self.error("alerts_test.yml", "no test where %s fires" % name)
    for name in sorted(alerts - quiet):
      self.error("alerts_test.yml", "no test where %s stays quiet" % name)
    tested = set()
    with open(self.path("prometheus/rules/recording_test.yml")) as f:
      for test in yaml.safe_load(f)["tests"]:
        for t in test.get("promql_expr_test", []):
          if t.get("exp_samples"):
            tested |= metric_names(t["expr"])
    for name in sorted(self.recorded - tested):
      self.error("recording_test.yml", "no test of the values of %s" % name)

  # Config -----------------------------------------------------------------

  def check_config(self):
    with open(self.path(obs.PROMETHEUS_CONFIG)) as f:
      config = yaml.safe_load(f)
    if tuple(config.get("rule_files", [])) != tuple(
        os.path.relpath(p, "prometheus") for p in obs.RULE_FILES):
      self.error(obs.PROMETHEUS_CONFIG, "rule_files differ from %r"
                 % (obs.RULE_FILES,))
    jobs = {j["job_name"]: j for j in config["scrape_configs"]}
    primary, secondary = jobs.get("vmbalance"), jobs.get("vmbalance_secondary")
    if not primary or not secondary:
      self.error(obs.PROMETHEUS_CONFIG, "jobs vmbalance and vmbalance_secondary")
      return
    if primary.get("metric_relabel_configs"):
      self.error("job vmbalance", "must keep every series")
    drops = [re.compile(r["regex"]) for r in secondary.get(
        "metric_relabel_configs", []) if r.get("action") == "drop"
             and r.get("source_labels") == ["__name__"]]
    for m in self.contract.values():
      dropped = any(d.fullmatch(m.name) for d in drops)
      host_series = m.owner == "exporter" and m.name not in obs.PER_PROCESS
      if dropped != host_series:
        self.error("job vmbalance_secondary", "%s %s but is %s" % (
            m.name, "dropped" if dropped else "kept",
            "a host series every binary serves" if host_series
            else "this process's own"))
    for job in (primary, secondary):
      relabels = job.get("relabel_configs", [])
      if not any(r.get("target_label") == "instance" for r in relabels):
        self.error("job " + job["job_name"], "does not set instance to the host")


def github_anchor(heading):
  """The anchor GitHub gives a Markdown heading."""
  slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
  return slug.replace(" ", "-")


def main():
  root = sys.argv[1] if len(sys.argv) > 1 else "."
  checker = Checker(root)
  boards = checker.check_dashboards()
  checker.check_host_dashboard(boards)
  checker.check_provisioning(boards)
  checker.check_rules()
  checker.check_config()
  queries = obs.dashboard_queries(root) + obs.rule_queries(root)
  for e in checker.errors:
    print("FAIL", e)
  print("%d dashboards, %d queries and rules checked against %d exported "
        "metrics: %d problems" % (len(boards), len(queries),
                                  len(checker.contract), len(checker.errors)))
  return 1 if checker.errors else 0


if __name__ == "__main__":
  sys.exit(main())
