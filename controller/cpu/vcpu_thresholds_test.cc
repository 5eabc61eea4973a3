#include "controller/cpu/vcpu_thresholds.h"

#include "gtest/gtest.h"

namespace vmbalance {
namespace {

TEST(VcpuThresholdsTest, TargetIsTheStricterReadingAboveTheFloor) {
  const VcpuPolicyConfig config;
  // 5% of a mean of 0.6 = 0.03, below the absolute 0.05.
  EXPECT_DOUBLE_EQ(ComputeThresholds(config, 0.6, 0, 0, 0).target_stddev, 0.03);
  // 5% of 4 = 0.2: the absolute 0.05 is stricter.
  EXPECT_DOUBLE_EQ(ComputeThresholds(config, 4, 0, 0, 0).target_stddev, 0.05);
  // A nearly idle host: never below the measurement floor.
  EXPECT_DOUBLE_EQ(ComputeThresholds(config, 0.01, 0, 0, 0).target_stddev,
                   config.min_stddev_floor);
}

TEST(VcpuThresholdsTest, NoiseWidensTheMarginsAndTheGain) {
  VcpuPolicyConfig config;
  const VcpuThresholds quiet = ComputeThresholds(config, 4, 0.3, 0, 0);
  EXPECT_DOUBLE_EQ(quiet.aim_stddev, 0.8 * 0.05);
  EXPECT_DOUBLE_EQ(quiet.noise_margin, 0);
  EXPECT_DOUBLE_EQ(quiet.noise_ceiling, 0.05);
  EXPECT_DOUBLE_EQ(quiet.min_gain, 0.1 * 0.3);  // the ratio of the std-dev
  EXPECT_DOUBLE_EQ(quiet.urgent_stddev, 2 * 0.05);

  // Per-pCPU noise 0.1 (x2) plus a window margin of 0.05.
  const VcpuThresholds noisy = ComputeThresholds(config, 4, 0.3, 0.1, 0.05);
  EXPECT_DOUBLE_EQ(noisy.noise_margin, 0.25);
  EXPECT_DOUBLE_EQ(noisy.noise_ceiling, 0.3);
  EXPECT_DOUBLE_EQ(noisy.min_gain, 0.25);
  EXPECT_DOUBLE_EQ(noisy.urgent_stddev, 0.35);

  // A small, quiet std-dev: the absolute gain floor.
  EXPECT_DOUBLE_EQ(ComputeThresholds(config, 4, 0.06, 0, 0).min_gain,
                   config.min_gain_abs);
}

}  // namespace
}  // namespace vmbalance
