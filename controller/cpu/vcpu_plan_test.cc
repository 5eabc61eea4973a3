#include "controller/cpu/vcpu_plan.h"

#include <vector>

#include "controller/cpu/core_spread.h"
#include "controller/cpu/usage_builder.h"
#include "controller/cpu/vcpu_assessment.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using testing_usage::Floating;
using testing_usage::MakeUsage;
using testing_usage::OneVcpuEach;
using testing_usage::Pinned;
using testing_usage::SmtHost;

VcpuProblem ProblemOf(const VcpuPolicyConfig& config, const Usage& usage) {
  DemandMemory memory;
  return Assess(config, usage, SmoothDemand(usage, {1, 1, 0}, &memory)).problem;
}

VcpuThresholds Limits(double target) {
  VcpuThresholds limits;
  limits.target_stddev = target;
  limits.aim_stddev = 0.8 * target;
  return limits;
}

TEST(VcpuPlanTest, OptionsComeFromTheThresholdsAndTheConfig) {
  VcpuPolicyConfig config;
  config.candidate_bins = 7;
  config.search_full_scan = 5;
  config.search_neighbours = 2;
  config.search_swap_samples = 9;
  config.sticky_slacks = {0.25};
  config.optimum_tolerance = 0.002;
  config.exact_budget = 99;
  const PlanOptions options = PlanOptionsFor(config, Limits(0.05));
  EXPECT_DOUBLE_EQ(options.target_stddev, 0.05);
  EXPECT_DOUBLE_EQ(options.aim_stddev, 0.04);
  EXPECT_EQ(options.search.candidate_bins, 7);
  EXPECT_EQ(options.search.full_scan, 5);
  EXPECT_EQ(options.search.neighbours, 2);
  EXPECT_EQ(options.search.swap_samples, 9);
  EXPECT_EQ(options.sticky_slacks, (std::vector<double>{0.25}));
  EXPECT_DOUBLE_EQ(options.optimum_tolerance, 0.002);
  EXPECT_EQ(options.exact_budget, 99);
}

TEST(VcpuPlanTest, SpreadsWithTheFewestMoves) {
  const Usage usage = MakeUsage(
      2, OneVcpuEach({Pinned(1, 0), Pinned(1, 0), Pinned(1, 0), Pinned(1, 1)}));
  const VcpuPolicyConfig config;
  const PlanResult plan =
      PlanVcpuPlacement(config, Limits(0.05), ProblemOf(config, usage));
  EXPECT_EQ(plan.chosen.changes, 1);
  EXPECT_NEAR(plan.chosen.stddev, 0, 1e-12);
}

TEST(VcpuPlanTest, StickySlacksAreTheOnesConfigured) {
  // Loads 1.7 and 0.4 on two pCPUs: a sticky placement finds the two moves
  // (0.4 and 0.3 over) that local search alone does in three.
  PlacementProblem problem;
  problem.base_load = {0, 0};
  problem.demand = {0.5, 0.4, 0.4, 0.3, 0.5};
  problem.current = {0, 0, 1, 0, 0};
  VcpuPolicyConfig config;
  config.exact_budget = 0;  // the heuristics alone
  const PlanResult sticky =
      PlanPlacement(problem, PlanOptionsFor(config, Limits(0.05)));
  EXPECT_EQ(sticky.chosen.method, "sticky");
  EXPECT_EQ(sticky.chosen.changes, 2);
  config.sticky_slacks.clear();
  const PlanResult without =
      PlanPlacement(problem, PlanOptionsFor(config, Limits(0.05)));
  EXPECT_NE(without.chosen.method, "sticky");
  EXPECT_EQ(without.chosen.changes, 3);
}

// Two busy vCPUs pinned to SMT siblings, two light ones sharing pCPU 4. The
// planner would also part the light ones, for less than min_gain: the plan
// offered is the core fix alone, one move, which the gate can accept.
TEST(VcpuPlanTest, WithoutABalanceGainTheCoresAloneArePlanned) {
  Usage usage = MakeUsage(8, OneVcpuEach({Pinned(1, 0), Pinned(1, 1),
                                          Pinned(0.1, 4), Pinned(0.1, 4)}));
  usage.topology = SmtHost(4);
  const VcpuPolicyConfig config;
  const VcpuProblem problem = ProblemOf(config, usage);
  VcpuThresholds limits = Limits(0.05);
  const PlanResult full = PlanVcpuPlacement(config, limits, problem);
  ASSERT_GT(full.chosen.changes, 1) << full.chosen.method;
  limits.min_gain = 1;  // no per-pCPU gain earns pins
  const PlanResult plan = PlanVcpuPlacement(config, limits, problem);
  EXPECT_EQ(plan.chosen.method, "current+cores");
  EXPECT_EQ(plan.chosen.changes, 1);
  EXPECT_FALSE(FindCoreCrowding(problem.placement, plan.chosen.assignment,
                                TopologyConfig())
                   .crowded());
}

TEST(PinsForTest, MovesAndOptionallyFixesUnpinnedVcpusWhereTheyRun) {
  // vm0 pinned to 0 moves to 1; vm1 unpinned on 0 stays.
  const Usage usage = MakeUsage(2, OneVcpuEach({Pinned(1, 0), Floating(1, 0)}));
  const VcpuProblem problem = ProblemOf({}, usage);
  Plan plan;
  plan.assignment = {1, 0};
  std::vector<PinChange> pins = PinsFor(usage, problem, plan, true);
  ASSERT_EQ(pins.size(), 2u);
  EXPECT_EQ(pins[0].domain, "vm0");
  EXPECT_EQ(pins[0].uuid, "uuid-vm0");
  EXPECT_EQ(pins[0].from, CpuSet{0});
  EXPECT_EQ(pins[0].to_pcpu, 1);
  EXPECT_EQ(pins[1].domain, "vm1");
  EXPECT_EQ(pins[1].to_pcpu, 0);  // pinned where it already runs

  pins = PinsFor(usage, problem, plan, false);
  ASSERT_EQ(pins.size(), 1u);
  EXPECT_EQ(pins[0].domain, "vm0");
}

}  // namespace
}  // namespace vmbalance
