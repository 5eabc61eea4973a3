#!/usr/bin/env python3
"""Derives a test configuration from the repository's prometheus.yml.

Writes OUT/prometheus.yml, OUT/rules/ and OUT/targets/ so that the repo's
jobs, relabelling and rules are used unchanged, but the targets are the given
loopback ones (through the config's own file_sd files), the intervals are
short, and optionally every alert's `for:` is shortened so a test need not
wait minutes.

  make_test_config.py --src prometheus --out DIR \
      --target vmbalance=127.0.0.1:PORT@hv-test \
      [--target vmbalance_secondary=...] [--self 127.0.0.1:PORT] \
      [--interval 1s] [--alert-for 0s]
"""

import argparse
import json
import os
import shutil

import yaml

TARGET_FILES = {"vmbalance": "targets/vmbalance-test.json",
                "vmbalance_secondary": "targets/secondary-test.json"}


def parse_target(text):
  job, rest = text.split("=", 1)
  address, _, host = rest.partition("@")
  if job not in TARGET_FILES:
    raise SystemExit("unknown job %r (want one of %s)"
                     % (job, ", ".join(TARGET_FILES)))
  return job, address, host


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument("--src", required=True, help="the repo's prometheus/")
  parser.add_argument("--out", required=True)
  parser.add_argument("--target", action="append", default=[],
                      help="JOB=ADDRESS[@HOST]")
  parser.add_argument("--self", dest="self_address",
                      help="also scrape this Prometheus (job prometheus)")
  parser.add_argument("--interval", default="1s")
  parser.add_argument("--alert-for",
                      help="replace every alert's for: (e.g. 0s)")
  args = parser.parse_args()

  with open(os.path.join(args.src, "prometheus.yml")) as f:
    config = yaml.safe_load(f)
  config["global"]["scrape_interval"] = args.interval
  config["global"]["evaluation_interval"] = args.interval
  config["global"]["scrape_timeout"] = args.interval
  for job in config["scrape_configs"]:
    job.pop("static_configs", None)  # this host's real ports: not ours
  if args.self_address:
    config["scrape_configs"].append({
        "job_name": "prometheus",
        "static_configs": [{"targets": [args.self_address]}]})

  groups = {}
  for text in args.target:
    job, address, host = parse_target(text)
    groups.setdefault(job, []).append(
        {"targets": [address], "labels": {"host": host} if host else {}})
  os.makedirs(os.path.join(args.out, "targets"), exist_ok=True)
  for job, path in TARGET_FILES.items():
    with open(os.path.join(args.out, path), "w") as f:
      json.dump(groups.get(job, []), f, indent=2)

  rules_out = os.path.join(args.out, "rules")
  os.makedirs(rules_out, exist_ok=True)
  for rel in config["rule_files"]:
    src = os.path.join(args.src, rel)
    dst = os.path.join(args.out, rel)
    if args.alert_for is None:
      shutil.copyfile(src, dst)
      continue
    with open(src) as f:
      rules = yaml.safe_load(f)
    for group in rules["groups"]:
      for rule in group["rules"]:
        if "alert" in rule:
          rule["for"] = args.alert_for
    with open(dst, "w") as f:
      yaml.safe_dump(rules, f, sort_keys=False)

  with open(os.path.join(args.out, "prometheus.yml"), "w") as f:
    yaml.safe_dump(config, f, sort_keys=False)


if __name__ == "__main__":
  main()
