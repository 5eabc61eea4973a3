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
  EXPECT_EQ(seen.need_kib, 312 * kMiB);
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

TEST(ObserveGuestTest, PageCacheIsNotNeedWhenUsableIsReported) {
  GuestMemoryHistory history;
  DomainSample d = Guest("a", 1024, 50, 2048, kEpochS);  // 50 MiB unused...
  d.balloon.usable_kib = 600 * kMiB;  // ...but 550 MiB of it is cache
  const GuestObservation seen =
      ObserveGuest(MemoryPolicyConfig(), d, kEpochS, 1, &history);
  EXPECT_EQ(seen.need_kib, (1024 - 600) * kMiB);
}

// Two fresh reports 2 s apart with these cumulative counters.
GuestObservation TwoReports(const MemoryPolicyConfig& config,
                            uint64_t faults_before, uint64_t faults_after,
                            uint64_t swap_in_before_mib,
                            uint64_t swap_in_after_mib) {
  GuestMemoryHistory history;
  DomainSample d = Guest("a", 1024, 500, 2048, kEpochS);
  d.balloon.major_faults = faults_before;
  d.balloon.swap_in_kib = swap_in_before_mib * kMiB;
  ObserveGuest(config, d, kEpochS, 1, &history);
  d.balloon.last_update_s = kEpochS + 2;
  d.balloon.major_faults = faults_after;
  d.balloon.swap_in_kib = swap_in_after_mib * kMiB;
  return ObserveGuest(config, d, kEpochS + 2, 2, &history);
}

TEST(ObserveGuestTest, MajorFaultRateAboveThresholdIsPressure) {
  const MemoryPolicyConfig config;                               // 100 faults/s
  EXPECT_EQ(TwoReports(config, 1000, 1200, 0, 0).pressure, "");  // 100/s
  EXPECT_EQ(TwoReports(config, 1000, 1202, 0, 0).pressure,
            "pressure: 101 major faults/s");
  // A counter that went back (guest restarted it) is no rate.
  EXPECT_EQ(TwoReports(config, 5000, 10, 0, 0).pressure, "");
}

TEST(ObserveGuestTest, SwapInRateAboveThresholdIsPressure) {
  const MemoryPolicyConfig config;                           // 1 MiB/s
  EXPECT_EQ(TwoReports(config, 0, 0, 10, 12).pressure, "");  // 1 MiB/s
  EXPECT_EQ(TwoReports(config, 0, 0, 10, 16).pressure,
            "pressure: swap-in 3 MiB/s");
}

TEST(ObserveGuestTest, UnbackedIsWhatTheGuestMayStillTouch) {
  const MemoryPolicyConfig config;  // overhead assumed at most 256 MiB
  GuestMemoryHistory history;
  // Used 312 MiB, rss 400: QEMU's overhead is at most 88 MiB, so at least
  // 312 are backed and 200 of the 512 may still be touched.
  DomainSample d = Guest("a", 512, 200, 2048, kEpochS);
  d.balloon.rss_kib = 400 * kMiB;
  EXPECT_EQ(ObserveGuest(config, d, kEpochS, 1, &history).unbacked_kib,
            200 * kMiB);
  // Granted up to 1024 (in flight): that is owed too. The guest touched
  // 100 MiB more of its free memory (rss 500): backed 500 - 88.
  history.target_kib = 1024 * kMiB;
  history.target_set_tick = 2;
  d.balloon.rss_kib = 500 * kMiB;
  d.balloon.last_update_s = kEpochS + 1;
  EXPECT_EQ(ObserveGuest(config, d, kEpochS + 1, 2, &history).unbacked_kib,
            (1024 - 412) * kMiB);
}

TEST(ObserveGuestTest, UnbackedOverheadIsNeverAssumedAboveTheConfig) {
  MemoryPolicyConfig config;
  config.qemu_overhead_kib = 64 * kMiB;
  GuestMemoryHistory history;
  // rss - used = 700 MiB (touched free pages): the overhead is taken as 64.
  DomainSample d = Guest("a", 1024, 600, 2048, kEpochS);
  d.balloon.rss_kib = 1124 * kMiB;
  EXPECT_EQ(ObserveGuest(config, d, kEpochS, 1, &history).unbacked_kib, 0u);
}

TEST(ObserveGuestTest, UnbackedWithoutFreshFiguresCountsTheWorst) {
  const MemoryPolicyConfig config;
  // No rss: only the used pages are known to be backed.
  GuestMemoryHistory h1;
  DomainSample d = Guest("a", 512, 200, 2048, kEpochS);
  d.balloon.rss_kib.reset();
  EXPECT_EQ(ObserveGuest(config, d, kEpochS, 1, &h1).unbacked_kib, 200 * kMiB);
  // No balloon driver and no rss: all of actual may be touched.
  GuestMemoryHistory h2;
  d.balloon.unused_kib.reset();
  GuestObservation seen = ObserveGuest(config, d, kEpochS, 1, &h2);
  EXPECT_TRUE(seen.stale);
  EXPECT_EQ(seen.unbacked_kib, 512 * kMiB);
  // Stale, with rss: rss less the assumed overhead is backed.
  GuestMemoryHistory h3;
  d.balloon.rss_kib = 600 * kMiB;
  EXPECT_EQ(ObserveGuest(config, d, kEpochS, 1, &h3).unbacked_kib,
            (512 - (600 - 256)) * kMiB);
}

TEST(ObserveGuestTest, UnusedFromBeforeAGrowDoesNotCountAsBacked) {
  const MemoryPolicyConfig config;
  GuestMemoryHistory history;
  DomainSample d = Guest("a", 512, 50, 2048, kEpochS);
  d.balloon.rss_kib = 512 * kMiB;  // used 462: overhead at most 50
  EXPECT_EQ(ObserveGuest(config, d, kEpochS, 1, &history).unbacked_kib,
            50 * kMiB);
  // Grown to 812 since; the guest has not reported again, so 812 - 50 is
  // not what it uses: only rss - 50 is known to be backed.
  d.balloon.actual_kib = 812 * kMiB;
  d.balloon.rss_kib = 520 * kMiB;
  EXPECT_EQ(ObserveGuest(config, d, kEpochS + 1, 2, &history).unbacked_kib,
            (812 - 470) * kMiB);
}

}  // namespace
}  // namespace vmbalance
