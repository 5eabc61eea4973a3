#!/usr/bin/env python3
"""Writes grafana/dashboards/vmbalance-{host,fleet}.json (Grafana 10/11 JSON).

The committed JSON is what Grafana imports and what the tests check; this
script is how it is made. Edit here, run `python3 grafana/generate_dashboards.py`
and commit both. `--check` exits 1 when the committed files differ from what
this script writes (the test //grafana:dashboards_up_to_date_test runs it).
"""

import argparse
import json
import pathlib
import sys

DASHBOARD_DIR = pathlib.Path(__file__).absolute().parent / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
# The SPEC's bound: std-dev of pCPU load within 5% of the mean (and within 5
# percentage points).
IMBALANCE_BOUND = 0.05
HOST = 'instance="$instance"'


class Layout:
  """Hands out panel ids and grid positions, left to right, top to bottom."""

  def __init__(self):
    self.next_id = 1
    self.x = 0
    self.y = 0
    self.row_height = 0

  def place(self, width, height):
    if self.x + width > 24:
      self.x, self.y = 0, self.y + self.row_height
      self.row_height = 0
    pos = {"h": height, "w": width, "x": self.x, "y": self.y}
    self.x += width
    self.row_height = max(self.row_height, height)
    panel_id = self.next_id
    self.next_id += 1
    return panel_id, pos

  def row(self, title):
    if self.x:
      self.x, self.y = 0, self.y + self.row_height
    panel_id, pos = self.place(24, 1)
    self.x, self.y, self.row_height = 0, self.y + 1, 0
    return {"type": "row", "id": panel_id, "title": title, "gridPos": pos,
            "collapsed": False, "panels": []}


def target(ref_id, expr, legend="", instant=False, table=False):
  t = {"datasource": DATASOURCE, "refId": ref_id, "expr": expr,
       "legendFormat": legend or "__auto", "range": not instant,
       "instant": instant, "editorMode": "code"}
  if table:
    t["format"] = "table"
  return t


def targets(*queries, **kwargs):
  return [target(chr(ord("A") + i), expr, legend, **kwargs)
          for i, (expr, legend) in enumerate(queries)]


def timeseries(layout, title, description, queries, unit, width=12,
               height=8, minimum=None, maximum=None, threshold=None,
               step=False, bars=False, decimals=None):
  panel_id, pos = layout.place(width, height)
  custom = {"drawStyle": "bars" if bars else "line",
            "lineInterpolation": "stepAfter" if step else "linear",
            "fillOpacity": 60 if bars else 10, "showPoints": "never",
            "spanNulls": False,
            "thresholdsStyle": {"mode": "line" if threshold is not None
                                else "off"}}
  steps = [{"color": "green", "value": None}]
  if threshold is not None:
    steps.append({"color": "red", "value": threshold})
  defaults = {"unit": unit, "custom": custom,
              "thresholds": {"mode": "absolute", "steps": steps}}
  if minimum is not None:
    defaults["min"] = minimum
  if maximum is not None:
    defaults["max"] = maximum
  if decimals is not None:
    defaults["decimals"] = decimals
  return {"type": "timeseries", "id": panel_id, "title": title,
          "description": description, "gridPos": pos,
          "datasource": DATASOURCE, "targets": targets(*queries),
          "fieldConfig": {"defaults": defaults, "overrides": []},
          "options": {"legend": {"displayMode": "table", "placement": "right",
                                 "showLegend": True,
                                 "calcs": ["lastNotNull", "max"]},
                      "tooltip": {"mode": "multi", "sort": "desc"}}}


def state_timeline(layout, title, description, queries, mappings, width=12,
                   height=8):
  panel_id, pos = layout.place(width, height)
  return {"type": "state-timeline", "id": panel_id, "title": title,
          "description": description, "gridPos": pos,
          "datasource": DATASOURCE, "targets": targets(*queries),
          "fieldConfig": {"defaults": {"mappings": mappings,
                                       "color": {"mode": "palette-classic"},
                                       "thresholds": {"mode": "absolute",
                                                      "steps": [{"color": "green",
                                                                 "value": None}]}},
                          "overrides": []},
          "options": {"showValue": "auto", "mergeValues": True,
                      "rowHeight": 0.8, "alignValue": "left",
                      "legend": {"showLegend": True, "displayMode": "list",
                                 "placement": "bottom"}}}


