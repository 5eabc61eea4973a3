#include "controller/cpu/vcpu_gate.h"

#include <string>
#include <utility>
#include <vector>

#include "controller/cpu/usage_builder.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using testing_usage::Floating;
using testing_usage::MakeUsage;
using testing_usage::OneVcpuEach;
using testing_usage::Pinned;
using testing_usage::SmtHost;
using testing_usage::Unknown;
using testing_usage::VcpuSpec;

VcpuAssessment AssessOnce(const VcpuPolicyConfig& config, const Usage& usage) {
  DemandMemory memory;
  return Assess(config, usage, SmoothDemand(usage, {1, 1, 0}, &memory));
}

// Two pCPUs at 1.2 and 0.8: std-dev 0.2.
VcpuAssessment Imbalanced() {
  return AssessOnce(
      {}, MakeUsage(2, OneVcpuEach(
                           {Pinned(0.6, 0), Pinned(0.6, 0), Pinned(0.8, 1)})));
}

VcpuThresholds Limits(double min_gain, double urgent_stddev) {
  VcpuThresholds limits;
  limits.target_stddev = 0.05;
  limits.aim_stddev = 0.04;
  limits.min_gain = min_gain;
  limits.urgent_stddev = urgent_stddev;
  return limits;
}

PlanResult PlanReaching(double chosen, double best) {
  PlanResult plan;
  plan.chosen.stddev = chosen;
  plan.best_stddev = best;
  return plan;
}

TEST(JudgePlanGainTest, AGainAboveTheMinimumIsWorthPins) {
  ASSERT_NEAR(Imbalanced().stddev, 0.2, 1e-12);
  EXPECT_FALSE(
      JudgePlanGain(Limits(0.05, 1), Imbalanced(), PlanReaching(0.04, 0.04)));
  EXPECT_FALSE(
      JudgePlanGain(Limits(0.05, 1), Imbalanced(), PlanReaching(0.1, 0.1)));
}

TEST(JudgePlanGainTest, TooSmallAGainLeavesTheBestReachable) {
  // Target out of reach, the best only 0.03 lower: hold, at the optimum.
  std::optional<VcpuVerdict> verdict =
      JudgePlanGain(Limits(0.05, 1), Imbalanced(), PlanReaching(0.17, 0.17));
  ASSERT_TRUE(verdict.has_value());
  EXPECT_TRUE(verdict->balanced && verdict->at_optimum);
  EXPECT_NE(verdict->reason.find("best reachable"), std::string::npos);
  // Target reachable, but the current std-dev is within min_gain of it.
  verdict =
      JudgePlanGain(Limits(0.2, 1), Imbalanced(), PlanReaching(0.04, 0.04));
  ASSERT_TRUE(verdict.has_value());
  EXPECT_NE(verdict->reason.find("within noise"), std::string::npos);
}

TEST(JudgePlanGainTest, AVcpuToPlaceIsAlwaysWorthIt) {
  VcpuPolicyConfig config;
  config.allowed_pcpus = CpuSet{0, 1};
  const VcpuAssessment now = AssessOnce(
      config,
      MakeUsage(3, OneVcpuEach(
                       {Pinned(1, 0), VcpuSpec{0.01, 2, CpuSet{0, 1}, true}})));
  ASSERT_EQ(now.problem.unplaced, 1);
  EXPECT_FALSE(JudgePlanGain(Limits(5, 1), now, PlanReaching(0.5, 0.5)));
}

// vm0 and vm1 busy (`kind`: Pinned or Floating) on SMT siblings 0 and 1,
// vm2 light and pinned on pCPU 4; cores 1-3 idle.
VcpuAssessment CrowdedCores(VcpuSpec (*kind)(double, int)) {
  Usage usage =
      MakeUsage(8, OneVcpuEach({kind(1, 0), kind(1, 1), Pinned(0.1, 4)}));
  usage.topology = SmtHost(4);
  return AssessOnce({}, usage);
}

// A plan that puts the three vCPUs on `pcpus` (all usable: bin = pCPU),
// at the current std-dev: no per-pCPU gain at all.
PlanResult PlanOn(const VcpuAssessment& now, Assignment pcpus) {
  PlanResult plan = PlanReaching(now.stddev, now.stddev);
  plan.chosen.changes = CountChanges(now.problem.placement, pcpus);
  plan.chosen.assignment = std::move(pcpus);
  return plan;
}

// Moving one busy vCPU off the shared core earns its pin, though the
// per-pCPU std-dev does not move.
TEST(JudgePlanGainTest, LessCoreCrowdingIsWorthItsPins) {
  const VcpuAssessment now = CrowdedCores(Pinned);
  ASSERT_EQ(now.problem.placement.current, (Assignment{0, 1, 4}));
  ASSERT_EQ(CrowdingOf(now, now.problem.placement.current).busy_items, 2);
  EXPECT_FALSE(JudgePlanGain(Limits(0.05, 1), now, PlanOn(now, {0, 2, 4})));
}

