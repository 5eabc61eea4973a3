#include "controller/memory/guest_views.h"

#include "controller/memory/memory_samples.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using testing_memory::Guest;
using testing_memory::HostWith;
using testing_memory::kEpochS;
using testing_memory::kMiB;

ObservedGuests Observe(const Sample& sample,
                       std::map<DomainKey, GuestMemoryHistory>* guests,
                       int64_t tick = 1) {
  const MemoryPolicyConfig config;
  return ObserveGuests(config, ComputeThresholds(config, sample, 1), sample,
                       tick, guests);
}

TEST(GuestViewsTest, UsableGuestGetsAViewWithItsFigures) {
  std::map<DomainKey, GuestMemoryHistory> guests;
  DomainSample nomax = Guest("b", 512, 100, 1024, kEpochS);
  nomax.max_memory_kib = 0;  // ceiling from the balloon's maximum
  const ObservedGuests seen = Observe(
      HostWith(4096, 3000, 0, {Guest("a", 512, 200, 2048, kEpochS), nomax}),
      &guests);
  ASSERT_EQ(seen.views.size(), 2u);
  const GuestView& a = seen.views[0];
  EXPECT_EQ(a.domain_index, 0u);
  EXPECT_EQ(a.actual_kib, 512 * kMiB);
  EXPECT_EQ(a.need_kib, 312 * kMiB);
  EXPECT_EQ(a.max_kib, 2048 * kMiB);
  EXPECT_EQ(a.current_kib, 512 * kMiB);
  EXPECT_FALSE(a.in_flight);
  EXPECT_EQ(a.projected_free_kib, 200 * kMiB);
  EXPECT_EQ(a.first_seen_tick, 1);
  EXPECT_EQ(seen.views[1].max_kib, 1024 * kMiB);
  EXPECT_EQ(seen.views[1].domain_index, 1u);
}

TEST(GuestViewsTest, StaleOrMissingFiguresGiveNoView) {
  std::map<DomainKey, GuestMemoryHistory> guests;
  DomainSample no_driver = Guest("b", 512, 10, 2048, kEpochS);
  no_driver.balloon.unused_kib.reset();
  const ObservedGuests seen =
      Observe(HostWith(4096, 3000, 100,
                       {Guest("a", 512, 10, 2048, kEpochS + 50), no_driver,
                        Guest("c", 512, 10, 2048, kEpochS + 100)}),
              &guests);
  ASSERT_EQ(seen.seen.size(), 3u);
  EXPECT_TRUE(seen.seen[0].stale);
  EXPECT_TRUE(seen.seen[1].stale);
  ASSERT_EQ(seen.views.size(), 1u);
  EXPECT_EQ(seen.views[0].domain_index, 2u);
}

TEST(GuestViewsTest, InFlightTargetsSetTheViewAndThePendingTotals) {
  std::map<DomainKey, GuestMemoryHistory> guests;
  Observe(HostWith(4096, 3000, 0,
                   {Guest("a", 512, 50, 2048, kEpochS),
                    Guest("b", 1024, 600, 2048, kEpochS)}),
          &guests);
  guests["uuid-a"].target_kib = 662 * kMiB;
  guests["uuid-a"].target_set_tick = 1;
  guests["uuid-b"].target_kib = 924 * kMiB;
  guests["uuid-b"].target_set_tick = 1;
  // b's stats go missing: its shrink still counts for the host.
  DomainSample b = Guest("b", 1024, 600, 2048, kEpochS + 1);
  b.balloon.unused_kib.reset();
  const ObservedGuests seen = Observe(
      HostWith(4096, 3000, 1, {Guest("a", 512, 50, 2048, kEpochS + 1), b}),
      &guests, 2);
  ASSERT_EQ(seen.views.size(), 1u);
  EXPECT_TRUE(seen.views[0].in_flight);
  EXPECT_EQ(seen.views[0].current_kib, 662 * kMiB);
  EXPECT_EQ(seen.views[0].projected_free_kib, 200 * kMiB);
  EXPECT_EQ(seen.pending_grow_kib, 150 * kMiB);
  EXPECT_EQ(seen.pending_shrink_kib, 100 * kMiB);
}

TEST(GuestViewsTest, ExpectedConsumptionComesFromTheThresholds) {
  std::map<DomainKey, GuestMemoryHistory> guests;
  // used grows 40 MiB/s over two reports: a trend.
  ObservedGuests seen;
  for (int t = 0; t < 3; ++t) {
    seen =
        Observe(HostWith(4096, 3000, t,
                         {Guest("a", 1024, 500 - 40 * t, 2048, kEpochS + t)}),
                &guests, t + 1);
  }
  ASSERT_EQ(seen.views.size(), 1u);
  EXPECT_EQ(seen.views[0].expected_kib, 40 * kMiB);  // one 1 s interval
}

TEST(GuestViewsTest, VanishedDomainsAreForgotten) {
  std::map<DomainKey, GuestMemoryHistory> guests;
  Observe(HostWith(4096, 3000, 0,
                   {Guest("a", 512, 50, 2048, kEpochS),
                    Guest("b", 512, 50, 2048, kEpochS)}),
          &guests);
  Observe(HostWith(4096, 3000, 1, {Guest("b", 512, 50, 2048, kEpochS + 1)}),
          &guests, 2);
  EXPECT_EQ(guests.size(), 1u);
  EXPECT_EQ(guests.count("uuid-b"), 1u);
}

}  // namespace
}  // namespace vmbalance
