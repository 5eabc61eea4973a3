#!/usr/bin/env python3
"""Tests csv_summary on literal monitor CSVs."""

import csv
import io
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import csv_summary  # noqa: E402

HEADER = ("time_s,pcpu0_pct,pcpu1_pct,mean_pct,stddev_pct,balanced,"
          "pin_changes,host_free_mib,g0_cpu_pct,g0_actual_mib,g0_unused_mib\n")


def rows(text):
    return list(csv.DictReader(io.StringIO(HEADER + text)))


class SummarizeTest(unittest.TestCase):

    def test_settles_after_pin_changes(self):
        s = csv_summary.summarize(rows(
            "1,100,0,50,50,0,0,900,90,512,100\n"
            "2,60,40,50,10,0,3,880,90,600,80\n"
            "3,50,50,50,0,1,1,870,90,700,120\n"
            "4,51,49,50,1,1,0,860,90,700,130\n"))
        self.assertEqual(s["rows"], 4)
        self.assertEqual(s["first_balanced_s"], 3.0)
        self.assertEqual(s["settled_s"], 3.0)
        self.assertEqual(s["pin_changes_total"], 4)
        self.assertEqual(s["pin_changes_after_settled"], 0)
        self.assertEqual(s["min_host_free_mib"], 860.0)
        self.assertEqual(s["g0_min_actual_mib"], 512.0)
        self.assertEqual(s["g0_max_actual_mib"], 700.0)
        self.assertEqual(s["g0_min_unused_mib"], 80.0)

    def test_not_settled_when_last_row_unbalanced(self):
        s = csv_summary.summarize(rows(
            "1,50,50,50,0,1,0,900,90,512,100\n"
            "2,90,10,50,40,0,2,900,90,512,100\n"))
        self.assertEqual(s["first_balanced_s"], 1.0)
        self.assertEqual(s["settled_s"], -1)
        self.assertEqual(s["pin_changes_after_settled"], -1)
        self.assertEqual(s["balanced_fraction"], 0.5)

    def test_changes_after_settling_are_counted(self):
        s = csv_summary.summarize(rows(
            "1,50,50,50,0,1,0,900,90,512,100\n"
            "2,50,50,50,0,1,2,900,90,512,100\n"))
        self.assertEqual(s["settled_s"], 1.0)
        self.assertEqual(s["pin_changes_after_settled"], 2)

    def test_skip_drops_warmup_and_gone_guests_leave_blanks(self):
        s = csv_summary.summarize(rows(
            "1,100,0,50,50,0,0,900,90,512,100\n"
            "2,50,50,50,0,1,0,900,,,\n"), skip_s=1.5)
        self.assertEqual(s["rows"], 1)
        self.assertEqual(s["first_balanced_s"], 2.0)
        self.assertNotIn("g0_min_actual_mib", s)

    def test_smoothing_judges_balance_on_rolling_means(self):
        text = ("1,90,70,80,10,0,0,900,90,512,100\n"
                "2,70,90,80,10,0,0,900,90,512,100\n"
                "3,90,70,80,10,0,0,900,90,512,100\n"
                "4,70,90,80,10,0,0,900,90,512,100\n")
        self.assertEqual(csv_summary.summarize(rows(text))["first_balanced_s"], -1)
        smoothed = csv_summary.summarize(rows(text), smooth=2)
        # The first row has only itself; from row 2 each pCPU averages 80.
        self.assertEqual(smoothed["first_balanced_s"], 2.0)
        self.assertEqual(smoothed["settled_s"], 2.0)
        self.assertEqual(smoothed["balanced_fraction"], 0.75)

    def test_waits_and_host_idle_averaged_unknown_left_out(self):
        header = ("time_s,pcpu0_pct,mean_pct,stddev_pct,balanced,pin_changes,"
                  "host_free_mib,host_idle_pct,g0_cpu_pct,g0_wait_pct,"
                  "g0_actual_mib,g0_unused_mib,g1_cpu_pct,g1_wait_pct,"
                  "g1_actual_mib,g1_unused_mib\n")
        s = csv_summary.summarize(list(csv.DictReader(io.StringIO(
            header +
            "1,100,100,0,1,0,900,10,50,40,512,100,50,,512,100\n"
            "2,100,100,0,1,0,900,,50,60,512,100,50,,512,100\n"))))
        self.assertEqual(s["mean_host_idle_pct"], 10.0)
        self.assertEqual(s["g0_mean_wait_pct"], 50.0)
        self.assertNotIn("g1_mean_wait_pct", s)  # never reported: not 0

    def test_old_csv_without_waits_has_no_wait_keys(self):
        s = csv_summary.summarize(rows("1,50,50,50,0,1,0,900,90,512,100\n"))
        self.assertNotIn("mean_host_idle_pct", s)
        self.assertNotIn("g0_mean_wait_pct", s)


if __name__ == "__main__":
    unittest.main()