// No churn: a plan that leaves the crowding as it is (moves the light vCPU,
// or the two busy ones swap threads) or fixes it at more pins than the fix
// alone needs (it also moves the light vCPU) is not worth it.
TEST(JudgePlanGainTest, PinsBeyondTheCrowdingFixAreNotEarned) {
  const VcpuAssessment now = CrowdedCores(Pinned);
  std::optional<VcpuVerdict> verdict =
      JudgePlanGain(Limits(0.05, 1), now, PlanOn(now, {0, 1, 6}));
  ASSERT_TRUE(verdict.has_value());
  EXPECT_NE(verdict->reason.find("best reachable"), std::string::npos);
  EXPECT_TRUE(
      JudgePlanGain(Limits(0.05, 1), now, PlanOn(now, {1, 0, 4})).has_value());
  EXPECT_TRUE(
      JudgePlanGain(Limits(0.05, 1), now, PlanOn(now, {0, 2, 6})).has_value());
}

// The first sight of crowded cores on a host balanced per pCPU waits, and
// says why.
TEST(WaitBeforeActingTest, NamesCrowdedCoresOnABalancedHost) {
  const VcpuAssessment now = CrowdedCores(Pinned);
  VcpuThresholds limits = Limits(0.05, 10);
  limits.target_stddev = 1;
  VcpuPolicyState state;
  std::optional<std::string> wait =
      WaitBeforeActing(VcpuPolicyConfig(), limits, now, &state);
  ASSERT_TRUE(wait.has_value());
  EXPECT_NE(wait->find("2 busy vCPU(s) share a core"), std::string::npos)
      << *wait;
}

// Floating vCPUs seen on siblings (with no harm shown) are no crowding to
// pin away.
TEST(JudgePlanGainTest, FloatingVcpusSeenOnSiblingsEarnNoPins) {
  const VcpuAssessment now = CrowdedCores(Floating);
  EXPECT_EQ(CrowdingOf(now, now.problem.placement.current).busy_items, 0);
  EXPECT_TRUE(
      JudgePlanGain(Limits(0.05, 1), now, PlanOn(now, {0, 2, 4})).has_value());
}

TEST(CoolingDownTest, RunsForTheConfiguredIntervalsAfterAppliedPins) {
  VcpuPolicyConfig config;
  config.cooldown_intervals = 2;
  VcpuPolicyState state;
  state.intervals = 1;
  EXPECT_FALSE(CoolingDown(config, state));  // never pinned
  state.last_pins_interval = 5;
  state.intervals = 6;
  EXPECT_TRUE(CoolingDown(config, state));
  state.intervals = 7;
  EXPECT_TRUE(CoolingDown(config, state));
  state.intervals = 8;
  EXPECT_FALSE(CoolingDown(config, state));
}

TEST(WaitBeforeActingTest, CooldownHoldsAndDoesNotCountTheStreak) {
  VcpuPolicyState state;
  state.intervals = 2;
  state.last_pins_interval = 1;
  std::optional<std::string> wait =
      WaitBeforeActing({}, Limits(0.02, 1), Imbalanced(), &state);
  ASSERT_TRUE(wait.has_value());
  EXPECT_NE(wait->find("cooling"), std::string::npos);
  EXPECT_EQ(state.imbalanced_streak, 0);
}

TEST(WaitBeforeActingTest, UnreadVcpusAreWaitedForAWhile) {
  const VcpuAssessment now =
      AssessOnce({}, MakeUsage(2, OneVcpuEach({Pinned(0.6, 0), Pinned(0.6, 0),
                                               Pinned(0.8, 1), Unknown(1)})));
  VcpuPolicyConfig config;
  VcpuPolicyState state;
  state.unknown_streak = config.unknown_wait_intervals;
  std::optional<std::string> wait =
      WaitBeforeActing(config, Limits(0.02, 0.1), now, &state);
  ASSERT_TRUE(wait.has_value());
  EXPECT_NE(wait->find("no reading yet"), std::string::npos);
  state.unknown_streak = config.unknown_wait_intervals + 1;
  EXPECT_FALSE(WaitBeforeActing(config, Limits(0.02, 0.1), now, &state));
}

TEST(WaitBeforeActingTest, AModerateImbalanceMustBeSeenTwice) {
  VcpuPolicyState state;
  std::optional<std::string> wait =
      WaitBeforeActing({}, Limits(0.02, 1), Imbalanced(), &state);
  ASSERT_TRUE(wait.has_value());
  EXPECT_NE(wait->find("waiting to see it again"), std::string::npos);
  EXPECT_EQ(state.imbalanced_streak, 1);
  EXPECT_FALSE(WaitBeforeActing({}, Limits(0.02, 1), Imbalanced(), &state));
  EXPECT_EQ(state.imbalanced_streak, 2);
}

TEST(WaitBeforeActingTest, AnUrgentImbalanceIsActedOnAtOnce) {
  VcpuPolicyState state;
  EXPECT_FALSE(WaitBeforeActing({}, Limits(0.02, 0.19), Imbalanced(), &state));
  EXPECT_EQ(state.imbalanced_streak, 1);
}

}  // namespace
}  // namespace vmbalance
