#include "controller/memory/grant.h"

#include "controller/memory/memory_samples.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using testing_memory::HostWith;
using testing_memory::kMiB;

// A settled guest: its balloon at actual, nothing consumed.
GuestView View(uint64_t actual_mib, uint64_t unused_mib,
               uint64_t max_mib = 2048) {
  GuestView v;
  v.actual_kib = v.current_kib = actual_mib * kMiB;
  v.unused_kib = unused_mib * kMiB;
  v.need_kib = (actual_mib - unused_mib) * kMiB;
  v.projected_free_kib = unused_mib * kMiB;
  v.max_kib = max_mib * kMiB;
  return v;
}

MemoryThresholds Limits(const MemoryPolicyConfig& config) {
  return ComputeThresholds(config, HostWith(4096, 3000, 0, {}), 1);
}

HostBudget Budget(uint64_t budget_mib, bool host_short = false) {
  HostBudget b;
  b.grant_budget_kib = budget_mib * kMiB;
  b.host_short = host_short;
  return b;
}

TEST(FindNeedsTest, BelowTheLowMarkOrSoonToBe) {
  const MemoryPolicyConfig config;
  GuestView soon = View(1024, 130);
  soon.rate_kib_s = 70 * kMiB;
  soon.expected_kib = 70 * kMiB;  // 130 < 100 + 70
  const std::vector<GuestView> views = {View(512, 100), View(512, 99), soon};
  TargetPlan plan = StartPlan(views);
  const std::vector<MemoryNeed> needs =
      FindNeeds(config, Limits(config), views, &plan);
  ASSERT_EQ(needs.size(), 2u);
  // Most urgent first: soon lacks 40 MiB, the other 1 MiB.
  EXPECT_EQ(needs[0].view, 2u);
  EXPECT_EQ(needs[0].urgent_kib, 40 * kMiB);
  // Aim 200 + 4 intervals x 70 MiB/s of headroom, from 130.
  EXPECT_EQ(needs[0].want_kib, (200 + 280 - 130) * kMiB);
  EXPECT_EQ(needs[1].view, 1u);
  EXPECT_EQ(needs[1].urgent_kib, 1 * kMiB);
  EXPECT_EQ(needs[1].want_kib, 101 * kMiB);
}

TEST(FindNeedsTest, WantIsAtLeastOneStepAndAtMostTheRoomLeft) {
  const MemoryPolicyConfig config;  // 16 MiB minimum change
  GuestView near_aim = View(1024, 190);
  near_aim.expected_kib = 100 * kMiB;  // trigger 200, aim 200: 10 short
  const std::vector<GuestView> views = {near_aim, View(2040, 10),
                                        View(2048, 10)};
  TargetPlan plan = StartPlan(views);
  const std::vector<MemoryNeed> needs =
      FindNeeds(config, Limits(config), views, &plan);
  ASSERT_EQ(needs.size(), 2u);
  EXPECT_EQ(needs[0].view, 0u);  // 10 MiB short of the trigger
  EXPECT_EQ(needs[0].want_kib, 16 * kMiB);
  EXPECT_EQ(needs[0].urgent_kib, 10 * kMiB);
  EXPECT_EQ(needs[1].view, 1u);
  EXPECT_EQ(needs[1].want_kib, 8 * kMiB);  // to the ceiling
  EXPECT_EQ(plan.note[2], "needs memory but at max");
}

TEST(ShareBudgetTest, UrgentPartsFirstThenTheRestInOrder) {
  const std::vector<MemoryNeed> needs = {{0, 50 * kMiB, 200 * kMiB},
                                         {1, 30 * kMiB, 100 * kMiB}};
  EXPECT_EQ(ShareBudget(needs, 60 * kMiB),
            (std::vector<uint64_t>{50 * kMiB, 10 * kMiB}));
  EXPECT_EQ(ShareBudget(needs, 200 * kMiB),
            (std::vector<uint64_t>{170 * kMiB, 30 * kMiB}));
  EXPECT_EQ(ShareBudget(needs, 1000 * kMiB),
            (std::vector<uint64_t>{200 * kMiB, 100 * kMiB}));
}

TEST(GrantMemoryTest, GrowsWithinTheBudgetAndCountsTheUnmet) {
  const MemoryPolicyConfig config;
  const std::vector<GuestView> views = {View(512, 50), View(1024, 300)};
  const GrantResult r =
      GrantMemory(config, Limits(config), views, Budget(100), StartPlan(views));
  EXPECT_EQ(r.plan.target_kib[0], 612 * kMiB);
  EXPECT_EQ(r.plan.note[0], "grow (partial: host budget)");
  EXPECT_EQ(r.plan.target_kib[1], 1024 * kMiB);
  EXPECT_EQ(r.granted_kib, 100 * kMiB);
  EXPECT_EQ(r.unmet_kib, 50 * kMiB);
}

