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

// A file reader fills the page cache with what is free (up to its files);
// the guest reports the cache as usable, not as unused, and the host backs
// the cache pages it touched.
TEST(MemoryModelTest, PageCacheFillsWhatIsFree) {
  GuestMemoryParams p = Params();
  p.file_read_step_kib = 200 * kMib;
  p.file_kib = 1000 * kMib;
  GuestMemory m = Guest(1024);
  StepGuestMemory(p, 100 * kMib, &m);
  EXPECT_EQ(m.cache_kib, 200 * kMib);
  for (int t = 0; t < 5; ++t) StepGuestMemory(p, 100 * kMib, &m);
  EXPECT_EQ(m.cache_kib, (1024 - 64 - 100) * kMib);  // all that is free
  EXPECT_EQ(UnusedKib(p, m), 0);
  EXPECT_EQ(UsableKib(p, m), (1024 - 64 - 100) * kMib);
  EXPECT_EQ(m.touched_kib, 1024 * kMib);
  EXPECT_EQ(m.major_faults, 0);  // nothing dropped yet
  GuestMemoryEvents events;
  EXPECT_EQ(TrueUnusedKib(p, m, events), (1024 - 64 - 100) * kMib);
}

// Short of memory, the guest drops cache first: a growing workload and an
// inflating balloon take it, with no OOM kill and no failure; the cache the
// reader still wanted comes back as major faults.
TEST(MemoryModelTest, CacheIsDroppedFirstWhenMemoryRunsShort) {
  GuestMemoryParams p = Params();
  p.file_read_step_kib = 1000 * kMib;
  GuestMemory m = Guest(1024);
  StepGuestMemory(p, 100 * kMib, &m);
  ASSERT_EQ(m.cache_kib, 860 * kMib);
  p.file_read_step_kib = 0;  // the reader pauses: only drops move the cache
  p.file_kib = 860 * kMib;
  GuestMemoryEvents events = StepGuestMemory(p, 500 * kMib, &m);
  EXPECT_EQ(events.alloc_failures, 0);
  EXPECT_EQ(m.cache_kib, 460 * kMib);
  EXPECT_EQ(m.major_faults, 0);  // a paused reader re-reads nothing
  p.file_read_step_kib = 1;
  m.target_kib = 768 * kMib;
  events = StepGuestMemory(p, 500 * kMib, &m);
  EXPECT_FALSE(events.oom_killed);
  EXPECT_EQ(m.cache_kib, (768 - 64 - 500) * kMib);
  EXPECT_EQ(m.major_faults, 256 * kMib / kPageKib);
  EXPECT_EQ(m.touched_kib, 768 * kMib);
}

// With swap, a workload that outgrows its guest pushes the rest to swap and
// pages it back every tick (pressure) instead of failing; without swap it
// fails as before.
TEST(MemoryModelTest, SwapAbsorbsTheOverflowAndThrashes) {
  GuestMemoryParams p = Params();
  p.swap_kib = 256 * kMib;
  GuestMemory m = Guest(512);
  GuestMemoryEvents events = StepGuestMemory(p, 548 * kMib, &m);
  EXPECT_EQ(events.alloc_failures, 0);
  EXPECT_EQ(m.swapped_kib, 100 * kMib);
  EXPECT_EQ(m.swap_out_kib, 100 * kMib);
  EXPECT_EQ(m.swap_in_kib, 0);
  StepGuestMemory(p, 548 * kMib, &m);
  EXPECT_EQ(m.swap_in_kib, 100 * kMib);
  EXPECT_EQ(m.swap_out_kib, 200 * kMib);
  EXPECT_EQ(m.major_faults, 100 * kMib / kPageKib);
  EXPECT_EQ(UnusedKib(p, m), 0);
  EXPECT_EQ(TrueUnusedKib(p, m, events), -100 * kMib);
  // More than RAM + swap: a failure, as without swap.
  events = StepGuestMemory(p, 800 * kMib, &m);
  EXPECT_EQ(events.alloc_failures, 1);
  EXPECT_EQ(events.unmet_kib, (800 - 448 - 256) * kMib);
}

}  // namespace
}  // namespace sim
}  // namespace vmbalance
