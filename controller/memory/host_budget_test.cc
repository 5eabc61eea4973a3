#include "controller/memory/host_budget.h"

#include "controller/memory/memory_samples.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using testing_memory::HostWith;
using testing_memory::kMiB;

// A 4 GiB host: reserve 200 MiB, recover 64 MiB above it. unbacked_mib: the
// guests' unbacked grants, here all of them grows in flight.
HostBudget Assess(uint64_t free_mib, uint64_t unbacked_mib = 0,
                  uint64_t shrink_mib = 0, uint64_t total_mib = 4096) {
  const MemoryPolicyConfig config;
  const Sample s = HostWith(total_mib, free_mib, 0, {});
  return AssessHost(
      config, ComputeThresholds(config, s, 1), s.host,
      {unbacked_mib * kMiB, unbacked_mib * kMiB, shrink_mib * kMiB});
}

TEST(HostBudgetTest, BudgetIsFreeLessReserveLessUnbacked) {
  const HostBudget b = Assess(3000, 150);
  EXPECT_FALSE(b.host_short);
  EXPECT_FALSE(b.pressure);
  EXPECT_EQ(b.grant_budget_kib, (3000 - 200 - 150) * kMiB);
  EXPECT_EQ(b.host_reclaim_kib, 0u);
}

TEST(HostBudgetTest, AtTheReserveGrantsStopButNothingIsTaken) {
  const HostBudget b = Assess(200);
  EXPECT_TRUE(b.host_short);
  EXPECT_FALSE(b.pressure);
  EXPECT_EQ(b.grant_budget_kib, 0u);
  EXPECT_EQ(b.host_reclaim_kib, 0u);
}

TEST(HostBudgetTest, BelowTheReserveTheHostTakesBackWithHysteresis) {
  const HostBudget b = Assess(100);
  EXPECT_TRUE(b.pressure);
  EXPECT_EQ(b.host_reclaim_kib, (200 + 64 - 100) * kMiB);
}

TEST(HostBudgetTest, InFlightTargetsCountAsIfReached) {
  // Shrinks under way bring it back above the reserve: short, no pressure.
  HostBudget b = Assess(150, 0, 100);
  EXPECT_TRUE(b.host_short);
  EXPECT_FALSE(b.pressure);
  // Grants under way will take it below: short and pressure before it
  // happens (they are unbacked: the guests may touch them any time).
  b = Assess(300, 150);
  EXPECT_TRUE(b.host_short);
  EXPECT_TRUE(b.pressure);
  EXPECT_EQ(b.grant_budget_kib, 0u);
  EXPECT_EQ(b.host_reclaim_kib, (200 + 64 - 150) * kMiB);
}

TEST(HostBudgetTest, UnknownHostMemoryNeitherGrantsNorTakes) {
  const HostBudget b = Assess(0, 0, 0, /*total_mib=*/0);
  EXPECT_FALSE(b.host_short);
  EXPECT_FALSE(b.pressure);
  EXPECT_EQ(b.grant_budget_kib, 0u);
}

TEST(HostBudgetTest, ReclaimNeededAddsUnmetGrantsLessShrinksUnderWay) {
  // No pressure: the shrinks under way already cover part of the unmet.
  EXPECT_EQ(ReclaimNeeded(Assess(3000, 0, 100), 150 * kMiB), 50 * kMiB);
  EXPECT_EQ(ReclaimNeeded(Assess(3000, 0, 200), 150 * kMiB), 0u);
  // Pressure: they are already in the host's own need.
  EXPECT_EQ(ReclaimNeeded(Assess(50, 0, 100), 150 * kMiB),
            (200 + 64 - 150 + 150) * kMiB);
}

TEST(HostBudgetTest, GrantsComeOnlyOutOfAvailableLessReserveLessUnbacked) {
  // 3000 MiB free, but guests may still touch 2500 of what they were given:
  // only 3000 - 200 - 2500 may be granted.
  HostBudget b = Assess(3000, 2500);
  EXPECT_FALSE(b.host_short);
  EXPECT_EQ(b.grant_budget_kib, 300 * kMiB);
  EXPECT_EQ(b.unbacked_kib, 2500 * kMiB);
  // Unbacked grants above available - reserve: short, and the host takes
  // back what would bring it to reserve + recover.
  b = Assess(3000, 2900);
  EXPECT_TRUE(b.host_short);
  EXPECT_TRUE(b.pressure);
  EXPECT_EQ(b.grant_budget_kib, 0u);
  EXPECT_EQ(b.host_reclaim_kib, (200 + 64 - 100) * kMiB);
}

TEST(HostBudgetTest, AvailableIsMemAvailableWhenTheSampleHasIt) {
  const MemoryPolicyConfig config;
  Sample s = HostWith(4096, 3000, 0, {});
  s.host.memory_available_kib = 1000 * kMiB;  // less than free + cached
  const HostBudget b =
      AssessHost(config, ComputeThresholds(config, s, 1), s.host, {});
  EXPECT_EQ(b.free_kib, 1000 * kMiB);
  EXPECT_EQ(b.grant_budget_kib, 800 * kMiB);
}

}  // namespace
}  // namespace vmbalance
