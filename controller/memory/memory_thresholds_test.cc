#include "controller/memory/memory_thresholds.h"

#include "controller/memory/memory_samples.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using testing_memory::HostWith;
using testing_memory::kMiB;

TEST(MemoryThresholdsTest, ReserveIsTheLargerOfFloorAndFraction) {
  MemoryPolicyConfig config;  // 200 MiB or 2%
  EXPECT_EQ(
      ComputeThresholds(config, HostWith(4096, 0, 0, {}), 1).host_reserve_kib,
      200 * kMiB);
  EXPECT_EQ(
      ComputeThresholds(config, HostWith(20480, 0, 0, {}), 1).host_reserve_kib,
      ToKib(0.02 * 20480 * kMiB));
}

TEST(MemoryThresholdsTest, HostMemoryUnknownWhenTotalIsZero) {
  MemoryPolicyConfig config;
  EXPECT_FALSE(ComputeThresholds(config, HostWith(0, 0, 0, {}), 1).host_known);
  EXPECT_TRUE(ComputeThresholds(config, HostWith(1, 0, 0, {}), 1).host_known);
}

TEST(MemoryThresholdsTest, IntervalFallsBackToTheDefault) {
  MemoryPolicyConfig config;
  config.default_interval_s = 3;
  const Sample s = HostWith(4096, 0, 0, {});
  EXPECT_DOUBLE_EQ(ComputeThresholds(config, s, 0).interval_s, 3);
  EXPECT_DOUBLE_EQ(ComputeThresholds(config, s, 2).interval_s, 2);
}

TEST(MemoryThresholdsTest, AimNeverBelowTheLowMarkAndSqueezeKeepsOneStep) {
  MemoryPolicyConfig config;
  const Sample s = HostWith(4096, 0, 0, {});
  MemoryThresholds t = ComputeThresholds(config, s, 1);
  EXPECT_EQ(t.aim_unused_kib, 200 * kMiB);
  EXPECT_EQ(t.squeeze_unused_kib, (100 + 16) * kMiB);
  config.target_unused_kib = 50 * kMiB;  // below the low mark
  t = ComputeThresholds(config, s, 1);
  EXPECT_EQ(t.aim_unused_kib, 100 * kMiB);
}

TEST(MemoryThresholdsTest, LookaheadsScaleWithIntervalAndAreCapped) {
  MemoryPolicyConfig config;  // 1 interval to trigger, 4 of headroom, 512 cap
  const MemoryThresholds t =
      ComputeThresholds(config, HostWith(4096, 0, 0, {}), 2);
  EXPECT_EQ(t.ExpectedKib(40 * kMiB), 80 * kMiB);
  EXPECT_EQ(t.HeadroomKib(40 * kMiB), 320 * kMiB);
  EXPECT_EQ(t.ExpectedKib(300 * kMiB), 512 * kMiB);
  EXPECT_EQ(t.HeadroomKib(100 * kMiB), 512 * kMiB);
  EXPECT_EQ(t.ExpectedKib(-5.0 * kMiB), 0u);
}

}  // namespace
}  // namespace vmbalance
