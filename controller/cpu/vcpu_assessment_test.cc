#include "controller/cpu/vcpu_assessment.h"

#include <cmath>
#include <string>
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

// The readings as they are (no history), with the given noise variance for
// every vCPU.
SmoothedDemand AsRead(const Usage& usage, double noise_variance = 0) {
  SmoothedDemand smoothed;
  for (const DomainUsage& domain : usage.domains) {
    smoothed.demand.emplace_back();
    smoothed.noise_variance.emplace_back();
    for (const VcpuUsage& vcpu : domain.vcpus) {
      smoothed.demand.back().push_back(vcpu.valid ? vcpu.demand : 0);
      smoothed.noise_variance.back().push_back(noise_variance);
    }
  }
  return smoothed;
}

TEST(AssessTest, DescribesTheCurrentPlacement) {
  const Usage usage = MakeUsage(
      4, OneVcpuEach({Pinned(1.0, 0), Pinned(0.5, 0), Pinned(0.5, 1)}));
  const VcpuAssessment now = Assess({}, usage, AsRead(usage));
  EXPECT_EQ(now.pcpu_demand, (std::vector<double>{1.5, 0.5, 0, 0}));
  EXPECT_DOUBLE_EQ(now.mean, 0.5);
  EXPECT_DOUBLE_EQ(now.stddev, std::sqrt(1.5 / 4));
  EXPECT_DOUBLE_EQ(now.placed_mean, 0.5);
  EXPECT_EQ(now.problem.managed, 3);
}

TEST(AssessTest, AVcpuOutsideTheUsablePcpusCountsOnlyOncePlaced) {
  VcpuPolicyConfig config;
  config.allowed_pcpus = CpuSet{0, 1};
  const Usage usage =
      MakeUsage(4, OneVcpuEach({Pinned(1.0, 0), Pinned(1.0, 1),
                                VcpuSpec{1.0, 3, CpuSet{0, 1}, true}}));
  const VcpuAssessment now = Assess(config, usage, AsRead(usage));
  EXPECT_EQ(now.problem.unplaced, 1);
  EXPECT_DOUBLE_EQ(now.mean, 1.0);         // where they are now
  EXPECT_DOUBLE_EQ(now.placed_mean, 1.5);  // once the third is placed
}

TEST(AssessTest, PcpuNoiseSumsTheVariancesOfItsVcpus) {
  // Two vCPUs on pCPU 0, one on pCPU 1, each with variance 0.01: per-pCPU
  // variances 0.02 and 0.01, root mean sqrt(0.015).
  const Usage usage = MakeUsage(
      2, OneVcpuEach({Pinned(0.5, 0), Pinned(0.5, 0), Pinned(0.5, 1)}));
  const VcpuAssessment now = Assess({}, usage, AsRead(usage, 0.01));
  EXPECT_NEAR(now.pcpu_noise, std::sqrt(0.015), 1e-12);
  EXPECT_DOUBLE_EQ(now.window_margin, 0);  // no window skew
}

TEST(AssessTest, WindowMarginGrowsForVcpusThatMostlyWait) {
  Usage usage = MakeUsage(2, OneVcpuEach({Pinned(1.0, 0)}));
  usage.window_skew = 0.1;
  usage.domains[0].vcpus[0].utilization = 0.25;  // waits 0.75: x4
  const VcpuAssessment now = Assess({}, usage, AsRead(usage));
  // pCPU 0 off by 1.0 x 0.1 x 4, pCPU 1 by 0: root mean square.
  EXPECT_NEAR(now.window_margin, std::sqrt(0.4 * 0.4 / 2), 1e-12);
  VcpuPolicyConfig capped;
  capped.max_window_amplification = 2;
  EXPECT_NEAR(Assess(capped, usage, AsRead(usage)).window_margin,
              std::sqrt(0.2 * 0.2 / 2), 1e-12);
}

TEST(UnjudgeableTest, NoPcpuNoVcpuOrTooFewReadings) {
  VcpuPolicyConfig outside;
  outside.allowed_pcpus = CpuSet{8};
  const Usage one = MakeUsage(2, OneVcpuEach({Pinned(1.0, 0)}));
  std::optional<VcpuVerdict> verdict =
      Unjudgeable(outside, Assess(outside, one, AsRead(one)).problem);
  ASSERT_TRUE(verdict.has_value());
  EXPECT_EQ(verdict->reason, "no usable pCPU");
  EXPECT_FALSE(verdict->balanced);

  const Usage empty = MakeUsage(2, {});
  verdict = Unjudgeable({}, Assess({}, empty, AsRead(empty)).problem);
  ASSERT_TRUE(verdict.has_value());
  EXPECT_TRUE(verdict->balanced && verdict->at_optimum);

  const Usage unread =
      MakeUsage(2, OneVcpuEach({Pinned(1.0, 0), Unknown(0), Unknown(1)}));
  verdict = Unjudgeable({}, Assess({}, unread, AsRead(unread)).problem);
  ASSERT_TRUE(verdict.has_value());
  EXPECT_NE(verdict->reason.find("too few valid readings (1 of 3)"),
            std::string::npos);
  EXPECT_FALSE(verdict->balanced);

  const Usage half = MakeUsage(2, OneVcpuEach({Pinned(1.0, 0), Unknown(1)}));
  EXPECT_FALSE(Unjudgeable({}, Assess({}, half, AsRead(half)).problem));
}

