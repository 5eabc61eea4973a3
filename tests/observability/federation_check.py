#!/usr/bin/env python3
"""A second, global Prometheus federating the site Prometheus at
PROMETHEUS_URL with prometheus/fleet/federation.yml (its targets replaced by
that one, intervals shortened): checks that the per-host recording rules and
per-host gauges arrive with the host's `instance` and the global side's
`site` label (and the gauges with the site Prometheus' `job`), and that per-vCPU raw series do not.

  federation_check.py --fleet prometheus/fleet --instance hv-test
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import yaml

SITE = "site-test"


def free_port():
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


def query(url, promql):
  with urllib.request.urlopen(url + "/api/v1/query?" + urllib.parse.urlencode(
      {"query": promql}), timeout=5) as r:
    return json.load(r)["data"]["result"]


def make_config(fleet, site_address, out):
  with open(os.path.join(fleet, "federation.yml")) as f:
    config = yaml.safe_load(f)
  for key in ("scrape_interval", "evaluation_interval"):
    config["global"][key] = "1s"
  config["global"]["scrape_timeout"] = "1s"
  (job,) = config["scrape_configs"]
  job["static_configs"] = [{"targets": [site_address],
                            "labels": {"site": SITE}}]
  with open(out, "w") as f:
    yaml.safe_dump(config, f)
  return job["params"]["match[]"]


def wait_for(what, check, timeout):
  deadline = time.time() + timeout
  last = None
  while time.time() < deadline:
    try:
      last = check()
      if last:
        return last
    except OSError as e:
      last = e
    time.sleep(0.5)
  sys.exit("FAIL: timed out after %ds waiting for %s (last: %r)"
           % (timeout, what, last))


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument("--fleet", required=True)
  parser.add_argument("--instance", required=True)
  parser.add_argument("--timeout", type=int, default=60)
  args = parser.parse_args()
  site_url = os.environ["PROMETHEUS_URL"]
  work = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
  config = os.path.join(work, "federation.yml")
  matchers = make_config(args.fleet, urllib.parse.urlparse(site_url).netloc,
                         config)
  print("match[]: %s" % matchers)
  subprocess.run(["promtool", "check", "config", config], check=True)
  port = free_port()
  url = "http://127.0.0.1:%d" % port
  log = open(os.path.join(work, "global.log"), "w")
  proc = subprocess.Popen(
      ["prometheus", "--config.file=" + config,
       "--storage.tsdb.path=" + os.path.join(work, "data"),
       "--web.listen-address=127.0.0.1:%d" % port], stdout=log,
      stderr=subprocess.STDOUT)
  try:
    # The site side first: its rules must have data to federate.
    stddev = 'instance:vmbalance_pcpu_load_ratio:stddev{instance="%s"}' % (
        args.instance)
    wait_for("the site Prometheus to record " + stddev,
             lambda: query(site_url, stddev), args.timeout)
    # The recording rules aggregate by instance and so carry no job: the
    # global side gives them its own. Raw gauges keep the site's job
    # (honor_labels).
    want = {
        stddev: "vmbalance_federate",
        'instance:vmbalance_vcpu_pin_changes:rate5m{instance="%s"}'
        % args.instance: "vmbalance_federate",
        'vmbalance_balanced{instance="%s"}' % args.instance: "vmbalance",
        'libvirt_up{instance="%s"}' % args.instance: "vmbalance",
    }
    for promql, job in want.items():
      result = wait_for("%s in the global Prometheus" % promql,
                        lambda p=promql: query(url, p), args.timeout)
      labels = result[0]["metric"]
      if labels.get("site") != SITE or labels.get("job") != job:
        sys.exit("FAIL: %s arrived as %s: want site=%s (global side) and "
                 "job=%s" % (promql, labels, SITE, job))
      print("federated: %s" % labels)
    for raw in ("libvirt_domain_vcpu_time_seconds_total",
                "vmbalance_vcpu_utilization_ratio"):
      if not query(site_url, raw):
        sys.exit("FAIL: the site Prometheus has no %s to leave out" % raw)
      if query(url, raw):
        sys.exit("FAIL: per-vCPU series %s was federated" % raw)
    print("PASS: per-host series federated, per-vCPU series left at the site")
  finally:
    proc.terminate()
    try:
      proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
      proc.kill()
      proc.wait()
    log.close()
    if sys.exc_info()[0] is not None:
      with open(os.path.join(work, "global.log")) as f:
        sys.stderr.write(f.read()[-3000:])
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
  main()
