#include "controller/memory/guest_memory_history.h"

#include "controller/memory/memory_samples.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using testing_memory::Guest;
using testing_memory::kEpochS;
using testing_memory::kMiB;

TEST(ObserveGuestTest, FreshStatsAreUsableWithUsedFromActualMinusUnused) {
  GuestMemoryHistory history;
  const GuestObservation seen =
      ObserveGuest(MemoryPolicyConfig(), Guest("a", 512, 200, 2048, kEpochS),
                   kEpochS, 1, &history);
  EXPECT_TRUE(seen.usable);
  EXPECT_FALSE(seen.stale);
  EXPECT_EQ(seen.used_kib, 312 * kMiB);
}

TEST(ObserveGuestTest, SustainedConsumptionRateRisesAtOnceAndDecaysByHalf) {
  GuestMemoryHistory history;
  MemoryPolicyConfig config;
  ObserveGuest(config, Guest("a", 1024, 800, 2048, kEpochS), kEpochS, 1,
               &history);
  // used 224 -> 264 MiB in 2 s: 20 MiB/s, seen once: not yet a trend.
  GuestObservation seen =
      ObserveGuest(config, Guest("a", 1024, 760, 2048, kEpochS + 2),
                   kEpochS + 2, 2, &history);
  EXPECT_DOUBLE_EQ(seen.consumption_kib_s, 0);
  // 20 MiB/s again: taken at once.
  seen = ObserveGuest(config, Guest("a", 1024, 740, 2048, kEpochS + 3),
                      kEpochS + 3, 3, &history);
  EXPECT_DOUBLE_EQ(seen.consumption_kib_s, 20.0 * kMiB);
  // No growth for one report: half.
  seen = ObserveGuest(config, Guest("a", 1024, 740, 2048, kEpochS + 4),
                      kEpochS + 4, 4, &history);
  EXPECT_DOUBLE_EQ(seen.consumption_kib_s, 10.0 * kMiB);
  // A big free does not make the rate negative.
  seen = ObserveGuest(config, Guest("a", 1024, 1000, 2048, kEpochS + 5),
                      kEpochS + 5, 5, &history);
  EXPECT_DOUBLE_EQ(seen.consumption_kib_s, 5.0 * kMiB);
}

TEST(ObserveGuestTest, OneOffJumpIsNotTakenAsATrend) {
  GuestMemoryHistory history;
  MemoryPolicyConfig config;
  ObserveGuest(config, Guest("a", 2048, 1900, 2048, kEpochS), kEpochS, 1,
               &history);
  // +800 MiB in one second, then nothing more.
  GuestObservation seen =
      ObserveGuest(config, Guest("a", 2048, 1100, 2048, kEpochS + 1),
                   kEpochS + 1, 2, &history);
  EXPECT_DOUBLE_EQ(seen.consumption_kib_s, 0);
  seen = ObserveGuest(config, Guest("a", 2048, 1100, 2048, kEpochS + 2),
                      kEpochS + 2, 3, &history);
  EXPECT_DOUBLE_EQ(seen.consumption_kib_s, 0);
}

TEST(ObserveGuestTest, RepeatedReportDoesNotChangeTheRate) {
  GuestMemoryHistory history;
  MemoryPolicyConfig config;
  ObserveGuest(config, Guest("a", 1024, 800, 2048, kEpochS), kEpochS, 1,
               &history);
  ObserveGuest(config, Guest("a", 1024, 780, 2048, kEpochS + 1), kEpochS + 1, 2,
               &history);
  ObserveGuest(config, Guest("a", 1024, 760, 2048, kEpochS + 2), kEpochS + 2, 3,
               &history);
  // The same report again, a second later: the rate stays.
  const GuestObservation seen =
      ObserveGuest(config, Guest("a", 1024, 760, 2048, kEpochS + 2),
                   kEpochS + 3, 4, &history);
  EXPECT_TRUE(seen.usable);
  EXPECT_DOUBLE_EQ(seen.consumption_kib_s, 20.0 * kMiB);
}

TEST(ObserveGuestTest, RestartResetsHistory) {
  GuestMemoryHistory history;
  MemoryPolicyConfig config;
  ObserveGuest(config, Guest("a", 1024, 800, 2048, kEpochS), kEpochS, 1,
               &history);
  ObserveGuest(config, Guest("a", 1024, 700, 2048, kEpochS + 1), kEpochS + 1, 2,
               &history);
  history.target_kib = 2000 * kMiB;
  DomainSample restarted = Guest("a", 512, 400, 2048, kEpochS + 2);
  restarted.id = 7;
  const GuestObservation seen =
      ObserveGuest(config, restarted, kEpochS + 2, 3, &history);
  EXPECT_DOUBLE_EQ(seen.consumption_kib_s, 0);
  EXPECT_FALSE(seen.target_kib.has_value());
}

TEST(ObserveGuestTest, TargetClearedWhenReachedOrExpired) {
  MemoryPolicyConfig config;
  config.inflight_timeout_intervals = 3;
  GuestMemoryHistory history;
  history.id = 1;
  history.target_kib = 700 * kMiB;
  history.target_set_tick = 1;
  GuestObservation seen = ObserveGuest(
      config, Guest("a", 600, 200, 2048, kEpochS), kEpochS, 2, &history);
  EXPECT_EQ(seen.target_kib, 700 * kMiB);  // still moving
  seen = ObserveGuest(config, Guest("a", 699, 200, 2048, kEpochS + 1),
                      kEpochS + 1, 3, &history);
  EXPECT_FALSE(seen.target_kib.has_value());  // within 2 MiB: reached
  history.target_kib = 900 * kMiB;
  history.target_set_tick = 3;
  seen = ObserveGuest(config, Guest("a", 700, 200, 2048, kEpochS + 2),
                      kEpochS + 2, 6, &history);
  EXPECT_TRUE(seen.target_kib.has_value());
  seen = ObserveGuest(config, Guest("a", 700, 200, 2048, kEpochS + 3),
                      kEpochS + 3, 7, &history);
  EXPECT_FALSE(seen.target_kib.has_value());  // stalled: forgotten
}

}  // namespace
}  // namespace vmbalance
