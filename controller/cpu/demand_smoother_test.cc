#include "controller/cpu/demand_smoother.h"

#include "controller/cpu/usage_builder.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using testing_usage::MakeUsage;
using testing_usage::OneVcpuEach;
using testing_usage::Pinned;
using testing_usage::Unknown;

constexpr DemandSmoothing kSmoothing{0.7, 0.2, 0.3};

TEST(DemandSmootherTest, AveragesSmallChangesAndMeasuresTheirScatter) {
  DemandMemory memory;
  SmoothedDemand first = SmoothDemand(
      MakeUsage(1, OneVcpuEach({Pinned(0.5, 0)})), kSmoothing, &memory);
  EXPECT_DOUBLE_EQ(first.demand[0][0], 0.5);
  EXPECT_DOUBLE_EQ(first.noise_variance[0][0], 0);
  SmoothedDemand second = SmoothDemand(
      MakeUsage(1, OneVcpuEach({Pinned(0.6, 0)})), kSmoothing, &memory);
  EXPECT_NEAR(second.demand[0][0], 0.7 * 0.6 + 0.3 * 0.5, 1e-12);
  EXPECT_NEAR(second.noise_variance[0][0], 0.3 * 0.1 * 0.1, 1e-12);
}

TEST(DemandSmootherTest, AJumpIsANewPhaseNotNoise) {
  DemandMemory memory;
  SmoothDemand(MakeUsage(1, OneVcpuEach({Pinned(0.2, 0)})), kSmoothing,
               &memory);
  SmoothedDemand jumped = SmoothDemand(
      MakeUsage(1, OneVcpuEach({Pinned(0.9, 0)})), kSmoothing, &memory);
  EXPECT_DOUBLE_EQ(jumped.demand[0][0], 0.9);
  EXPECT_DOUBLE_EQ(jumped.noise_variance[0][0], 0);
}

TEST(DemandSmootherTest, AnInvalidReadingForgetsTheAverage) {
  DemandMemory memory;
  SmoothDemand(MakeUsage(1, OneVcpuEach({Pinned(0.15, 0)})), kSmoothing,
               &memory);
  SmoothedDemand invalid = SmoothDemand(MakeUsage(1, OneVcpuEach({Unknown(0)})),
                                        kSmoothing, &memory);
  EXPECT_DOUBLE_EQ(invalid.demand[0][0], 0);
  EXPECT_FALSE(memory.at("uuid-vm0").at(0).known);
  // The next reading starts afresh: not averaged with the old one, nor with
  // a zero for the unread interval.
  SmoothedDemand back = SmoothDemand(
      MakeUsage(1, OneVcpuEach({Pinned(0.1, 0)})), kSmoothing, &memory);
  EXPECT_DOUBLE_EQ(back.demand[0][0], 0.1);
}

}  // namespace
}  // namespace vmbalance
