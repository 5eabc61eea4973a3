#!/usr/bin/env python3
"""Tests of the live checks' judgement, without a server: which queries
check_live.expects_data says must return data, and contract_check.compare on
expositions shaped like the binaries' (including the faults seen on them)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import contract_check  # noqa: E402
from check_live import expects_data  # noqa: E402
from observability_files import ExportedMetric  # noqa: E402

RECORDING = {
    "instance:load:avg": "avg by (instance) (load_ratio)",
    "instance:load:imbalance": "stddev by (instance) (load_ratio) / "
                               "(instance:load:avg > 0)",
    "instance:below_mark:count": "count(free < mark) or (max(mark) * 0)",
}


class ExpectsDataTest(unittest.TestCase):

  def test_present_metric_and_rule_built_on_it(self):
    present = {"load_ratio"}
    self.assertTrue(expects_data('load_ratio{instance="h"}', present,
                                 RECORDING))
    self.assertTrue(expects_data("instance:load:avg", present, RECORDING))

  def test_absent_metric_anywhere_below(self):
    self.assertFalse(expects_data("instance:load:avg", set(), RECORDING))
    self.assertFalse(expects_data("rate(pins_total[5m])", {"load_ratio"},
                                  RECORDING))

  def test_a_filter_at_any_depth_may_leave_it_empty(self):
    present = {"load_ratio"}
    self.assertFalse(expects_data("load_ratio > 0.05", present, RECORDING))
    self.assertFalse(expects_data("topk(3, instance:load:imbalance)", present,
                                  RECORDING))

  def test_an_or_fallback_always_returns_data(self):
    self.assertTrue(expects_data("instance:below_mark:count", {"free", "mark"},
                                 RECORDING))

  def test_alerts_never_expected(self):
    self.assertFalse(expects_data('ALERTS{alertstate="firing"} or vector(0)',
                                  {"ALERTS"}, RECORDING))


CONTRACT = {m.name: m for m in [
    ExportedMetric("libvirt_up", "gauge", (), "exporter"),
    ExportedMetric("libvirt_domain_memory_unused_bytes", "gauge",
                   ("domain", "uuid"), "exporter"),
    ExportedMetric("vmbalance_vcpu_pin_changes_total", "counter", (), "vcpu"),
    ExportedMetric("exposer_request_latencies", "summary", (), "exporter"),
]}
EXPORTER = """# TYPE libvirt_up gauge
libvirt_up 1
# TYPE libvirt_domain_memory_unused_bytes gauge
libvirt_domain_memory_unused_bytes{domain="a",uuid="1"} 5
# TYPE exposer_request_latencies summary
exposer_request_latencies_count 0
"""


class CompareTest(unittest.TestCase):

  def test_exporter_matches_its_owners_only(self):
    self.assertEqual(contract_check.compare(EXPORTER, ("exporter",), CONTRACT),
                     [])

  def test_missing_contract_metric(self):
    problems = contract_check.compare(EXPORTER, ("exporter", "vcpu"), CONTRACT)
    self.assertEqual(problems, ["contract metric not exported: "
                                "vmbalance_vcpu_pin_changes_total"])

  def test_may_lack_excuses_only_the_named(self):
    text = EXPORTER.replace("# TYPE libvirt_domain_memory_unused_bytes gauge\n",
                            "").replace('libvirt_domain_memory_unused_bytes'
                                        '{domain="a",uuid="1"} 5\n', "")
    self.assertEqual(contract_check.compare(
        text, ("exporter",), CONTRACT,
        may_lack={"libvirt_domain_memory_unused_bytes"}), [])
    self.assertEqual(len(contract_check.compare(text, ("exporter",),
                                                CONTRACT)), 1)

  def test_unlisted_metric(self):
    text = EXPORTER + ("# TYPE vmbalance_new_thing gauge\n"
                       "vmbalance_new_thing 1\n")
    self.assertEqual(contract_check.compare(text, ("exporter",), CONTRACT),
                     ["exported but not in the contract (owners exporter): "
                      "vmbalance_new_thing"])

  def test_wrong_type(self):
    text = EXPORTER.replace("latencies summary", "latencies histogram")
    self.assertEqual(contract_check.compare(text, ("exporter",), CONTRACT),
                     ["exposer_request_latencies is a histogram, the contract "
                      "says summary"])

  def test_counter_type_line_without_total_suffix(self):
    text = ("# TYPE vmbalance_vcpu_pin_changes counter\n"
            "vmbalance_vcpu_pin_changes_total 3\n")
    self.assertEqual(contract_check.exported_types(text),
                     {"vmbalance_vcpu_pin_changes_total": "counter"})


if __name__ == "__main__":
  unittest.main()
