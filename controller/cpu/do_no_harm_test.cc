// The do-no-harm rules through the whole decision (DecideVcpuPins), on
// Usages that say what the guests felt: vCPUs the kernel serves fairly are
// left where they are, bad pins are undone at once, and one noisy reading
// is not acted on.
#include <vector>

#include "controller/cpu/felt_usage.h"
#include "controller/cpu/usage_builder.h"
#include "controller/cpu/vcpu_policy.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using testing_usage::ApplyAndCommit;
using testing_usage::Felt;
using testing_usage::Floating;
using testing_usage::HostBusy;
using testing_usage::MakeUsage;
using testing_usage::OneVcpuEach;
using testing_usage::Pinned;
using testing_usage::VcpuSpec;

// The scenario: 8 one-vCPU guests, busy and light alternating, all
// unpinned, on 2 saturated pCPUs, served fairly by the kernel; each
// interval they are credited to where they last ran, which swings.
Usage FairFloating(int interval) {
  std::vector<VcpuSpec> vcpus;
  for (int i = 0; i < 8; ++i) {
    // Busy ones land 3|1 or 1|3 by turns, light ones the other way.
    const int pcpu = (i < 6) == (interval % 2 == 0) ? 0 : 1;
    vcpus.push_back(Floating(i % 2 == 0 ? 1 : 0.3, pcpu));
  }
  Usage usage = MakeUsage(2, OneVcpuEach(vcpus));
  for (int d = 0; d < 8; ++d) {
    if (d % 2 == 0) {
      Felt(&usage, d, 0.28 + 0.01 * ((d + interval) % 5), 0.68);
    } else {
      Felt(&usage, d, 0.2, 0.35);
    }
  }
  HostBusy(&usage, {1, 1});
  return usage;
}

TEST(DoNoHarmTest, AFairFloatingSetGetsNoPins) {
  VcpuPolicyState state;
  for (int interval = 0; interval < 20; ++interval) {
    const Usage usage = FairFloating(interval);
    const VcpuDecision decision = DecideVcpuPins({}, usage, &state);
    // Per-pCPU sums look far apart (2.7 | 1.7 or the other way round).
    EXPECT_GT(decision.stddev, 0.4);
    EXPECT_TRUE(decision.pins.empty())
        << "interval " << interval << ": " << decision.reason;
    EXPECT_TRUE(decision.balanced) << decision.reason;
  }
}

// 8 busy guests all pinned to pCPU 0, pCPU 1 idle: each runs 1/8.
Usage AllOnPcpu0() {
  Usage usage =
      MakeUsage(2, OneVcpuEach(std::vector<VcpuSpec>(8, Pinned(1, 0))));
  for (int d = 0; d < 8; ++d) Felt(&usage, d, 0.125, 0.87);
  HostBusy(&usage, {1, 0.02});
  return usage;
}

TEST(DoNoHarmTest, BadPinsAreUndoneAtTheFirstReading) {
  VcpuPolicyState state;
  Usage usage = AllOnPcpu0();
  const VcpuDecision decision = DecideVcpuPins({}, usage, &state);
  EXPECT_EQ(decision.pins.size(), 4u) << decision.reason;
  ApplyAndCommit(decision.pins, &usage, &state);
  const std::vector<double> demand = testing_usage::DemandByPcpu(usage);
  EXPECT_NEAR(demand[0], demand[1], 1e-9);
}

TEST(DoNoHarmTest, AFloatingSetTheKernelServesUnfairlyIsStillPinned) {
  // Unpinned, yet 7 busy vCPUs share pCPU 0 and 1 has pCPU 1 (a kernel
  // that does not rebalance): unfair, so the per-pCPU rules act.
  std::vector<VcpuSpec> vcpus(7, Floating(1, 0));
  vcpus.push_back(Floating(1, 1));
  Usage usage = MakeUsage(2, OneVcpuEach(vcpus));
  for (int d = 0; d < 7; ++d) Felt(&usage, d, 0.14, 0.85);
  Felt(&usage, 7, 0.97, 0.02);
  HostBusy(&usage, {1, 1});
  VcpuPolicyState state;
  VcpuDecision decision = DecideVcpuPins({}, usage, &state);
  EXPECT_TRUE(decision.pins.empty());  // seen once
  decision = DecideVcpuPins({}, usage, &state);
  EXPECT_FALSE(decision.pins.empty()) << decision.reason;
}

TEST(DoNoHarmTest, MissingDelayFiguresMakeNothingUrgent) {
  // Per-pCPU demand 7 | 1 by pins, but most vCPUs lost their delay figure
  // this interval: wait for a second reading before pinning.
  std::vector<VcpuSpec> vcpus(7, Pinned(1, 0));
  vcpus.push_back(Pinned(1, 1));
  Usage usage = MakeUsage(2, OneVcpuEach(vcpus));
  for (int d = 0; d < 7; ++d) Felt(&usage, d, 0.14, 0.85);
  Felt(&usage, 7, 0.97, 0.02);
  for (int d = 0; d < 6; ++d) usage.domains[d].vcpus[0].has_delay = false;
  HostBusy(&usage, {1, 1});
  VcpuPolicyState state;
  EXPECT_TRUE(DecideVcpuPins({}, usage, &state).pins.empty());
  EXPECT_FALSE(DecideVcpuPins({}, usage, &state).pins.empty());
}

// 8 busy guests pinned 4|4 on 2 saturated pCPUs: the ideal placement.
Usage RoundRobin() {
  std::vector<VcpuSpec> vcpus;
  for (int i = 0; i < 8; ++i) vcpus.push_back(Pinned(1, i % 2));
  Usage usage = MakeUsage(2, OneVcpuEach(vcpus));
  for (int d = 0; d < 8; ++d) Felt(&usage, d, 0.25, 0.74);
  HostBusy(&usage, {1, 1});
  return usage;
}

// One reading while host load stole CPU from pCPU 1: its four vCPUs ran
// less and, their waits misread, demand 0.5 each (per-pCPU demand 4|2).
Usage NoisyTick() {
  Usage usage = RoundRobin();
  for (int d = 1; d < 8; d += 2) Felt(&usage, d, 0.15, 0.7);
  return usage;
}

TEST(DoNoHarmTest, OneNoisyReadingIsNotActedOn) {
  const std::vector<Usage> readings = {RoundRobin(), RoundRobin(),
                                       RoundRobin(), NoisyTick(),
                                       RoundRobin(), RoundRobin()};
  VcpuPolicyState state;
  int pins = 0;
  for (size_t i = 0; i < readings.size(); ++i) {
    const VcpuDecision decision = DecideVcpuPins({}, readings[i], &state);
    pins += static_cast<int>(decision.pins.size());
    if (i == 3) {
      EXPECT_GT(decision.stddev,
                2 * decision.target_stddev + decision.noise_margin)
          << "by per-pCPU sums alone the noisy reading must look urgent";
    }
  }
  EXPECT_EQ(pins, 0);
}

}  // namespace
}  // namespace vmbalance