def value_map(*entries):
  return [{"type": "value",
           "options": {str(v): {"text": text, "color": color, "index": i}
                       for i, (v, text, color) in enumerate(entries)}}]


def table(layout, title, description, queries, sort_by, units, width=24,
          height=9):
  """An instant table of per-host values, one column per query, one row per
  host, sorted worst first."""
  panel_id, pos = layout.place(width, height)
  rename = {}
  overrides = []
  for i, (_, column) in enumerate(queries):
    ref = chr(ord("A") + i)
    rename["Value #" + ref] = column
    overrides.append({"matcher": {"id": "byName", "options": column},
                      "properties": [{"id": "unit", "value": units[i]}]})
  return {"type": "table", "id": panel_id, "title": title,
          "description": description, "gridPos": pos,
          "datasource": DATASOURCE,
          "targets": targets(*queries, instant=True, table=True),
          "transformations": [
              {"id": "merge", "options": {}},
              {"id": "organize",
               "options": {"excludeByName": {"Time": True},
                           "renameByName": rename,
                           "indexByName": {"instance": 0}}},
              {"id": "sortBy",
               "options": {"sort": [{"field": sort_by, "desc": True}]}}],
          "fieldConfig": {"defaults": {"custom": {"align": "auto"}},
                          "overrides": overrides},
          "options": {"showHeader": True, "cellHeight": "sm",
                      "footer": {"show": False}}}


def datasource_variable():
  return {"name": "datasource", "label": "Data source", "type": "datasource",
          "query": "prometheus", "regex": "", "hide": 0, "refresh": 1,
          "current": {"text": "vmbalance Prometheus",
                      "value": "vmbalance-prometheus"},
          "options": [], "skipUrlSync": False}


def query_variable(name, label, query, multi=False, include_all=False):
  v = {"name": name, "label": label, "type": "query",
       "datasource": DATASOURCE, "definition": query,
       "query": query,  # the string form every Grafana 10/11 reads
       "refresh": 2, "sort": 1, "regex": "", "hide": 0, "multi": multi,
       "includeAll": include_all, "options": [], "skipUrlSync": False,
       "current": {}}
  if include_all:
    v["allValue"] = ".*"
  return v


def dashboard(uid, title, description, variables, panels, links):
  return {
      "uid": uid, "title": title, "description": description,
      "tags": ["vmbalance"], "timezone": "browser", "editable": True,
      "graphTooltip": 1, "schemaVersion": 39, "version": 1,
      "refresh": "30s", "time": {"from": "now-1h", "to": "now"},
      "timepicker": {}, "fiscalYearStartMonth": 0, "liveNow": False,
      "weekStart": "",
      "annotations": {"list": [{
          "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
          "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
          "name": "Annotations & Alerts", "type": "dashboard"}]},
      "templating": {"list": variables},
      "links": links, "panels": panels,
  }


def link_to(uid, title):
  return {"title": title, "type": "link", "url": "/d/" + uid + "?${__url_time_range}&${datasource:queryparam}",
          "icon": "dashboard", "targetBlank": False, "asDropdown": False,
          "includeVars": False, "keepTime": True, "tags": []}


