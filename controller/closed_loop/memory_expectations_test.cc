// Expectations judged on hand-made runs: each meets a run that has the
// property and breaks one that lacks it (those no baseline of the harness
// table can break are shown failing here).
#include "controller/closed_loop/memory_expectations.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace vmbalance {
namespace closed_loop {
namespace {

MemoryRun RunWithSummary(const char* json_text) {
  MemoryRun run;
  run.summary = nlohmann::json::parse(json_text);
  return run;
}

TEST(GuestNeverResizedTest, BrokenByOneChangeAndByAnUnseenGuest) {
  const Expectation e = GuestNeverResized("vm5");
  EXPECT_EQ(e.violation(RunWithSummary(
                R"({"balloon_changes_by_domain": {"vm5": 0, "vm1": 3}})")),
            "");
  EXPECT_EQ(e.violation(
                RunWithSummary(R"({"balloon_changes_by_domain": {"vm5": 1}})")),
            "vm5 balloon changes = 1 > 0");
  EXPECT_EQ(e.violation(RunWithSummary(R"({"balloon_changes_by_domain": {}})")),
            "vm5 was never seen");
}

TEST(GuestNotResizedOnFrozenStatsTest, CountsFromTheFreezePlusGrace) {
  const Expectation e = GuestNotResizedOnFrozenStats("vm6", 10);
  MemoryRun run = RunWithSummary(R"({"stats_frozen_from": {"vm6": 30}})");
  run.balloon_calls.push_back({39, "vm6", 512, 600, true});
  run.balloon_calls.push_back({45, "vm1", 512, 600, true});
  EXPECT_EQ(e.violation(run), "");
  run.balloon_calls.push_back({40, "vm6", 600, 700, true});
  EXPECT_EQ(e.violation(run), "vm6 resizes from tick 40 = 1 > 0");
  EXPECT_EQ(e.violation(RunWithSummary(R"({"stats_frozen_from": {}})")),
            "vm6's stats never froze");
}

TEST(GuestUnusedBelowMaxAtLeastMibTest, NegativeIsBrokenAndNullIsMet) {
  const Expectation e = GuestUnusedBelowMaxAtLeastMib(0);
  EXPECT_EQ(
      e.violation(RunWithSummary(R"({"min_guest_unused_below_max_mib": 121})")),
      "");
  EXPECT_EQ(
      e.violation(RunWithSummary(R"({"min_guest_unused_below_max_mib": -21})")),
      "min guest unused below max MiB = -21 < 0");
  EXPECT_EQ(e.violation(
                RunWithSummary(R"({"min_guest_unused_below_max_mib": null})")),
            "");
}

TEST(NoHostOomKillTest, BrokenByAKillAndByASummaryWithoutTheKey) {
  const Expectation e = NoHostOomKill();
  EXPECT_EQ(e.violation(RunWithSummary(R"({"host_oom_kills": 0})")), "");
  EXPECT_EQ(e.violation(RunWithSummary(R"({"host_oom_kills": 2})")),
            "host OOM kills = 2 > 0");
  EXPECT_EQ(e.violation(RunWithSummary(R"({})")),
            "host_oom_kills not reported");
}

TEST(GuestPeakAtMostMibTest, BrokenAboveTheLimitAndByAnUnseenGuest) {
  const Expectation e = GuestPeakAtMostMib("vm1", 600);
  EXPECT_EQ(e.violation(RunWithSummary(R"({"max_actual_mib": {"vm1": 600}})")),
            "");
  EXPECT_EQ(e.violation(RunWithSummary(R"({"max_actual_mib": {"vm1": 601}})")),
            "vm1 max actual MiB = 601 > 600");
  EXPECT_EQ(e.violation(RunWithSummary(R"({"max_actual_mib": {}})")),
            "vm1 was never seen");
}

TEST(HostFreeAlwaysAtLeastMibTest, JudgesTheLowestTick) {
  const Expectation e = HostFreeAlwaysAtLeastMib(491);
  EXPECT_EQ(e.violation(RunWithSummary(R"({"min_host_free_mib": 491})")), "");
  EXPECT_EQ(e.violation(RunWithSummary(R"({"min_host_free_mib": -224})")),
            "min host free MiB = -224 < 491");
}

}  // namespace
}  // namespace closed_loop
}  // namespace vmbalance
