#!/usr/bin/env python3
"""Tests of promql_names.metric_names on the shapes of query we write."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from promql_names import metric_names  # noqa: E402


class MetricNamesTest(unittest.TestCase):

  def test_plain_selector(self):
    self.assertEqual(metric_names('libvirt_up{instance="$instance"} == 0'),
                     {"libvirt_up"})

  def test_functions_ranges_and_grafana_variables(self):
    self.assertEqual(
        metric_names("rate(libvirt_domain_vcpu_delay_seconds_total"
                     '{instance="$instance", domain=~"$domain"}'
                     "[$__rate_interval])"),
        {"libvirt_domain_vcpu_delay_seconds_total"})

  def test_grouping_and_vector_matching(self):
    self.assertEqual(
        metric_names("a_bytes < on (instance) group_left () "
                     "max by (instance) (b_bytes) and on (instance, uuid) "
                     "(deriv(a_bytes[10m]) <= 0)"),
        {"a_bytes", "b_bytes"})

  def test_recorded_names_and_numbers(self):
    self.assertEqual(
        metric_names("60 * instance:x_total:rate5m > 0.05 or vector(1e3)"),
        {"instance:x_total:rate5m"})

  def test_strings_are_not_names(self):
    self.assertEqual(metric_names('up{job=~"vmbalance|other"} offset 5m'),
                     {"up"})

  def test_label_values_variable_query(self):
    self.assertEqual(
        metric_names('label_values(libvirt_up{instance="x"}, instance)'),
        {"libvirt_up"})

  def test_time_function_alone(self):
    self.assertEqual(metric_names("time() - some_timestamp_seconds"),
                     {"some_timestamp_seconds"})


if __name__ == "__main__":
  unittest.main()