def host_dashboard():
  lay = Layout()
  guest = HOST + ', domain=~"$domain"'
  p = []
  p.append(lay.row("CPU balance"))
  p.append(timeseries(
      lay, "Per-pCPU load",
      "Sum of the utilisation of the vCPUs on each pCPU, as the scheduler "
      "counts it (1 = one pCPU fully busy).",
      [("vmbalance_pcpu_load_ratio{%s}" % HOST, "pCPU {{pcpu}}")],
      "percentunit", minimum=0))
  p.append(timeseries(
      lay, "pCPU load std-dev and mean",
      "Std-dev and mean of pCPU load. The red line is the SPEC's absolute "
      "bound: std-dev at most 5 percentage points.",
      [("instance:vmbalance_pcpu_load_ratio:stddev{%s}" % HOST, "std-dev"),
       ("instance:vmbalance_pcpu_load_ratio:avg{%s}" % HOST, "mean")],
      "percentunit", minimum=0, threshold=IMBALANCE_BOUND))
  p.append(timeseries(
      lay, "Imbalance: std-dev / mean",
      "The imbalance the SPEC bounds at 5% (red line). PCpuImbalance fires "
      "after 5 minutes above it unless the scheduler reports the host "
      "balanced.",
      [("instance:vmbalance_pcpu_load_imbalance:ratio{%s}" % HOST,
        "std-dev / mean")],
      "percentunit", minimum=0, threshold=IMBALANCE_BOUND))
  p.append(timeseries(
      lay, "Per-pCPU demand (what the scheduler balances)",
      "Per pCPU, what its vCPUs would use if none waited to run "
      "(CPU time over the time not spent waiting), from the vCPU scheduler.",
      [("vmbalance_pcpu_demand_ratio{%s}" % HOST, "pCPU {{pcpu}}")],
      "percentunit", minimum=0))
  p.append(timeseries(
      lay, "vCPU placement: pCPU each vCPU ran on",
      "libvirt_domain_vcpu_pcpu: a step is a migration or a pin change.",
      [("libvirt_domain_vcpu_pcpu{%s}" % guest, "{{domain}} vCPU {{vcpu}}")],
      "none", width=24, step=True, decimals=0, minimum=0))
  p.append(timeseries(
      lay, "Per-vCPU utilisation",
      "Share of one pCPU each vCPU used over the last sample interval.",
      [("vmbalance_vcpu_utilization_ratio{%s}" % guest,
        "{{domain}} vCPU {{vcpu}}")],
      "percentunit", minimum=0))
  p.append(timeseries(
      lay, "Per-vCPU run-queue delay",
      "Seconds per second each vCPU waited for a pCPU: above ~0 means it "
      "shares a pCPU with other busy vCPUs.",
      [("rate(libvirt_domain_vcpu_delay_seconds_total{%s}[$__rate_interval])"
        % guest, "{{domain}} vCPU {{vcpu}}")],
      "percentunit", minimum=0))
  p.append(timeseries(
      lay, "Pin changes",
      "vCPU pin changes made by the scheduler per interval, and those libvirt "
      "refused. Once balanced there should be none while the load stays the "
      "same.",
      [("sum(increase(vmbalance_vcpu_pin_changes_total{%s}[$__rate_interval]))"
        % HOST, "pin changes"),
       ("sum(increase(vmbalance_vcpu_pin_failures_total{%s}"
        "[$__rate_interval]))" % HOST, "refused by libvirt")],
      "short", bars=True, minimum=0))
  p.append(state_timeline(
      lay, "Balanced",
      "The scheduler's own verdict (includes the best reachable placement "
      "when the SPEC's bound cannot be met).",
      [("max(vmbalance_balanced{%s})" % HOST, "balanced")],
      value_map((0, "unbalanced", "red"), (1, "balanced", "green"))))

  p.append(lay.row("Memory"))
  p.append(timeseries(
      lay, "Guest memory: actual, unused and target",
      "Balloon size (actual), memory unused inside the guest, the "
      "coordinator's target, and its per-guest low mark for unused memory.",
      [("libvirt_domain_memory_actual_bytes{%s}" % guest, "{{domain}} actual"),
       ("libvirt_domain_memory_unused_bytes{%s}" % guest, "{{domain}} unused"),
       ("vmbalance_memory_target_bytes{%s}" % guest, "{{domain}} target"),
       ("max(vmbalance_memory_low_mark_bytes{%s})" % HOST, "low mark")],
      "bytes", width=24, height=9, minimum=0))
  p.append(timeseries(
      lay, "Host available memory and reserve",
      "Host available memory as the coordinator counts it (MemAvailable when "
      "libvirt manages this very host, else libvirt's free figure) against "
      "the reserve it never gives away; HostMemoryLow fires after 5 minutes "
      "below it. libvirt's free figure (virNodeGetMemoryStats) for reference.",
      [("max(vmbalance_host_memory_available_bytes{%s}) or "
        "max(libvirt_node_memory_free_bytes{%s})" % (HOST, HOST), "available"),
       ("max(libvirt_node_memory_free_bytes{%s})" % HOST, "libvirt free"),
       ("max(vmbalance_memory_host_reserve_bytes{%s})" % HOST, "reserve"),
       ("max(libvirt_node_memory_total_bytes{%s})" % HOST, "total")],
      "bytes", minimum=0))
  p.append(timeseries(
      lay, "Balloon changes",
      "Balloon resizes per interval, by direction, and those libvirt refused.",
      [("sum by (direction) (increase(vmbalance_balloon_changes_total{%s}"
        "[$__rate_interval]))" % HOST, "{{direction}}"),
       ("sum(increase(vmbalance_balloon_failures_total{%s}[$__rate_interval]))"
        % HOST, "refused by libvirt")],
      "short", bars=True, minimum=0))
  p.append(timeseries(
      lay, "Balloon stats age",
      "Seconds since each guest's balloon stats were updated. "
      "BalloonStatsStale fires above 60 s, or when the coordinator flags "
      "them stale.",
      [("time() - libvirt_domain_memory_stats_last_update_timestamp_seconds"
        "{%s}" % guest, "{{domain}}")],
      "s", minimum=0, threshold=60))
  p.append(state_timeline(
      lay, "Guest stats stale (coordinator skips the guest)",
      "1 when the coordinator does not trust a guest's stats and leaves it "
      "alone.",
      [("vmbalance_guest_stats_stale{%s}" % guest, "{{domain}}")],
      value_map((0, "fresh", "green"), (1, "stale", "orange"))))

  p.append(lay.row("Alerts and health"))
  p.append(state_timeline(
      lay, "Alert state",
      "vmbalance alerts for this host from Prometheus's ALERTS series.",
      [('2 * max by (alertname) (ALERTS{%s, alertstate="firing"}) or '
        'max by (alertname) (ALERTS{%s, alertstate="pending"})'
        % (HOST, HOST), "{{alertname}}")],
      value_map((1, "pending", "orange"), (2, "firing", "red")), width=24))
  p.append(state_timeline(
      lay, "Scrape and libvirt connection",
      "up: Prometheus reached the process; libvirt_up: the process reached "
      "libvirt.",
      [('up{%s, job=~"vmbalance|vmbalance_secondary"}' % HOST,
        "{{job}} up"),
       ("libvirt_up{%s}" % HOST, "{{job}} libvirt")],
      value_map((0, "down", "red"), (1, "up", "green"))))
  p.append(timeseries(
      lay, "Sampling and decision time",
      "How long one libvirt sample and one scheduler decision take, how "
      "long the vCPU counters took to read (rates are uncertain by that over "
      "the interval), and sampling errors per interval.",
      [("vmbalance_sample_duration_seconds{%s}" % HOST, "{{job}} sample"),
       ("vmbalance_sample_vcpu_read_seconds{%s}" % HOST,
        "{{job}} vCPU counters read"),
       ("vmbalance_decision_duration_seconds{%s}" % HOST, "{{job}} decision"),
       ("increase(vmbalance_sample_errors_total{%s}[$__rate_interval])"
        % HOST, "{{job}} sample errors")],
      "s", minimum=0))

  variables = [
      datasource_variable(),
      query_variable("instance", "Host", "label_values(libvirt_up, instance)"),
      # Every guest has a maximum memory; balloon figures need a driver.
      query_variable("domain", "Guest",
                     'label_values(libvirt_domain_memory_maximum_bytes'
                     '{instance="$instance"}, domain)',
                     multi=True, include_all=True),
  ]
  return dashboard(
      "vmbalance-host", "vmbalance / host",
      "One hypervisor host: pCPU balance, vCPU placement, guest and host "
      "memory, vmbalance's alerts.",
      variables, p, [link_to("vmbalance-fleet", "Fleet")])


