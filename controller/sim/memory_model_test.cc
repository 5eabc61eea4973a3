#include "controller/sim/memory_model.h"

#include <gtest/gtest.h>

namespace vmbalance {
namespace sim {
namespace {

constexpr int64_t kMib = 1024;

GuestMemoryParams Params(MemWorkload workload = MemWorkload::kProfile) {
  GuestMemoryParams p;
  p.kernel_kib = 64 * kMib;
  p.balloon_step_kib = 256 * kMib;
  p.workload = workload;
  p.grow_step_kib = 40 * kMib;
  return p;
}

GuestMemory Guest(int64_t actual_mib) {
  GuestMemory m;
  m.actual_kib = m.target_kib = actual_mib * kMib;
  return m;
}

TEST(MemoryModelTest, BalloonMovesAtMostOneStepPerTick) {
  GuestMemory m = Guest(512);
  m.target_kib = 1200 * kMib;
  StepGuestMemory(Params(), 0, &m);
  EXPECT_EQ(m.actual_kib, 768 * kMib);
  StepGuestMemory(Params(), 0, &m);
  EXPECT_EQ(m.actual_kib, 1024 * kMib);
  StepGuestMemory(Params(), 0, &m);
  EXPECT_EQ(m.actual_kib, 1200 * kMib);  // last partial step, no overshoot
  StepGuestMemory(Params(), 0, &m);
  EXPECT_EQ(m.actual_kib, 1200 * kMib);
}

TEST(MemoryModelTest, NoBalloonDriverMeansNoMovement) {
  GuestMemoryParams p = Params();
  p.balloon_driver = false;
  GuestMemory m = Guest(512);
  m.target_kib = 1024 * kMib;
  StepGuestMemory(p, 0, &m);
  EXPECT_EQ(m.actual_kib, 512 * kMib);
}

TEST(MemoryModelTest, ShrinkingBelowUseKillsTheGuest) {
  GuestMemory m = Guest(512);
  StepGuestMemory(Params(), 300 * kMib, &m);
  ASSERT_EQ(m.in_use_kib, 300 * kMib);
  m.target_kib = 350 * kMib;  // below 64 kernel + 300 workload
  GuestMemoryEvents e = StepGuestMemory(Params(), 300 * kMib, &m);
  EXPECT_TRUE(e.oom_killed);
  EXPECT_EQ(m.in_use_kib, 0);
  EXPECT_EQ(m.actual_kib, 350 * kMib);  // the reboot keeps the small size
}

TEST(MemoryModelTest, ShrinkingToExactlyTheUseIsSurvivable) {
  GuestMemory m = Guest(512);
  StepGuestMemory(Params(), 300 * kMib, &m);
  m.target_kib = 364 * kMib;
  EXPECT_FALSE(StepGuestMemory(Params(), 300 * kMib, &m).oom_killed);
  EXPECT_EQ(UnusedKib(Params(), m), 0);
}

TEST(MemoryModelTest, ProfileWorkloadThatOutgrowsTheGuestFails) {
  GuestMemory m = Guest(512);
  GuestMemoryEvents e = StepGuestMemory(Params(), 600 * kMib, &m);
  EXPECT_EQ(e.alloc_failures, 1);
  EXPECT_FALSE(e.oom_killed);
  EXPECT_EQ(m.in_use_kib, 448 * kMib);  // holds what fits
  EXPECT_EQ(UnusedKib(Params(), m), 0);
  // The guest reports 0 unused; the truth is 152 MiB short.
  EXPECT_EQ(e.unmet_kib, 152 * kMib);
  EXPECT_EQ(TrueUnusedKib(Params(), m, e), -152 * kMib);
}

TEST(MemoryModelTest, TrueUnusedMatchesTheReportWhenEverythingFits) {
  GuestMemory m = Guest(512);
  GuestMemoryEvents e = StepGuestMemory(Params(), 300 * kMib, &m);
  EXPECT_EQ(e.unmet_kib, 0);
  EXPECT_EQ(TrueUnusedKib(Params(), m, e), 148 * kMib);
  EXPECT_EQ(UnusedKib(Params(), m), 148 * kMib);
}

TEST(MemoryModelTest, GrowingWorkloadIsShortByTheStepThatDidNotFit) {
  GuestMemory m = Guest(200);  // room for 136 MiB: 40, 80, 120, then 160
  GuestMemoryParams p = Params(MemWorkload::kGrow);
  GuestMemoryEvents e;
  for (int t = 0; t < 4; ++t) e = StepGuestMemory(p, 1 << 30, &m);
  EXPECT_EQ(e.alloc_failures, 1);
  EXPECT_EQ(e.unmet_kib, 24 * kMib);
  // Everything was freed after the failure, but the truth of this tick is
  // the shortfall, not the empty guest that follows it.
  EXPECT_EQ(TrueUnusedKib(p, m, e), -24 * kMib);
}

TEST(MemoryModelTest, GrowingWorkloadFreesEverythingOnFailure) {
  GuestMemory m = Guest(200);  // room for 136 MiB of workload
  GuestMemoryParams p = Params(MemWorkload::kGrow);
  int failures = 0;
  std::vector<int64_t> held;
  for (int t = 0; t < 5; ++t) {
    failures += StepGuestMemory(p, 1 << 30, &m).alloc_failures;
    held.push_back(m.in_use_kib / kMib);
  }
  EXPECT_EQ(held, (std::vector<int64_t>{40, 80, 120, 0, 40}));
  EXPECT_EQ(failures, 1);
}

TEST(MemoryModelTest, GrowingWorkloadStopsAtItsCapAndFreesWhenItDrops) {
  GuestMemory m = Guest(1024);
  GuestMemoryParams p = Params(MemWorkload::kGrow);
  for (int t = 0; t < 5; ++t) StepGuestMemory(p, 100 * kMib, &m);
  EXPECT_EQ(m.in_use_kib, 100 * kMib);
  StepGuestMemory(p, 0, &m);
  EXPECT_EQ(m.in_use_kib, 0);
}

TEST(MemoryModelTest, RssFollowsTouchedPagesAndShrinksWithTheBalloon) {
  GuestMemory m = Guest(1024);
  StepGuestMemory(Params(), 500 * kMib, &m);
  EXPECT_EQ(m.touched_kib, 564 * kMib);
  StepGuestMemory(Params(), 100 * kMib, &m);  // freed in the guest, still
  EXPECT_EQ(m.touched_kib, 564 * kMib);       // touched on the host
  m.target_kib = 300 * kMib;                  // 1024 -> 768 -> 512 -> 300
  for (int t = 0; t < 3; ++t) StepGuestMemory(Params(), 100 * kMib, &m);
  EXPECT_EQ(m.touched_kib, 300 * kMib);
}

}  // namespace
}  // namespace sim
}  // namespace vmbalance
