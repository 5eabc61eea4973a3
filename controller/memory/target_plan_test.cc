#include "controller/memory/target_plan.h"

#include "gtest/gtest.h"

namespace vmbalance {
namespace {

constexpr uint64_t kMiB = 1024;

GuestView View(size_t domain_index, uint64_t actual_mib, uint64_t current_mib) {
  GuestView v;
  v.domain_index = domain_index;
  v.actual_kib = actual_mib * kMiB;
  v.current_kib = current_mib * kMiB;
  v.in_flight = current_mib != actual_mib;
  return v;
}

std::vector<GuestMemoryStatus> Statuses(int n) {
  std::vector<GuestMemoryStatus> statuses(n);
  for (int i = 0; i < n; ++i) {
    statuses[i].uuid = "uuid-" + std::to_string(i);
    statuses[i].domain = "vm" + std::to_string(i);
  }
  return statuses;
}

TEST(TargetPlanTest, StartPlanKeepsEveryGuestWhereItIsHeading) {
  const std::vector<GuestView> views = {View(0, 512, 512), View(1, 512, 700)};
  const TargetPlan plan = StartPlan(views);
  EXPECT_EQ(plan.target_kib, (std::vector<uint64_t>{512 * kMiB, 700 * kMiB}));
  EXPECT_EQ(plan.note, (std::vector<std::string>{"", ""}));
}

TEST(EmitChangesTest, ShrinksFirstThenGrowsEachInSampleOrder) {
  // Domain 1 has no view (stale).
  const std::vector<GuestView> views = {View(0, 512, 512), View(2, 1024, 1024),
                                        View(3, 512, 512), View(4, 1024, 1024)};
  TargetPlan plan = StartPlan(views);
  plan.target_kib = {600 * kMiB, 900 * kMiB, 512 * kMiB, 800 * kMiB};
  plan.note = {"grow", "release idle", "", "reclaim (host short)"};
  std::vector<GuestMemoryStatus> statuses = Statuses(5);
  const std::vector<BalloonChange> changes =
      EmitChanges(views, plan, &statuses);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].uuid, "uuid-2");
  EXPECT_EQ(changes[1].uuid, "uuid-4");
  EXPECT_EQ(changes[2].uuid, "uuid-0");
  EXPECT_EQ(changes[2].domain, "vm0");
  EXPECT_EQ(changes[2].from_kib, 512 * kMiB);
  EXPECT_EQ(changes[2].to_kib, 600 * kMiB);
  EXPECT_EQ(statuses[0].target_kib, 600 * kMiB);
  EXPECT_TRUE(statuses[0].in_flight);
  EXPECT_EQ(statuses[0].note, "grow");
  EXPECT_EQ(statuses[4].note, "reclaim (host short)");
  EXPECT_EQ(statuses[1].note, "");
  EXPECT_FALSE(statuses[3].in_flight);
}

TEST(EmitChangesTest, ChangeIsFromActualAndMeasuredAgainstTheInFlightTarget) {
  // Heading to 700 from 512; the plan now says 600: a shrink of the target,
  // though above actual.
  const std::vector<GuestView> views = {View(0, 512, 700), View(1, 600, 700)};
  TargetPlan plan = StartPlan(views);
  plan.target_kib = {600 * kMiB, 600 * kMiB};
  std::vector<GuestMemoryStatus> statuses = Statuses(2);
  const std::vector<BalloonChange> changes =
      EmitChanges(views, plan, &statuses);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].from_kib, 512 * kMiB);
  EXPECT_EQ(changes[0].to_kib, 600 * kMiB);
  EXPECT_TRUE(statuses[0].in_flight);
  EXPECT_FALSE(statuses[1].in_flight);  // already there
}

}  // namespace
}  // namespace vmbalance
