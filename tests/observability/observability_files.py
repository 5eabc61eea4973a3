"""Reads the repository's observability files: the exported-metrics contract,
the Prometheus rule files and the Grafana dashboards, and lists every query
they hold. Paths are relative to the repository (or runfiles) root."""

import dataclasses
import glob
import json
import os

import yaml

CONTRACT = "tests/observability/exported_metrics.txt"
PROMETHEUS_CONFIG = "prometheus/prometheus.yml"
RULE_FILES = ("prometheus/rules/recording.yml", "prometheus/rules/alerts.yml")
DASHBOARD_GLOB = "grafana/dashboards/*.json"
# Series Prometheus itself makes.
BUILTIN_METRICS = {"up", "ALERTS", "ALERTS_FOR_STATE", "scrape_duration_seconds",
                   "scrape_samples_scraped"}
# Series every binary serves about its own process, not about the host: each
# scrape job keeps them, and two of them for one host are not duplicates.
PER_PROCESS = {"libvirt_up", "vmbalance_sample_duration_seconds",
               "vmbalance_sample_vcpu_read_seconds",
               "vmbalance_sample_errors_total", "exposer_transferred_bytes_total",
               "exposer_scrapes_total", "exposer_request_latencies"}


@dataclasses.dataclass(frozen=True)
class ExportedMetric:
  name: str
  type: str
  labels: tuple
  owner: str  # exporter, controller, vcpu or memory


@dataclasses.dataclass(frozen=True)
class Query:
  where: str  # file and rule or panel, for messages
  expr: str
  kind: str  # record, alert, panel or variable


def read_contract(root="."):
  metrics = {}
  with open(os.path.join(root, CONTRACT)) as f:
    for line in f:
      line = line.split("#", 1)[0].strip()
      if not line:
        continue
      name, mtype, labels, owner = line.split()
      metrics[name] = ExportedMetric(
          name, mtype, () if labels == "-" else tuple(labels.split(",")), owner)
  return metrics


def read_rules(root="."):
  """Returns a list of (file, rule dict) for every rule."""
  rules = []
  for path in RULE_FILES:
    with open(os.path.join(root, path)) as f:
      doc = yaml.safe_load(f)
    for group in doc["groups"]:
      for rule in group["rules"]:
        rules.append((path, rule))
  return rules


def dashboard_paths(root="."):
  return sorted(glob.glob(os.path.join(root, DASHBOARD_GLOB)))


def read_dashboards(root="."):
  boards = []
  for path in dashboard_paths(root):
    with open(path) as f:
      boards.append((os.path.relpath(path, root), json.load(f)))
  return boards


def all_panels(board):
  """Every panel, including those nested in collapsed rows."""
  for panel in board.get("panels", []):
    yield panel
    for nested in panel.get("panels", []):
      yield nested


def rule_queries(root="."):
  out = []
  for path, rule in read_rules(root):
    if "record" in rule:
      out.append(Query("%s: record %s" % (path, rule["record"]),
                       rule["expr"], "record"))
    else:
      out.append(Query("%s: alert %s" % (path, rule["alert"]),
                       rule["expr"], "alert"))
  return out


def dashboard_queries(root="."):
  out = []
  for path, board in read_dashboards(root):
    for panel in all_panels(board):
      for t in panel.get("targets", []):
        out.append(Query("%s: panel %d %r %s" % (path, panel["id"],
                                                 panel.get("title"), t["refId"]),
                         t.get("expr", ""), "panel"))
    for var in board.get("templating", {}).get("list", []):
      if var.get("type") == "query":
        q = var["query"]
        q = q["query"] if isinstance(q, dict) else q
        out.append(Query("%s: variable %s" % (path, var["name"]), q,
                         "variable"))
  return out


def recorded_names(root="."):
  return {rule["record"] for _, rule in read_rules(root) if "record" in rule}
