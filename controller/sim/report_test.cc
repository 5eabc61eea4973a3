#include "controller/sim/report.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace vmbalance {
namespace sim {
namespace {

constexpr int64_t kMib = 1024;

// Two ticks judged by hand over a world that never ran: the report is a
// function of the referee's records and totals.
struct Judged {
  explicit Judged(TickRecords keep = TickRecords::kKeepAll)
      : world(&scenario, 2.0), referee(RefereeRules(), {0, 1}, {}, keep) {
    scenario.name = "judged";
    scenario.pcpus = 2;
    referee.NotePinChange();
    referee.NoteBalloonChange("a");
    TickTruth t;
    t.pcpu_demand = {1.0, 0.0};
    t.vcpu_demands = {1.0};
    t.host_free_mib = 300;
    t.guests = {{"a", true, 600 * kMib, 1024 * kMib, -20 * kMib}};
    t.guest_oom_kills = 1;
    referee.Judge(0, t);
    t.pcpu_demand = {0.5, 0.5};
    t.vcpu_demands = {0.5, 0.5};
    t.host_free_mib = -10;
    t.guests = {{"a", true, 700 * kMib, 700 * kMib, -50 * kMib}};  // at max
    t.guest_oom_kills = 0;
    referee.Judge(1, t);
    referee.NoteFrozenStats({"a"});
  }
  Scenario scenario;
  World world;
  Referee referee;
};

TEST(ReportTest, SummarisesTheRefereesJudgement) {
  Judged run;
  const nlohmann::json j = BuildSummary(run.world, run.referee, 2.0, 0.25);
  EXPECT_EQ(j["scenario"], "judged");
  EXPECT_EQ(j["interval_s"], 2.0);
  EXPECT_EQ(j["ticks"], 2);
  EXPECT_EQ(j["max_decision_seconds"], 0.25);
  EXPECT_EQ(j["pin_changes"], 1);
  EXPECT_EQ(j["balanced_ticks"], 1);
  EXPECT_EQ(j["first_balanced_tick"], 1);
  EXPECT_EQ(j["first_settled_tick"], 0);  // 1 on 2 pCPUs is the best
  EXPECT_EQ(j["settled_ticks"], 2);
  EXPECT_EQ(j["final_stddev"], 0.0);
  EXPECT_EQ(j["final_mean"], 0.5);
  EXPECT_EQ(j["best_reachable_stddev"], 0.0);
  EXPECT_EQ(j["balloon_changes"], 1);
  EXPECT_EQ(j["balloon_changes_by_domain"]["a"], 1);
  EXPECT_EQ(j["guest_oom_kills"], 1);
  EXPECT_EQ(j["min_host_free_mib"], -10);
  EXPECT_EQ(j["host_overcommit_ticks"], 1);
  EXPECT_EQ(j["host_oom_kills"], 1);
  EXPECT_EQ(j["min_guest_unused_mib"], -50);
  EXPECT_EQ(j["min_guest_unused_below_max_mib"], -20);
  EXPECT_EQ(j["max_ticks_short_of_memory"], 1);
  EXPECT_EQ(j["max_actual_mib"]["a"], 700);
  EXPECT_EQ(j["stats_frozen_from"]["a"], 1);
  EXPECT_TRUE(j["final_actual_mib"].empty());  // the world ran nothing
  EXPECT_TRUE(j["final_assignment"].empty());
}

// A long benchmark run keeps no tick records; its summary must not change
// (the one guest runs throughout, so even the per-domain maps agree).
TEST(ReportTest, TheSummaryIsTheSameWithoutTickRecords) {
  Judged all;
  Judged last_only(TickRecords::kLastOnly);
  ASSERT_TRUE(last_only.referee.records().empty());
  EXPECT_EQ(BuildSummary(last_only.world, last_only.referee, 2.0, 0.25),
            BuildSummary(all.world, all.referee, 2.0, 0.25));
}

TEST(ReportTest, EmptyRunHasNullsNotZeros) {
  Scenario scenario;
  World world(&scenario, 1.0);
  Referee referee(RefereeRules(), {0});
  const nlohmann::json j = BuildSummary(world, referee, 1.0, 0);
  EXPECT_EQ(j["ticks"], 0);
  EXPECT_TRUE(j["first_balanced_tick"].is_null());
  EXPECT_TRUE(j["min_host_free_mib"].is_null());
  EXPECT_TRUE(j["min_guest_unused_mib"].is_null());
  EXPECT_TRUE(j["best_reachable_stddev"].is_null());
}

TEST(ReportTest, WriteJsonWritesWhatItIsGivenOrSaysWhyNot) {
  const std::string path = ::testing::TempDir() + "/report.json";
  ASSERT_TRUE(WriteJson(nlohmann::json{{"x", 1}}, path).ok());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(nlohmann::json::parse(text.str())["x"], 1);
  EXPECT_FALSE(WriteJson(nlohmann::json{}, "/nonexistent/dir/x.json").ok());
}

}  // namespace
}  // namespace sim
}  // namespace vmbalance