// Thresholds set by hand: target 0.05, noise margin 0.1.
VcpuThresholds Limits() {
  VcpuThresholds limits;
  limits.target_stddev = 0.05;
  limits.noise_margin = 0.1;
  limits.noise_ceiling = 0.15;
  return limits;
}

// Two pCPUs whose demands differ by 2 x `stddev` around `mean`.
VcpuAssessment TwoPcpus(double mean, double stddev) {
  const Usage usage = MakeUsage(
      2, OneVcpuEach({Pinned(mean + stddev, 0), Pinned(mean - stddev, 1)}));
  return Assess({}, usage, AsRead(usage));
}

TEST(JudgeCurrentTest, WithinTheTargetIsBalanced) {
  std::optional<VcpuVerdict> verdict =
      JudgeCurrent({}, Limits(), TwoPcpus(1, 0.01));
  ASSERT_TRUE(verdict.has_value());
  EXPECT_TRUE(verdict->balanced);
  EXPECT_TRUE(verdict->at_optimum);  // below min_gain_abs: nothing to gain
  verdict = JudgeCurrent({}, Limits(), TwoPcpus(1, 0.04));
  ASSERT_TRUE(verdict.has_value());
  EXPECT_TRUE(verdict->balanced);
  EXPECT_FALSE(verdict->at_optimum);
  EXPECT_NE(verdict->reason.find("balanced"), std::string::npos);
}

TEST(JudgeCurrentTest, WithinNoiseOfTheTargetIsBalancedEnough) {
  std::optional<VcpuVerdict> verdict =
      JudgeCurrent({}, Limits(), TwoPcpus(1, 0.14));
  ASSERT_TRUE(verdict.has_value());
  EXPECT_TRUE(verdict->balanced);
  EXPECT_FALSE(verdict->at_optimum);
  EXPECT_NE(verdict->reason.find("within noise"), std::string::npos);
  EXPECT_FALSE(JudgeCurrent({}, Limits(), TwoPcpus(1, 0.16)).has_value());
}

TEST(JudgeCurrentTest, AnIdleHostIsLeftAlone) {
  VcpuThresholds limits = Limits();
  limits.target_stddev = limits.noise_ceiling = 0.001;
  std::optional<VcpuVerdict> verdict =
      JudgeCurrent({}, limits, TwoPcpus(0.015, 0.005));
  ASSERT_TRUE(verdict.has_value());
  EXPECT_NE(verdict->reason.find("idle"), std::string::npos);
  EXPECT_FALSE(JudgeCurrent({}, limits, TwoPcpus(0.03, 0.005)).has_value());
}

TEST(JudgeCurrentTest, AVcpuToPlaceIsNeverBalanced) {
  VcpuPolicyConfig config;
  config.allowed_pcpus = CpuSet{0, 1};
  const Usage usage =
      MakeUsage(3, OneVcpuEach({Pinned(1, 0), Pinned(1, 1),
                                VcpuSpec{0.001, 2, CpuSet{0, 1}, true}}));
  const VcpuAssessment now = Assess(config, usage, AsRead(usage));
  ASSERT_LE(now.stddev, Limits().target_stddev);
  EXPECT_FALSE(JudgeCurrent(config, Limits(), now).has_value());
}

// Two busy vCPUs `kind` (Pinned or Floating) on pCPUs `a` and `b` of a
// 4-core SMT host, nothing else.
Usage TwoBusyOn(VcpuSpec (*kind)(double, int), int a, int b) {
  Usage usage = MakeUsage(8, OneVcpuEach({kind(1, a), kind(1, b)}));
  usage.topology = SmtHost(4);
  return usage;
}

// So loose a balance rule that {1, 1, 0, ...} reads balanced: only the
// core rule can find fault with it.
VcpuPolicyConfig LooseBalance() {
  VcpuPolicyConfig config;
  config.max_stddev_ratio = 2;
  config.max_stddev_abs = 0.9;
  return config;
}

