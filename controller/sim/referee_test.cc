#include "controller/sim/referee.h"

#include <gtest/gtest.h>

namespace vmbalance {
namespace sim {
namespace {

constexpr int64_t kMib = 1024;

TickTruth Cpu(std::vector<double> pcpu_demand) {
  TickTruth t;
  t.pcpu_demand = pcpu_demand;
  t.vcpu_demands = pcpu_demand;  // one vCPU per pCPU
  return t;
}

GuestTruth Guest(const std::string& name, int64_t unused_mib,
                 int64_t actual_mib = 512, int64_t max_mib = 1024) {
  return {name, true, actual_mib * kMib, max_mib * kMib, unused_mib * kMib};
}

TEST(RefereeTest, BalancedNeedsBothTheRelativeAndTheAbsoluteRule) {
  Referee referee(RefereeRules(), {0, 1});
  referee.Judge(0, Cpu({1.0, 1.0}));
  referee.Judge(1, Cpu({2.08, 1.92}));  // 0.08: 4% of 2, but > 0.05
  referee.Judge(2, Cpu({0.11, 0.09}));  // 0.01: < 0.05, but 10% of 0.1
  referee.Judge(3, Cpu({1.04, 0.96}));  // 0.04: 4% of 1 and < 0.05
  EXPECT_TRUE(referee.records()[0].balanced);
  EXPECT_FALSE(referee.records()[1].balanced);
  EXPECT_FALSE(referee.records()[2].balanced);
  EXPECT_TRUE(referee.records()[3].balanced);
  EXPECT_NEAR(referee.records()[1].stddev, 0.08, 1e-12);
  EXPECT_NEAR(referee.records()[1].mean, 2.0, 1e-12);
}

TEST(RefereeTest, TheBalanceRuleIsAParameter) {
  RefereeRules loose;
  loose.max_stddev_ratio = 0.10;
  loose.max_stddev_abs = 0.10;
  Referee spec(RefereeRules(), {0, 1});
  Referee relaxed(loose, {0, 1});
  for (Referee* r : {&spec, &relaxed}) r->Judge(0, Cpu({1.08, 0.92}));
  EXPECT_FALSE(spec.records()[0].balanced);
  EXPECT_TRUE(relaxed.records()[0].balanced);
  EXPECT_DOUBLE_EQ(relaxed.rules().max_stddev_abs, 0.10);
}

TEST(RefereeTest, OnlyOnlinePcpusCount) {
  Referee referee(RefereeRules(), {1, 3});
  TickTruth t;
  t.pcpu_demand = {0, 0.5, 0, 0.5};
  t.vcpu_demands = {0.5, 0.5};
  referee.Judge(0, t);
  EXPECT_DOUBLE_EQ(referee.records()[0].mean, 0.5);
  EXPECT_TRUE(referee.records()[0].balanced);
}

TEST(RefereeTest, InfeasibleLoadIsSettledAtItsBest) {
  Referee referee(RefereeRules(), {0, 1});
  TickTruth t;
  t.vcpu_demands = {0.9, 0.9, 0.9};
  t.pcpu_demand = {1.8, 0.9};  // the best: 0.45
  referee.Judge(0, t);
  t.pcpu_demand = {2.7, 0};
  referee.Judge(1, t);
  EXPECT_NEAR(*referee.records()[0].best_stddev, 0.45, 1e-9);
  EXPECT_FALSE(referee.records()[0].balanced);
  EXPECT_TRUE(referee.records()[0].settled);
  EXPECT_FALSE(referee.records()[1].settled);
}

TEST(RefereeTest, TheExhaustiveSearchStopsAtItsLimit) {
  RefereeRules rules;
  rules.max_exhaustive_vcpus = 2;
  Referee referee(rules, {0, 1});
  TickTruth t;
  t.vcpu_demands = {0.9, 0.9, 0.9};
  t.pcpu_demand = {1.8, 0.9};
  referee.Judge(0, t);
  EXPECT_FALSE(referee.records()[0].best_stddev.has_value());
  EXPECT_FALSE(referee.records()[0].settled);
}

TEST(RefereeTest, CallsCountTowardTheNextTickJudged) {
  Referee referee(RefereeRules(), {0});
  referee.NotePinChange();
  referee.NotePinChange();
  referee.NoteBalloonChange("a");
  referee.Judge(0, Cpu({0.5}));
  referee.Judge(1, Cpu({0.5}));
  EXPECT_EQ(referee.records()[0].pin_changes, 2);
  EXPECT_EQ(referee.records()[0].balloon_changes, 1);
  EXPECT_EQ(referee.records()[1].pin_changes, 0);
  EXPECT_EQ(referee.pin_changes(), 2);
  EXPECT_EQ(referee.balloon_changes_by_domain().at("a"), 1);
}

TEST(RefereeTest, GuestMemoryIsJudgedByItsTrueValue) {
  Referee referee(RefereeRules(), {0});
  TickTruth t = Cpu({0});
  t.guests = {Guest("full", -40, 1024, 1024), Guest("grown", 30)};
  GuestTruth blind = Guest("blind", -500);
  blind.balloon_driver = false;  // reports nothing: not judged
  t.guests.push_back(blind);
  referee.Judge(0, t);
  const TickRecord& r = referee.records()[0];
  EXPECT_EQ(r.min_guest_unused_mib, -40);  // negative: overcommitted
  EXPECT_EQ(r.min_guest_unused_below_max_mib, 30);
  EXPECT_EQ(referee.max_actual_mib().at("blind"), 512);
  EXPECT_EQ(referee.balloon_changes_by_domain().at("blind"), 0);
}

TEST(RefereeTest, ShortRunsCountOnlyGuestsThatCouldGrow) {
  RefereeRules rules;
  rules.low_mark_mib = 50;
  Referee referee(rules, {0});
  const std::vector<int64_t> unused = {200, 40, 10, 20, 60, 40, 40, 30, 30};
  for (size_t t = 0; t < unused.size(); ++t) {
    TickTruth truth = Cpu({0});
    // At max memory from tick 6 on: nobody could give it more.
    const int64_t actual = t >= 6 ? 1024 : 512;
    truth.guests = {Guest("a", unused[t], actual, 1024)};
    referee.Judge(static_cast<int64_t>(t), truth);
  }
  // Ticks 1-3; ticks 5-8 would be 4 if the guest at max counted.
  EXPECT_EQ(referee.max_ticks_short_of_memory(), 3);
}

TEST(RefereeTest, FrozenStatsAreNotedWithTheirFirstTick) {
  Referee referee(RefereeRules(), {0});
  referee.NoteFrozenStats({"x"});  // nothing judged yet: ignored
  referee.Judge(0, Cpu({0}));
  referee.NoteFrozenStats({});
  referee.Judge(1, Cpu({0}));
  referee.NoteFrozenStats({"a"});
  referee.Judge(2, Cpu({0}));
  referee.NoteFrozenStats({"a", "b"});
  EXPECT_EQ(referee.stats_frozen_from().size(), 2u);
  EXPECT_EQ(referee.stats_frozen_from().at("a"), 1);
  EXPECT_EQ(referee.stats_frozen_from().at("b"), 2);
  EXPECT_EQ(referee.records()[2].frozen_stats,
            (std::vector<std::string>{"a", "b"}));
}

// Each time the host runs out of memory its kernel kills once; ticks it
// stays out count as overcommitted, not as more kills.
TEST(RefereeTest, HostOomKillsCountEachTimeTheHostRunsOut) {
  Referee referee(RefereeRules(), {0});
  for (int64_t free_mib : {100, -5, -20, 50, 0, -1, 30}) {
    TickTruth t = Cpu({0});
    t.host_free_mib = free_mib;
    referee.Judge(static_cast<int64_t>(referee.records().size()), t);
  }
  EXPECT_EQ(referee.host_oom_kills(), 2);
  EXPECT_EQ(referee.records()[1].host_free_mib, -5);
}

// Without tick records the referee keeps the last record and folds each
// tick into RunTotals, equal to what the kept records give; its verdicts
// (kills, short runs, frozen stats) do not depend on the records.
TEST(RefereeTest, LastOnlyKeepsTotalsEqualToTheRecords) {
  Referee all(RefereeRules(), {0, 1});
  Referee last(RefereeRules(), {0, 1}, {}, TickRecords::kLastOnly);
  const std::vector<std::vector<double>> cpu = {
      {1, 1}, {2, 0}, {1, 1}, {1.02, 0.98}, {1.5, 0.5}, {1, 1}, {0.55, 0.45}};
  const std::vector<int64_t> free_mib = {100, -5, -20, 50, 0, -1, 30};
  for (size_t i = 0; i < cpu.size(); ++i) {
    TickTruth t = Cpu(cpu[i]);
    t.vcpu_demands = {2.0, 0.5};  // best reachable: 0.75
    t.host_free_mib = free_mib[i];
    t.guests = {Guest("a", 60 - 10 * static_cast<int64_t>(i))};
    for (Referee* r : {&all, &last}) {
      r->Judge(static_cast<int64_t>(i), t);
      r->NoteFrozenStats({i == 3 ? "a" : "b"});
    }
  }
  EXPECT_TRUE(last.records().empty());
  ASSERT_EQ(all.records().size(), cpu.size());
  EXPECT_EQ(last.ticks(), 7);
  EXPECT_EQ(all.ticks(), 7);
  const TickRecord& end = last.last_record();
  EXPECT_EQ(end.tick, 6);
  EXPECT_EQ(end.frozen_stats, std::vector<std::string>{"b"});
  EXPECT_DOUBLE_EQ(end.stddev, all.records().back().stddev);
  int balanced = 0, overcommitted = 0;
  double served = 0;
  for (const TickRecord& r : all.records()) {
    balanced += r.balanced;
    overcommitted += r.host_free_mib < 0;
    served += r.mean_served;
  }
  for (const Referee* r : {&all, &last}) {
    const RunTotals& t = r->totals();
    EXPECT_EQ(t.ticks, 7);
    EXPECT_EQ(t.balanced_ticks, balanced);
    EXPECT_EQ(t.balanced_ticks, 4);  // 0, 2, 3, 5 (6: 0.05 is 10% of 0.5)
    EXPECT_FALSE(t.balanced_run_from.has_value());  // tick 6 is not
    // Within the best reachable 0.75 from tick 2 on (tick 1: 1.0).
    EXPECT_EQ(t.settled_ticks, 6);
    EXPECT_EQ(t.settled_run_from, 2);
    EXPECT_EQ(t.host_overcommit_ticks, overcommitted);
    EXPECT_EQ(t.min_host_free_mib, -20);
    EXPECT_EQ(t.min_guest_unused_mib, 0);
    EXPECT_DOUBLE_EQ(t.sum_mean_served, served);
    EXPECT_EQ(r->host_oom_kills(), 2);
    EXPECT_EQ(r->max_ticks_short_of_memory(), 7);  // all below 100
    EXPECT_EQ(r->stats_frozen_from().at("a"), 3);
  }
}

// A run replacing guests must not grow the referee by the guests that
// left: kLastOnly keeps the per-domain figures of running guests only, and
// a gone guest's longest short run still counts.
TEST(RefereeTest, LastOnlyForgetsGuestsThatStopped) {
  Referee all(RefereeRules(), {0});
  Referee last(RefereeRules(), {0}, {}, TickRecords::kLastOnly);
  for (Referee* r : {&all, &last}) {
    for (int64_t tick = 0; tick < 4; ++tick) {
      TickTruth t = Cpu({0});
      // "old" runs ticks 0-2, short of memory; "new" arrives at tick 2.
      if (tick < 3) t.guests.push_back(Guest("old", 10));
      if (tick >= 2) t.guests.push_back(Guest("new", 500));
      if (tick == 1) r->NoteBalloonChange("old");
      r->Judge(tick, t);
      r->NoteFrozenStats({tick < 3 ? "old" : "new"});
    }
  }
  EXPECT_EQ(all.balloon_changes_by_domain().size(), 2u);
  EXPECT_EQ(all.max_actual_mib().size(), 2u);
  EXPECT_EQ(all.stats_frozen_from().size(), 2u);
  EXPECT_EQ(last.balloon_changes_by_domain().size(), 1u);
  EXPECT_EQ(last.max_actual_mib().count("new"), 1u);
  EXPECT_EQ(last.max_actual_mib().size(), 1u);
  EXPECT_EQ(last.stats_frozen_from().size(), 1u);
  EXPECT_EQ(last.stats_frozen_from().at("new"), 3);
  EXPECT_EQ(last.balloon_changes(), 1);
  EXPECT_EQ(all.max_ticks_short_of_memory(), 3);
  EXPECT_EQ(last.max_ticks_short_of_memory(), 3);
}

}  // namespace
}  // namespace sim
}  // namespace vmbalance