TEST(GrantMemoryTest, NoShareBelowOneStepUnlessItReachesTheCeiling) {
  const MemoryPolicyConfig config;  // 16 MiB minimum change
  std::vector<GuestView> views = {View(512, 50)};
  GrantResult r =
      GrantMemory(config, Limits(config), views, Budget(10), StartPlan(views));
  EXPECT_EQ(r.plan.target_kib[0], 512 * kMiB);
  EXPECT_EQ(r.plan.note[0], "needs memory; no host budget");
  EXPECT_EQ(r.unmet_kib, 150 * kMiB);
  views = {View(2040, 50)};
  r = GrantMemory(config, Limits(config), views, Budget(10), StartPlan(views));
  EXPECT_EQ(r.plan.target_kib[0], 2048 * kMiB);
  EXPECT_EQ(r.plan.note[0], "grow");
}

TEST(GrantMemoryTest, NothingWhileTheHostIsShort) {
  const MemoryPolicyConfig config;
  const std::vector<GuestView> views = {View(512, 50)};
  const GrantResult r = GrantMemory(config, Limits(config), views,
                                    Budget(1000, true), StartPlan(views));
  EXPECT_EQ(r.plan.target_kib[0], 512 * kMiB);
  EXPECT_EQ(r.plan.note[0], "needs memory; host short");
  EXPECT_EQ(r.granted_kib, 0u);
  EXPECT_EQ(r.unmet_kib, 0u);  // the host's own need comes first
  // ...but what it lacks to get above the low mark is still reported: back
  // to 100 MiB free (50) plus one minimum change (16).
  EXPECT_EQ(r.starving_kib, 66 * kMiB);
}

TEST(GrantMemoryTest, StarvingIsTheUrgentPartNotGiven) {
  const MemoryPolicyConfig config;
  const std::vector<GuestView> views = {View(512, 50), View(512, 90)};
  // No budget: 50 + 16 and 10 + 16 MiB lack.
  GrantResult r =
      GrantMemory(config, Limits(config), views, Budget(0), StartPlan(views));
  EXPECT_EQ(r.starving_kib, (66 + 26) * kMiB);
  // 55 MiB: the first is back at the low mark; the second's 5 MiB share is
  // below a minimum change, so not given, and it still lacks 26.
  r = GrantMemory(config, Limits(config), views, Budget(55), StartPlan(views));
  EXPECT_EQ(r.starving_kib, 26 * kMiB);
  // Plenty: nobody starves.
  r = GrantMemory(config, Limits(config), views, Budget(1000),
                  StartPlan(views));
  EXPECT_EQ(r.starving_kib, 0u);
}

TEST(FindNeedsTest, AGuestUnderPressureIsNeedyWhateverItsFreeMemory) {
  const MemoryPolicyConfig config;  // pressure grow 128 MiB
  GuestView thrashing = View(1024, 500);
  thrashing.pressure = "pressure: 300 major faults/s";
  GuestView low_and_thrashing = View(512, 50);
  low_and_thrashing.pressure = "pressure: swap-in 4 MiB/s";
  const std::vector<GuestView> views = {View(1024, 500), thrashing,
                                        low_and_thrashing, View(2000, 500)};
  TargetPlan plan = StartPlan(views);
  const std::vector<MemoryNeed> needs =
      FindNeeds(config, Limits(config), views, &plan);
  ASSERT_EQ(needs.size(), 2u);
  // Low and thrashing: its usual want (150) covers the pressure step, and
  // all of it is urgent.
  EXPECT_EQ(needs[0].view, 2u);
  EXPECT_EQ(needs[0].want_kib, 150 * kMiB);
  EXPECT_EQ(needs[0].urgent_kib, 150 * kMiB);
  EXPECT_EQ(needs[1].view, 1u);
  EXPECT_EQ(needs[1].want_kib, 128 * kMiB);
  EXPECT_EQ(needs[1].urgent_kib, 128 * kMiB);
}

TEST(GrantMemoryTest, APressureGrowSaysWhy) {
  const MemoryPolicyConfig config;
  std::vector<GuestView> views = {View(1024, 500)};
  views[0].pressure = "pressure: 300 major faults/s";
  const GrantResult r = GrantMemory(config, Limits(config), views, Budget(1000),
                                    StartPlan(views));
  EXPECT_EQ(r.plan.target_kib[0], (1024 + 128) * kMiB);
  EXPECT_EQ(r.plan.note[0], "grow (pressure: 300 major faults/s)");
}

}  // namespace
}  // namespace vmbalance