def fleet_dashboard():
  lay = Layout()
  sel = 'instance=~"$instance"'
  p = []
  p.append(table(
      lay, "Hosts by pCPU imbalance",
      "Worst first. Imbalance = std-dev / mean of pCPU load (bound 5%). "
      "Balanced is the scheduler's verdict (empty: no scheduler).",
      [("sort_desc(instance:vmbalance_pcpu_load_imbalance:ratio{%s})" % sel,
        "imbalance"),
       ("instance:vmbalance_pcpu_load_ratio:stddev{%s}" % sel, "std-dev"),
       ("instance:vmbalance_pcpu_load_ratio:avg{%s}" % sel, "mean load"),
       ("max by (instance) (vmbalance_balanced{%s})" % sel, "balanced"),
       ("60 * instance:vmbalance_vcpu_pin_changes:rate5m{%s}" % sel,
        "pin changes/min")],
      "imbalance", ["percentunit", "percentunit", "percentunit", "none",
                    "short"]))
  p.append(table(
      lay, "Hosts by memory pressure",
      "Worst first: guests below the coordinator's low mark, then host "
      "available memory (MemAvailable, else libvirt's free figure) over its "
      "reserve (below 1 = short).",
      [("sort_desc(instance:vmbalance_guests_below_low_mark:count{%s})" % sel,
        "guests below low mark"),
       ("instance:vmbalance_host_memory_available_over_reserve:ratio{%s}"
        % sel, "available / reserve"),
       ("instance:libvirt_domain_memory_unused_bytes:min{%s}" % sel,
        "least unused in a guest"),
       ("max by (instance) (vmbalance_host_memory_available_bytes{%s}) or "
        "max by (instance) (libvirt_node_memory_free_bytes{%s})" % (sel, sel),
        "host available"),
       ("60 * instance:vmbalance_balloon_changes:rate5m{%s}" % sel,
        "balloon changes/min")],
      "guests below low mark", ["short", "none", "bytes", "bytes", "short"]))
  p.append(timeseries(
      lay, "Top 10 hosts by imbalance",
      "std-dev / mean of pCPU load; red line: the 5% bound.",
      [("topk(10, instance:vmbalance_pcpu_load_imbalance:ratio{%s})" % sel,
        "{{instance}}")],
      "percentunit", minimum=0, threshold=IMBALANCE_BOUND))
  p.append(timeseries(
      lay, "Bottom 10 hosts by available memory over reserve",
      "Host available memory divided by its reserve; red below 1.",
      [("bottomk(10, "
        "instance:vmbalance_host_memory_available_over_reserve:ratio"
        "{%s})" % sel, "{{instance}}")],
      "none", minimum=0, threshold=1))
  p.append(timeseries(
      lay, "Firing vmbalance alerts",
      "Number of firing alerts of each kind across the fleet.",
      [('count by (alertname) (ALERTS{%s, alertstate="firing"})' % sel,
        "{{alertname}}")],
      "short", width=24, minimum=0, bars=True))
  variables = [
      datasource_variable(),
      query_variable("instance", "Hosts", "label_values(libvirt_up, instance)",
                     multi=True, include_all=True),
  ]
  return dashboard(
      "vmbalance-fleet", "vmbalance / fleet",
      "Every vmbalance host ranked by pCPU imbalance and by memory pressure.",
      variables, p, [link_to("vmbalance-host", "Host detail")])


def render(board):
  return json.dumps(board, indent=2) + "\n"


def main():
  parser = argparse.ArgumentParser(description=__doc__)
  parser.add_argument("--check", action="store_true",
                      help="compare with the committed files, write nothing")
  parser.add_argument("--dir", type=pathlib.Path, default=DASHBOARD_DIR)
  args = parser.parse_args()
  stale = []
  for name, board in (("vmbalance-host.json", host_dashboard()),
                      ("vmbalance-fleet.json", fleet_dashboard())):
    path = args.dir / name
    text = render(board)
    if args.check:
      if not path.exists() or path.read_text() != text:
        stale.append(str(path))
    else:
      path.write_text(text)
  if stale:
    print("out of date (run grafana/generate_dashboards.py): "
          + ", ".join(stale), file=sys.stderr)
    return 1
  return 0


if __name__ == "__main__":
  sys.exit(main())
