#include "controller/cpu/core_spread.h"

#include <vector>

#include "gtest/gtest.h"

namespace vmbalance {
namespace {

// `cores` cores of two threads each: bins 2k and 2k+1 share core k.
PlacementProblem SmtProblem(int cores, std::vector<double> demand,
                            std::vector<int> current) {
  PlacementProblem problem;
  problem.base_load.assign(2 * cores, 0.0);
  for (int b = 0; b < 2 * cores; ++b) {
    problem.bin_core.push_back(b / 2);
    problem.bin_cell.push_back(0);
  }
  problem.demand = std::move(demand);
  problem.current = std::move(current);
  return problem;
}

// Loads {1, 1, 0, 0}: the std-dev is the same whichever pCPUs carry them,
// but on bins 0 and 1 both busy vCPUs share core 0 while core 1 idles.
TEST(CoreSpreadTest, SiblingsCarryingTwoBusyVcpusWhileACoreIdlesAreCrowded) {
  const PlacementProblem problem = SmtProblem(2, {1, 1}, {0, 1});
  const CoreCrowding crowding =
      FindCoreCrowding(problem, problem.current, TopologyConfig());
  EXPECT_TRUE(crowding.crowded());
  EXPECT_EQ(crowding.busy_items, 2);
  EXPECT_EQ(crowding.crowded_bin, 0);
  EXPECT_EQ(crowding.idle_bin, 2);
  EXPECT_FALSE(FindCoreCrowding(problem, {0, 2}, TopologyConfig()).crowded());
}

TEST(CoreSpreadTest, OneMoveSpreadsThemWithoutChangingTheStddev) {
  const PlacementProblem problem = SmtProblem(2, {1, 1}, {0, 1});
  Assignment assignment = problem.current;
  const CoreSpreadResult result =
      SpreadCores(problem, TopologyConfig(), 0.5, &assignment);
  EXPECT_EQ(result.steps, 1);
  EXPECT_EQ(result.extra_changes, 1);
  EXPECT_FALSE(
      FindCoreCrowding(problem, assignment, TopologyConfig()).crowded());
  EXPECT_DOUBLE_EQ(StddevOf(BinLoads(problem, assignment)), 0.5);
}

// Light vCPUs are not busy: two of them may share a core.
TEST(CoreSpreadTest, LightVcpusMayShareACore) {
  const PlacementProblem problem = SmtProblem(2, {0.4, 0.4}, {0, 1});
  EXPECT_FALSE(
      FindCoreCrowding(problem, problem.current, TopologyConfig()).crowded());
}

// A core carrying light load above idle_core_load is not idle.
TEST(CoreSpreadTest, ACoreWithSomeLoadIsNotIdle) {
  const PlacementProblem problem =
      SmtProblem(2, {1, 1, 0.15, 0.15}, {0, 1, 2, 3});
  EXPECT_FALSE(
      FindCoreCrowding(problem, problem.current, TopologyConfig()).crowded());
}

// Without a topology every bin is a core of its own and the per-pCPU
// balance is all there is: nothing is crowded, nothing moves.
TEST(CoreSpreadTest, FlatHostIsLeftAlone) {
  PlacementProblem problem = SmtProblem(2, {1, 1}, {0, 0});
  problem.bin_core.clear();
  problem.bin_cell.clear();
  Assignment assignment = problem.current;
  EXPECT_FALSE(
      FindCoreCrowding(problem, assignment, TopologyConfig()).crowded());
  EXPECT_EQ(SpreadCores(problem, TopologyConfig(), 10, &assignment).steps, 0);
  EXPECT_EQ(assignment, problem.current);
}

// The busy vCPU on bin 1 may not use core 1: not crowding, and not moved.
TEST(CoreSpreadTest, HonoursAllowedBins) {
  PlacementProblem problem = SmtProblem(2, {1, 1}, {0, 1});
  problem.allowed = {{0, 1}, {0, 1}};
  Assignment assignment = problem.current;
  EXPECT_FALSE(
      FindCoreCrowding(problem, assignment, TopologyConfig()).crowded());
  EXPECT_EQ(SpreadCores(problem, TopologyConfig(), 10, &assignment).steps, 0);
  EXPECT_EQ(assignment, problem.current);
  // Only bin 3 of core 1 for the second: it goes there.
  problem.allowed = {{0, 1}, {1, 3}};
  EXPECT_TRUE(
      FindCoreCrowding(problem, assignment, TopologyConfig()).crowded());
  SpreadCores(problem, TopologyConfig(), 10, &assignment);
  EXPECT_EQ(assignment, (Assignment{0, 3}));
}

// Each thread of the idle core carries 0.1: moving the busy vCPU onto one
// would raise the std-dev; trading it for a light one keeps the loads'
// values.
TEST(CoreSpreadTest, SwapsWhenAMoveWouldWorsenTheBalance) {
  const PlacementProblem problem =
      SmtProblem(2, {1, 1, 0.1, 0.1}, {0, 1, 2, 3});
  Assignment assignment = problem.current;
  const double before = StddevOf(BinLoads(problem, assignment));
  const CoreSpreadResult result =
      SpreadCores(problem, TopologyConfig(), before, &assignment);
  EXPECT_EQ(result.steps, 1);
  EXPECT_EQ(result.extra_changes, 2);
  EXPECT_FALSE(
      FindCoreCrowding(problem, assignment, TopologyConfig()).crowded());
  EXPECT_NEAR(StddevOf(BinLoads(problem, assignment)), before, 1e-12);
}

// Each thread of the idle core carries two light vCPUs: no move or swap
// keeps the balance, so two threads trade their whole contents.
TEST(CoreSpreadTest, ExchangesThreadsWhenASwapWouldWorsenTheBalance) {
  TopologyConfig config;
  config.idle_core_load = 0.45;
  const PlacementProblem problem =
      SmtProblem(2, {1, 1, 0.1, 0.1, 0.1, 0.1}, {0, 1, 2, 2, 3, 3});
  Assignment assignment = problem.current;
  const double before = StddevOf(BinLoads(problem, assignment));
  const CoreSpreadResult result =
      SpreadCores(problem, config, before, &assignment);
  EXPECT_EQ(result.steps, 1);
  EXPECT_EQ(result.extra_changes, 3);
  EXPECT_FALSE(FindCoreCrowding(problem, assignment, config).crowded());
  EXPECT_NEAR(StddevOf(BinLoads(problem, assignment)), before, 1e-12);
}

// Two busy vCPUs on one thread: trading that thread's contents would carry
// the crowding along, so one of them moves instead.
TEST(CoreSpreadTest, TwoBusyOnOneThreadAreSplit) {
  const PlacementProblem problem = SmtProblem(2, {1, 1}, {0, 0});
  Assignment assignment = problem.current;
  SpreadCores(problem, TopologyConfig(), 10, &assignment);
  EXPECT_FALSE(
      FindCoreCrowding(problem, assignment, TopologyConfig()).crowded());
  EXPECT_EQ(CountChanges(problem, assignment), 1);
}

// No step may push the std-dev above the limit: with the light vCPU held
// where it is (allowed only there), the idle core's other thread carrying
// base load and a limit at the current std-dev, every way is refused.
TEST(CoreSpreadTest, NeverRaisesTheStddevAboveTheLimit) {
  PlacementProblem problem = SmtProblem(2, {1, 1, 0.2}, {0, 1, 2});
  problem.base_load[3] = 0.02;
  problem.allowed = {{}, {}, {2}};
  Assignment assignment = problem.current;
  const double before = StddevOf(BinLoads(problem, assignment));
  EXPECT_EQ(SpreadCores(problem, TopologyConfig(), before, &assignment).steps,
            0);
  EXPECT_EQ(assignment, problem.current);
  // With room up to a higher limit, the move is taken.
  EXPECT_EQ(SpreadCores(problem, TopologyConfig(), 1, &assignment).steps, 1);
  EXPECT_LE(StddevOf(BinLoads(problem, assignment)), 1);
}

// Of two ways to spread, the one that moves a vCPU back where it runs now
// costs fewer changes and wins.
TEST(CoreSpreadTest, PrefersTheStepWithFewestChanges) {
  PlacementProblem problem = SmtProblem(3, {1, 1}, {0, 5});
  Assignment assignment = {0, 1};  // a plan moved item 1 next to item 0
  SpreadCores(problem, TopologyConfig(), 10, &assignment);
  EXPECT_EQ(assignment, (Assignment{0, 5}));
}

}  // namespace
}  // namespace vmbalance
