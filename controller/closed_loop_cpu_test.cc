// Closed-loop tests of the vCPU scheduler: the real Controller (observe,
// decide, act) driving the deterministic simulator, judged by the
// simulator's own ground truth (demand per pCPU), not by the policy.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "controller/controller.h"
#include "controller/sim/scenario.h"
#include "controller/sim/simulator.h"

namespace vmbalance {
namespace {

// The referee judges balance by the rule the policy was configured with
// (the SPEC's unless a test changes it), so a test never passes or fails
// only because the two disagree about what balanced means.
sim::RefereeRules RulesOf(const VcpuPolicyConfig& config) {
  sim::RefereeRules rules;
  rules.max_stddev_ratio = config.max_stddev_ratio;
  rules.max_stddev_abs = config.max_stddev_abs;
  return rules;
}

std::unique_ptr<sim::Simulator> RunScenario(const std::string& file, int ticks,
                                            ControllerOptions options = {}) {
  StatusOr<sim::Scenario> scenario =
      sim::LoadScenario("controller/sim/testdata/" + file);
  EXPECT_TRUE(scenario.ok()) << scenario.status().message();
  if (!scenario.ok()) return nullptr;
  auto simulator =
      std::make_unique<sim::Simulator>(*scenario, 1.0, RulesOf(options.vcpu));
  options.memory = false;
  Controller controller(simulator.get(), options, nullptr, nullptr);
  for (int tick = 0; tick < ticks; ++tick) controller.Tick();
  return simulator;
}

// Pin changes whose effect shows in ticks after `tick`.
int PinChangesAfter(const sim::Simulator& simulator, int64_t tick) {
  int changes = 0;
  for (const sim::TickRecord& record : simulator.records()) {
    if (record.tick > tick) changes += record.pin_changes;
  }
  return changes;
}

// By the simulator's ground truth: balanced by `by_tick`, and not one pin
// change after it.
void ExpectBalancedByThenStill(const sim::Simulator& simulator, int by_tick) {
  nlohmann::json summary = simulator.Summary(0);
  ASSERT_FALSE(summary["first_balanced_tick"].is_null());
  EXPECT_LE(summary["first_balanced_tick"].get<int>(), by_tick);
  EXPECT_EQ(PinChangesAfter(simulator, summary["first_balanced_tick"]), 0);
}

TEST(ClosedLoopCpuTest, RoundRobinEqualLoadsNeedsNoPins) {
  auto simulator = RunScenario("cpu_1_round_robin.json", 40);
  ASSERT_NE(simulator, nullptr);
  EXPECT_EQ(simulator->pin_changes(), 0);
  for (const sim::TickRecord& record : simulator->records()) {
    EXPECT_TRUE(record.balanced) << "tick " << record.tick;
  }
}

TEST(ClosedLoopCpuTest, AllOnPcpuZeroSpreadsWithMinimumPinsThenStops) {
  auto simulator = RunScenario("cpu_2_all_on_pcpu0.json", 40);
  ASSERT_NE(simulator, nullptr);
  ExpectBalancedByThenStill(*simulator, 3);
  // 8 equal vCPUs on 4 pCPUs, all on pCPU 0: two stay, six must move.
  EXPECT_EQ(simulator->pin_changes(), 6);
  for (const auto& [name, pcpus] : simulator->Assignment()) {
    ASSERT_EQ(pcpus.size(), 1u) << name;
  }
  std::vector<int> per_pcpu(4, 0);
  for (const auto& [name, pcpus] : simulator->Assignment())
    ++per_pcpu[pcpus[0]];
  EXPECT_EQ(per_pcpu, (std::vector<int>{2, 2, 2, 2}));
}

TEST(ClosedLoopCpuTest, UnpinnedHeavyLightEndsOneOfEachPerPcpu) {
  auto simulator = RunScenario("cpu_3_unpinned_heavy_light.json", 40);
  ASSERT_NE(simulator, nullptr);
  ExpectBalancedByThenStill(*simulator, 3);
  EXPECT_LE(simulator->pin_changes(), 8);  // at most one per vCPU
  EXPECT_LE(simulator->Summary(0)["final_stddev"].get<double>(), 0.05);
}

TEST(ClosedLoopCpuTest, SlowCounterReadsCauseNoExtraPins) {
  // Domains' counters read up to 0.45 s apart in six samples of a 1 s
  // interval: rates off by up to 45%, four times more for the busy vCPUs
  // that mostly wait. The kernel balances the unpinned vCPUs (as Linux
  // does) and the guests feel it fair, so no reading, stalled or not, is
  // worth a pin (do no harm).
  auto simulator = RunScenario("cpu_read_stalls.json", 60);
  ASSERT_NE(simulator, nullptr);
  ExpectBalancedByThenStill(*simulator, 3);
  EXPECT_EQ(simulator->pin_changes(), 0);
  EXPECT_LE(simulator->Summary(0)["final_stddev"].get<double>(), 0.05);
  // (vcpu_policy_test shows, reading by reading, what the policy would do
  // without its window checks.)
}

TEST(ClosedLoopCpuTest, InfeasibleThreeOnTwoSettlesAndStops) {
  auto simulator = RunScenario("cpu_infeasible_3_on_2.json", 40);
  ASSERT_NE(simulator, nullptr);
  nlohmann::json summary = simulator->Summary(0);
  // No assignment of 3 equal vCPUs to 2 pCPUs is balanced by the SPEC's
  // numbers; the scheduler must reach the best one (2+1) and stop.
  EXPECT_TRUE(summary["first_balanced_tick"].is_null());
  EXPECT_NEAR(summary["final_stddev"].get<double>(),
              summary["best_reachable_stddev"].get<double>(), 1e-6);
  EXPECT_LE(simulator->pin_changes(), 2);
  EXPECT_EQ(PinChangesAfter(*simulator, 5), 0);
}

TEST(ClosedLoopCpuTest, PhaseChangeIsFollowedThenQuiet) {
  auto simulator = RunScenario("cpu_phase_change.json", 90);
  ASSERT_NE(simulator, nullptr);
  const auto& records = simulator->records();
  // Balanced before the change, rebalanced within a few ticks of each
  // change, with no churn in between.
  for (int64_t phase_start : {30, 60}) {
    int64_t rebalanced = -1;
    for (const auto& record : records) {
      if (record.tick >= phase_start + 5 && record.tick < phase_start + 30) {
        EXPECT_TRUE(record.balanced) << "tick " << record.tick;
      }
      if (rebalanced < 0 && record.tick >= phase_start && record.balanced) {
        rebalanced = record.tick;
      }
    }
    EXPECT_GE(rebalanced, phase_start);
    EXPECT_LE(rebalanced, phase_start + 5);
  }
  EXPECT_EQ(PinChangesAfter(*simulator, 40) - PinChangesAfter(*simulator, 60),
            0)
      << "pins while the load was steady";
  EXPECT_LE(simulator->pin_changes(), 12);
}

TEST(ClosedLoopCpuTest, DomainChurnKeepsBalanceWithoutThrashing) {
  auto simulator = RunScenario("cpu_churn.json", 80);
  ASSERT_NE(simulator, nullptr);
  nlohmann::json summary = simulator->Summary(0);
  ASSERT_FALSE(summary["first_balanced_tick"].is_null());
  // The last event is at tick 60; the host is balanced soon after and stays.
  EXPECT_LE(summary["first_balanced_tick"].get<int>(), 66);
  EXPECT_EQ(PinChangesAfter(*simulator, 66), 0);
  // Never more pins than a handful per event (5 events, 10 vCPUs).
  EXPECT_LE(simulator->pin_changes(), 30);
}

TEST(ClosedLoopCpuTest, SixtyFourPcpusFiveHundredVcpus) {
  auto simulator = RunScenario("cpu_64x500.json", 20);
  ASSERT_NE(simulator, nullptr);
  ExpectBalancedByThenStill(*simulator, 5);
  EXPECT_LE(simulator->pin_changes(), 500);
}

TEST(ClosedLoopCpuTest, DryRunDecidesButNeverPins) {
  ControllerOptions options;
  options.dry_run = true;
  auto simulator = RunScenario("cpu_2_all_on_pcpu0.json", 10, options);
  ASSERT_NE(simulator, nullptr);
  EXPECT_EQ(simulator->pin_changes(), 0);
  EXPECT_FALSE(simulator->records().back().balanced);
}

TEST(ClosedLoopCpuTest, ALooserBalanceRuleIsMetAndJudgedAsConfigured) {
  // Three busy vCPUs on two pCPUs: 1.8 against 0.9 at best (std-dev 0.45,
  // 33% of the mean). Unbalanced by the SPEC; by a 35% rule the best
  // placement is balanced, and the referee must say so too.
  ControllerOptions options;
  options.vcpu.max_stddev_ratio = 0.35;
  options.vcpu.max_stddev_abs = 0.5;
  auto loose = RunScenario("cpu_infeasible_3_on_2.json", 40, options);
  auto spec = RunScenario("cpu_infeasible_3_on_2.json", 40);
  ASSERT_NE(loose, nullptr);
  ASSERT_NE(spec, nullptr);
  EXPECT_DOUBLE_EQ(loose->rules().max_stddev_ratio, 0.35);
  EXPECT_TRUE(spec->Summary(0)["first_balanced_tick"].is_null());
  ExpectBalancedByThenStill(*loose, 5);
}

TEST(ClosedLoopCpuTest, AllowedPcpusAreRespected) {
  ControllerOptions options;
  options.vcpu.allowed_pcpus = CpuSet{0, 1};
  auto simulator = RunScenario("cpu_2_all_on_pcpu0.json", 20, options);
  ASSERT_NE(simulator, nullptr);
  EXPECT_GT(simulator->pin_changes(), 0);
  for (const auto& [name, pcpus] : simulator->Assignment()) {
    for (int pcpu : pcpus) EXPECT_LE(pcpu, 1) << name;
  }
}

}  // namespace
}  // namespace vmbalance
