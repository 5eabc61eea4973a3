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

}  // namespace
}  // namespace vmbalance