// Two busy vCPUs pinned to SMT siblings while three cores idle: not good
// enough, whatever the per-pCPU figures say; on different cores, balanced.
TEST(JudgeCurrentTest, BusyVcpusPinnedToSiblingsWhileACoreIdlesNeedAPlan) {
  const VcpuPolicyConfig config = LooseBalance();
  const Usage crowded = TwoBusyOn(Pinned, 0, 1);
  const VcpuAssessment now = Assess(config, crowded, AsRead(crowded));
  ASSERT_FALSE(now.problem.placement.bin_core.empty());
  const VcpuThresholds limits = ThresholdsFor(config, now);
  ASSERT_LE(now.stddev, limits.target_stddev);
  EXPECT_FALSE(JudgeCurrent(config, limits, now).has_value());

  const Usage spread = TwoBusyOn(Pinned, 0, 2);
  const VcpuAssessment apart = Assess(config, spread, AsRead(spread));
  std::optional<VcpuVerdict> verdict =
      JudgeCurrent(config, ThresholdsFor(config, apart), apart);
  ASSERT_TRUE(verdict.has_value());
  EXPECT_NE(verdict->reason.find("balanced"), std::string::npos);
}

// On a host of many pCPUs two busy vCPUs read as an idle host (mean demand
// below idle_mean); sharing a core, they still need a plan.
TEST(JudgeCurrentTest, CrowdedCoresOnAHostThatReadsIdleNeedAPlan) {
  Usage usage = MakeUsage(64, OneVcpuEach({Pinned(0.6, 0), Pinned(0.6, 1)}));
  usage.topology = SmtHost(32);
  const VcpuAssessment now = Assess({}, usage, AsRead(usage));
  ASSERT_LT(now.placed_mean, VcpuPolicyConfig().idle_mean);
  VcpuThresholds limits = ThresholdsFor({}, now);
  limits.target_stddev = limits.noise_ceiling = 1;  // balanced per pCPU
  EXPECT_FALSE(JudgeCurrent({}, limits, now).has_value());
  limits.target_stddev = limits.noise_ceiling = 0.001;  // only "idle" left
  EXPECT_FALSE(JudgeCurrent({}, limits, now).has_value());
  usage.domains[1].vcpus[0].pcpu = 2;  // other core: idle, left alone
  usage.domains[1].vcpus[0].affinity = CpuSet{2};
  const VcpuAssessment apart = Assess({}, usage, AsRead(usage));
  std::optional<VcpuVerdict> verdict = JudgeCurrent({}, limits, apart);
  ASSERT_TRUE(verdict.has_value());
  EXPECT_NE(verdict->reason.find("idle"), std::string::npos);
}

// The guests' side of TwoBusyOn: each busy vCPU ran `run` and waited
// `wait`; the pCPUs they were seen on were busy for what they ran.
void Felt(Usage* usage, double run, double wait) {
  usage->pcpu_busy_ratio.assign(8, 0.0);
  for (DomainUsage& domain : usage->domains) {
    VcpuUsage& vcpu = domain.vcpus[0];
    vcpu.utilization = run;
    vcpu.runnable = run + wait;
    vcpu.demand = run / (1 - wait);
    vcpu.has_delay = true;
    usage->pcpu_busy_ratio[vcpu.pcpu] = run;
  }
}

// Floating vCPUs are credited to where they last ran: two seen on siblings
// are no fact the kernel (which spreads busy tasks over idle cores) left
// them there. Only when the guests' side shows harm does their crowding
// call for a plan.
TEST(JudgeCurrentTest, FloatingVcpusOnSiblingsNeedAPlanOnlyWhenHarmed) {
  const VcpuPolicyConfig config = LooseBalance();
  Usage fine = TwoBusyOn(Floating, 0, 1);
  Felt(&fine, 1, 0);  // each ran the whole interval
  const VcpuAssessment served = Assess(config, fine, AsRead(fine));
  ASSERT_TRUE(served.guests.known && served.guests.fair);
  EXPECT_TRUE(
      JudgeCurrent(config, ThresholdsFor(config, served), served).has_value());
  // Unknown guests' side (no host figures): no harm shown either.
  const Usage unknown = TwoBusyOn(Floating, 0, 1);
  const VcpuAssessment unseen = Assess(config, unknown, AsRead(unknown));
  ASSERT_FALSE(unseen.guests.known);
  EXPECT_TRUE(
      JudgeCurrent(config, ThresholdsFor(config, unseen), unseen).has_value());

  Usage starved = TwoBusyOn(Floating, 0, 1);
  Felt(&starved, 0.5, 0.5);  // half the interval waiting, 6 pCPUs idle
  const VcpuAssessment harmed = Assess(config, starved, AsRead(starved));
  ASSERT_TRUE(harmed.guests.known && !harmed.guests.fair);
  EXPECT_FALSE(
      JudgeCurrent(config, ThresholdsFor(config, harmed), harmed).has_value());
}

}  // namespace
}  // namespace vmbalance
