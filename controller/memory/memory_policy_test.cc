#include "controller/memory/memory_policy.h"

#include <algorithm>
#include <optional>

#include "controller/memory/decision_lookup.h"
#include "controller/memory/memory_samples.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using testing_memory::ChangeFor;
using testing_memory::Guest;
using testing_memory::HostWith;
using testing_memory::kEpochS;
using testing_memory::kMiB;
using testing_memory::StatusFor;

// Host of 4 GiB: the effective reserve is the 200 MiB floor (2% = 82 MiB).
constexpr uint64_t kHostMib = 4096;
constexpr uint64_t kReserveMib = 200;

// One decision on a fresh state. The warm-up before a new guest may be
// shrunk is turned off: these tests look at a single decision.
MemoryDecision DecideOnce(MemoryPolicyConfig config, const Sample& sample) {
  config.observe_before_shrink_intervals = 0;
  MemoryPolicyState state;
  return DecideBalloons(config, sample, &state);
}

// One interval of the controller's loop with an actuator that applies every
// change: decide, then commit what was decided.
MemoryDecision DecideAndApply(const MemoryPolicyConfig& config,
                              const Sample& sample, MemoryPolicyState* state) {
  MemoryDecision d = DecideBalloons(config, sample, state);
  CommitBalloons(d.changes, state);
  return d;
}

Sample OneGuest(uint64_t actual_mib, uint64_t unused_mib, uint64_t max_mib,
                uint64_t host_free_mib = 3000) {
  return HostWith(kHostMib, host_free_mib, 0,
                  {Guest("a", actual_mib, unused_mib, max_mib, kEpochS)});
}

TEST(MemoryPolicyTest, GrowsGuestUnderLowMarkToTargetInOneStep) {
  const MemoryDecision d =
      DecideOnce(MemoryPolicyConfig(), OneGuest(512, 50, 2048));
  ASSERT_EQ(d.changes.size(), 1u);
  EXPECT_EQ(d.changes[0].uuid, "uuid-a");
  EXPECT_EQ(d.changes[0].from_kib, 512 * kMiB);
  // Unused goes from 50 to the 200 MiB target.
  EXPECT_EQ(d.changes[0].to_kib, 662 * kMiB);
  EXPECT_EQ(StatusFor(d, "a").target_kib, 662 * kMiB);
  EXPECT_FALSE(d.host_short);
  EXPECT_EQ(d.host_reserve_kib, kReserveMib * kMiB);
}

TEST(MemoryPolicyTest, ExactlyAtLowMarkIsLeftAloneJustBelowGrows) {
  EXPECT_TRUE(DecideOnce(MemoryPolicyConfig(), OneGuest(512, 100, 2048))
                  .changes.empty());
  EXPECT_EQ(
      DecideOnce(MemoryPolicyConfig(), OneGuest(512, 99, 2048)).changes.size(),
      1u);
}

TEST(MemoryPolicyTest, BetweenAndAtTheMarksNothingChanges) {
  for (uint64_t unused : {100, 200, 300}) {
    EXPECT_TRUE(DecideOnce(MemoryPolicyConfig(), OneGuest(1024, unused, 2048))
                    .changes.empty())
        << unused;
  }
  EXPECT_EQ(DecideOnce(MemoryPolicyConfig(), OneGuest(1024, 400, 2048))
                .changes.size(),
            1u);
}

TEST(MemoryPolicyTest, IdleMemoryIsReleasedInBoundedSteps) {
  const MemoryDecision d =
      DecideOnce(MemoryPolicyConfig(), OneGuest(2048, 1900, 2048));
  ASSERT_EQ(d.changes.size(), 1u);
  const uint64_t cut = d.changes[0].from_kib - d.changes[0].to_kib;
  EXPECT_LE(cut, 2048 * kMiB / 10 + 1);
  EXPECT_GE(cut, 2048 * kMiB / 10 - 1);
}

TEST(MemoryPolicyTest, NewGuestIsWatchedBeforeItIsShrunk) {
  MemoryPolicyState state;
  int first_shrink_tick = -1;
  for (int t = 0; t < 6 && first_shrink_tick < 0; ++t) {
    const MemoryDecision d =
        DecideAndApply(MemoryPolicyConfig(),
                       HostWith(kHostMib, 3000, t,
                                {Guest("a", 2048, 1900, 2048, kEpochS + t)}),
                       &state);
    if (!d.changes.empty()) first_shrink_tick = t;
  }
  EXPECT_EQ(first_shrink_tick, 3);
}

TEST(MemoryPolicyTest, ShrinkStopsAtUsedPlusTargetUnused) {
  // used = 1698 MiB; a 10% step would go to 1843 but use + 200 is 1898.
  const MemoryDecision d =
      DecideOnce(MemoryPolicyConfig(), OneGuest(2048, 350, 2048));
  ASSERT_EQ(d.changes.size(), 1u);
  EXPECT_EQ(d.changes[0].to_kib, 1898 * kMiB);
}

TEST(MemoryPolicyTest, ShrinkStopsAtFloor) {
  MemoryPolicyConfig config;
  config.guest_floor_kib = 512 * kMiB;
  const MemoryDecision d = DecideOnce(config, OneGuest(560, 500, 2048));
  ASSERT_EQ(d.changes.size(), 1u);
  EXPECT_EQ(d.changes[0].to_kib, 512 * kMiB);  // not 504 (a 10% step)
  // Already at the floor: nothing more.
  EXPECT_TRUE(DecideOnce(config, OneGuest(512, 450, 2048)).changes.empty());
}

TEST(MemoryPolicyTest, ChangesBelowMinimumAreNotMade) {
  MemoryPolicyConfig config;
  config.min_change_kib = 128 * kMiB;
  // A 10% step of 1048 MiB is 104.8 MiB: below the minimum.
  EXPECT_TRUE(DecideOnce(config, OneGuest(1048, 400, 2048)).changes.empty());
  EXPECT_EQ(DecideOnce(config, OneGuest(1400, 700, 2048)).changes.size(), 1u);
}

TEST(MemoryPolicyTest, GrowIsCappedAtMaxAndGuestAtMaxIsReported) {
  MemoryDecision d = DecideOnce(MemoryPolicyConfig(), OneGuest(2000, 10, 2048));
  ASSERT_EQ(d.changes.size(), 1u);
  EXPECT_EQ(d.changes[0].to_kib, 2048 * kMiB);
  // 2040 -> 2048 is below the minimum change but reaches the ceiling.
  d = DecideOnce(MemoryPolicyConfig(), OneGuest(2040, 10, 2048));
  ASSERT_EQ(d.changes.size(), 1u);
  EXPECT_EQ(d.changes[0].to_kib, 2048 * kMiB);
  d = DecideOnce(MemoryPolicyConfig(), OneGuest(2048, 10, 2048));
  EXPECT_TRUE(d.changes.empty());
  EXPECT_EQ(StatusFor(d, "a").note, "needs memory but at max");
}

TEST(MemoryPolicyTest, HostExactlyAtReserveGrantsNothing) {
  MemoryDecision d =
      DecideOnce(MemoryPolicyConfig(), OneGuest(512, 50, 2048, kReserveMib));
  EXPECT_TRUE(d.host_short);
  EXPECT_TRUE(d.changes.empty());
  EXPECT_EQ(StatusFor(d, "a").note, "needs memory; host short");
  // One MiB above: not short, but 1 MiB is below the minimum change.
  d = DecideOnce(MemoryPolicyConfig(),
                 OneGuest(512, 50, 2048, kReserveMib + 1));
  EXPECT_FALSE(d.host_short);
  EXPECT_TRUE(d.changes.empty());
  // 100 MiB above: a partial grant of exactly that.
  d = DecideOnce(MemoryPolicyConfig(),
                 OneGuest(512, 50, 2048, kReserveMib + 100));
  ASSERT_EQ(d.changes.size(), 1u);
  EXPECT_EQ(d.changes[0].to_kib, 612 * kMiB);
}

TEST(MemoryPolicyTest, UnknownHostMemoryNeitherGrantsNorSqueezes) {
  // The sampler could not read host memory (totals 0): a needy guest gets
  // nothing, and a roomy one is not squeezed for a "short" host; both would
  // be acting on data we do not have.
  Sample sample = HostWith(0, 0, 0,
                           {Guest("needy", 512, 50, 2048, kEpochS),
                            Guest("roomy", 1024, 600, 2048, kEpochS)});
  const MemoryDecision d = DecideOnce(MemoryPolicyConfig(), sample);
  EXPECT_FALSE(d.host_short);
  for (const BalloonChange& change : d.changes) {
    EXPECT_NE(change.uuid, "uuid-needy");
    EXPECT_LT(change.to_kib, change.from_kib);  // only idle memory goes back
    EXPECT_GE(change.to_kib, (1024 - 600 + 200) * kMiB);
  }
}

TEST(MemoryPolicyTest, ReserveIsTheLargerOfFloorAndFraction) {
  MemoryPolicyConfig config;
  config.host_reserve_fraction = 0.1;
  const MemoryDecision d = DecideOnce(config, OneGuest(512, 150, 2048));
  EXPECT_EQ(d.host_reserve_kib, ((kHostMib * kMiB) + 5) / 10);
}

TEST(MemoryPolicyTest, HostShortReclaimsIdleButNeverBelowUsePlusMargin) {
  const Sample s =
      HostWith(kHostMib, 100, 0,
               {Guest("idle", 1024, 600, 2048, kEpochS),  // used 424
                Guest("tight", 512, 120, 2048, kEpochS),  // used 392
                Guest("needy", 512, 50, 2048, kEpochS)});
  const MemoryDecision d = DecideOnce(MemoryPolicyConfig(), s);
  EXPECT_TRUE(d.host_short);
  EXPECT_FALSE(ChangeFor(d, "needy").has_value());
  EXPECT_FALSE(ChangeFor(d, "tight").has_value());
  const auto idle = ChangeFor(d, "idle");
  ASSERT_TRUE(idle.has_value());
  // Needs reserve + recover - free = 164 MiB back.
  EXPECT_EQ(idle->to_kib, (1024 - 164) * kMiB);
  EXPECT_GE(idle->to_kib, (424 + 100) * kMiB);
}

TEST(MemoryPolicyTest, HostShortSqueezeStopsAtUsePlusLowMark) {
  // The host wants 264 MiB back; the guest has only 300 - 116 to spare.
  const Sample s =
      HostWith(kHostMib, 0, 0, {Guest("a", 2048, 300, 2048, kEpochS)});
  MemoryPolicyState state;
  const MemoryDecision d = DecideAndApply(MemoryPolicyConfig(), s, &state);
  ASSERT_EQ(d.changes.size(), 1u);
  // use + low mark + minimum change = 1748 + 100 + 16 is the bound.
  EXPECT_EQ(d.changes[0].to_kib, 1864 * kMiB);
}

TEST(MemoryPolicyTest, GrantsInFlightAreCountedAndNotRepeated) {
  MemoryPolicyConfig config;
  MemoryPolicyState state;
  // Tick 1: a gets 150 MiB.
  Sample s = HostWith(kHostMib, 3000, 0,
                      {Guest("a", 512, 50, 2048, kEpochS),
                       Guest("b", 512, 150, 2048, kEpochS)});
  MemoryDecision d = DecideAndApply(config, s, &state);
  ASSERT_TRUE(ChangeFor(d, "a").has_value());
  // Tick 2: a's balloon has not moved; b now needs 150 MiB, but only
  // free - reserve - in flight = 450 - 200 - 150 = 100 MiB may be given.
  s = HostWith(kHostMib, 450, 1,
               {Guest("a", 512, 50, 2048, kEpochS + 1),
                Guest("b", 512, 50, 2048, kEpochS + 1)});
  d = DecideAndApply(config, s, &state);
  EXPECT_EQ(d.grants_in_flight_kib, 150 * kMiB);
  EXPECT_FALSE(ChangeFor(d, "a").has_value());
  EXPECT_TRUE(StatusFor(d, "a").in_flight);
  const auto b = ChangeFor(d, "b");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->to_kib, 612 * kMiB);
}

TEST(MemoryPolicyTest, UntouchedGrantsAreNotGrantedAgain) {
  // The overcommit trap: four guests were grown to 1536 MiB but have touched
  // only 536 (rss = 536 + 64 MiB of QEMU), so host free still shows 4150
  // MiB. If each touched all it was given, 4 x 1000 MiB would go: only 150
  // would be left, below the 200 MiB reserve. A fifth guest's need must not
  // be granted out of that same free memory; the host takes unused back.
  std::vector<DomainSample> guests;
  for (const char* name : {"a", "b", "c", "d"}) {
    guests.push_back(Guest(name, 1536, 1000, 2048, kEpochS));
    guests.back().balloon.rss_kib = 600 * kMiB;
  }
  guests.push_back(Guest("needy", 512, 50, 2048, kEpochS));
  const MemoryDecision d =
      DecideOnce(MemoryPolicyConfig(), HostWith(8192, 4150, 0, guests));
  EXPECT_EQ(d.unbacked_kib, 4000 * kMiB);
  EXPECT_TRUE(d.host_short);
  EXPECT_EQ(d.grant_budget_kib, 0u);
  EXPECT_FALSE(ChangeFor(d, "needy").has_value());
  EXPECT_EQ(StatusFor(d, "needy").note, "needs memory; host short");
  // Back to reserve + recover: 200 + 64 - 150 MiB, from unused memory (the
  // other three, calm and above the high mark, release an idle step too).
  const auto a = ChangeFor(d, "a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->to_kib, (1536 - 114) * kMiB);
  EXPECT_EQ(StatusFor(d, "a").note, "reclaim (host short)");
  for (const BalloonChange& c : d.changes) {
    EXPECT_LT(c.to_kib, c.from_kib);
    EXPECT_GE(c.to_kib, (536 + 200) * kMiB);
  }
}

// Regression (lazy backing, found on the simulator): three calm guests each
// hold 176 MiB unused, untouched (unbacked); a fourth has 21 MiB unused. The
// host is at its reserve once every grant is touched (no budget, or short),
// but not under pressure. Before, nothing moved for good: the donors' free
// memory lies between the low mark and the aimed unused, so neither reclaim
// for others nor the idle release took it, and the needy guest starved.
TEST(MemoryPolicyTest, NeedyGuestIsNotLeftStarvingBesideOthersHeadroom) {
  MemoryPolicyConfig config;
  config.qemu_overhead_kib = 48 * kMiB;
  for (uint64_t free_mib : {750, 749}) {  // 1 MiB of budget; exactly short
    std::vector<DomainSample> guests;
    for (const char* name : {"a", "b", "c"}) {
      guests.push_back(Guest(name, 660, 176, 2048, kEpochS));
      guests.back().balloon.rss_kib = (484 + 48) * kMiB;  // touched only
    }
    guests.push_back(Guest("needy", 505, 21, 2048, kEpochS));
    guests.back().balloon.rss_kib = (484 + 48) * kMiB;
    const MemoryDecision d =
        DecideOnce(config, HostWith(kHostMib, free_mib, 0, guests));
    SCOPED_TRACE(d.reason);
    EXPECT_EQ(d.unbacked_kib, (3 * 176 + 21) * kMiB);
    EXPECT_FALSE(ChangeFor(d, "needy").has_value());  // the host first
    uint64_t reclaimed = 0;
    for (const BalloonChange& c : d.changes) {
      EXPECT_LT(c.to_kib, c.from_kib);
      // Never below need + low mark + one minimum change.
      EXPECT_GE(c.to_kib, (484 + 100 + 16) * kMiB);
      reclaimed += c.from_kib - c.to_kib;
    }
    // At least what the needy guest lacks to get back above the low mark.
    EXPECT_GE(reclaimed, (100 - 21) * kMiB);
  }
}

TEST(MemoryPolicyTest, LowUnusedThatIsPageCacheIsNotGrown) {
  Sample s = OneGuest(1024, 50, 2048);
  s.domains[0].balloon.usable_kib = 250 * kMiB;  // 200 MiB of cache
  MemoryDecision d = DecideOnce(MemoryPolicyConfig(), s);
  EXPECT_TRUE(d.changes.empty());
  // Without the usable figure the same guest looks needy.
  s.domains[0].balloon.usable_kib.reset();
  d = DecideOnce(MemoryPolicyConfig(), s);
  ASSERT_EQ(d.changes.size(), 1u);
  EXPECT_GT(d.changes[0].to_kib, 1024 * kMiB);
}

TEST(MemoryPolicyTest, GuestUnderPressureIsGrownThoughItsUnusedLooksFine) {
  MemoryPolicyState state;
  Sample s = OneGuest(1024, 250, 2048);
  s.domains[0].balloon.major_faults = 1000;
  MemoryDecision d = DecideAndApply(MemoryPolicyConfig(), s, &state);
  EXPECT_TRUE(d.changes.empty());
  // 1000 major faults in 2 s: the guest is evicting to keep 250 MiB free.
  s.wall_time_s += 2;
  s.monotonic_ns += 2000000000LL;
  s.domains[0].balloon.last_update_s = s.wall_time_s;
  s.domains[0].balloon.major_faults = 2000;
  d = DecideAndApply(MemoryPolicyConfig(), s, &state);
  ASSERT_EQ(d.changes.size(), 1u);
  EXPECT_EQ(d.changes[0].to_kib, (1024 + 128) * kMiB);
  EXPECT_EQ(StatusFor(d, "a").note, "grow (pressure: 500 major faults/s)");
}

TEST(MemoryPolicyTest, TakesFromWastefulWhenGrantsCannotBeMet) {
  // Host has nothing to give; "rich" sits between the marks but above target.
  const Sample s = HostWith(kHostMib, kReserveMib + 1, 0,
                            {Guest("needy", 512, 50, 2048, kEpochS),
                             Guest("rich", 1024, 290, 2048, kEpochS)});
  const MemoryDecision d = DecideOnce(MemoryPolicyConfig(), s);
  EXPECT_FALSE(ChangeFor(d, "needy").has_value());
  const auto rich = ChangeFor(d, "rich");
  ASSERT_TRUE(rich.has_value());
  EXPECT_EQ(rich->to_kib, (1024 - 90) * kMiB);  // down to use + 200
  // Shrinks are listed before grows.
  EXPECT_EQ(d.changes.front().domain, "rich");
}

TEST(MemoryPolicyTest, ReclaimForOthersCountsShrinksAlreadyUnderWay) {
  MemoryPolicyConfig config;
  config.observe_before_shrink_intervals = 0;
  MemoryPolicyState state;
  // Three guests with 90 MiB above use + 200 each; the host has nothing.
  auto sample = [](int64_t t) {
    return HostWith(kHostMib, kReserveMib + 1, t,
                    {Guest("needy", 512, 50, 2048, kEpochS + t),
                     Guest("rich1", 1024, 290, 2048, kEpochS + t),
                     Guest("rich2", 1024, 290, 2048, kEpochS + t),
                     Guest("rich3", 1024, 290, 2048, kEpochS + t)});
  };
  // Tick 1: the needy guest's 150 MiB cannot be granted; two donors cover it.
  MemoryDecision d = DecideAndApply(config, sample(0), &state);
  uint64_t asked = 0;
  for (const BalloonChange& c : d.changes) asked += c.from_kib - c.to_kib;
  EXPECT_EQ(d.changes.size(), 2u);
  EXPECT_EQ(asked, 150 * kMiB);  // 90 + 60: no more than asked
  // Tick 2: nothing has moved yet; the shrinks under way cover the need, so
  // the third guest is left alone.
  d = DecideAndApply(config, sample(1), &state);
  EXPECT_TRUE(d.changes.empty());
}

TEST(MemoryPolicyTest, ShrinksComeBeforeGrowsInTheChangeList) {
  const Sample s = HostWith(kHostMib, 3000, 0,
                            {Guest("a-needy", 512, 50, 2048, kEpochS),
                             Guest("b-idle", 1024, 800, 2048, kEpochS)});
  const MemoryDecision d = DecideOnce(MemoryPolicyConfig(), s);
  ASSERT_EQ(d.changes.size(), 2u);
  EXPECT_EQ(d.changes[0].domain, "b-idle");
  EXPECT_EQ(d.changes[1].domain, "a-needy");
}

TEST(MemoryPolicyTest, StaleLastUpdateIsSkippedAndReported) {
  MemoryPolicyConfig config;  // stale after 10 s
  Sample s = HostWith(kHostMib, 3000, 100,
                      {Guest("old", 512, 10, 2048, kEpochS + 89),
                       Guest("edge", 512, 10, 2048, kEpochS + 90)});
  const MemoryDecision d = DecideOnce(config, s);
  EXPECT_TRUE(StatusFor(d, "old").stale);
  EXPECT_EQ(StatusFor(d, "old").why_skipped, "stale: last_update 11 s old");
  EXPECT_FALSE(ChangeFor(d, "old").has_value());
  EXPECT_FALSE(StatusFor(d, "edge").stale);
  EXPECT_TRUE(ChangeFor(d, "edge").has_value());
}

TEST(MemoryPolicyTest, MissingStatsAreSkippedAndReported) {
  DomainSample no_driver = Guest("nodriver", 512, 10, 2048, kEpochS);
  no_driver.balloon = BalloonSample();
  no_driver.balloon.actual_kib = 512 * kMiB;
  DomainSample no_device = Guest("nodevice", 512, 10, 2048, kEpochS);
  no_device.balloon = BalloonSample();
  DomainSample no_time = Guest("notime", 2048, 1900, 2048, kEpochS);
  no_time.balloon.last_update_s.reset();
  const MemoryDecision d =
      DecideOnce(MemoryPolicyConfig(),
                 HostWith(kHostMib, 3000, 0, {no_driver, no_device, no_time}));
  EXPECT_TRUE(d.changes.empty());
  ASSERT_EQ(d.guests.size(), 3u);
  for (const GuestMemoryStatus& g : d.guests) {
    EXPECT_TRUE(g.stale) << g.domain;
    EXPECT_FALSE(g.why_skipped.empty()) << g.domain;
  }
  EXPECT_EQ(StatusFor(d, "nodriver").target_kib, 512 * kMiB);
}

TEST(MemoryPolicyTest, LastUpdateNotAdvancingMakesStatsStale) {
  MemoryPolicyConfig config;
  config.stale_after_s = 1000;  // isolate the "not advancing" rule
  MemoryPolicyState state;
  MemoryDecision d;
  for (int t = 0; t <= 5; ++t) {
    d = DecideAndApply(
        config,
        HostWith(kHostMib, 3000, t, {Guest("a", 1024, 200, 2048, kEpochS)}),
        &state);
    EXPECT_EQ(StatusFor(d, "a").stale, t >= 5) << t;
  }
  // The low unused figure is old news: no grow.
  d = DecideAndApply(
      config,
      HostWith(kHostMib, 3000, 6, {Guest("a", 1024, 10, 2048, kEpochS)}),
      &state);
  EXPECT_TRUE(d.changes.empty());
  // A new report makes it fresh again and it is acted on.
  d = DecideAndApply(
      config,
      HostWith(kHostMib, 3000, 7, {Guest("a", 1024, 10, 2048, kEpochS + 7)}),
      &state);
  EXPECT_FALSE(StatusFor(d, "a").stale);
  EXPECT_EQ(d.changes.size(), 1u);
}

// Feeds the policy reports of guest "a" (1 s apart, actual 512 or 1024 MiB)
// with the given unused figures; returns the last decision.
MemoryDecision Feed(MemoryPolicyState* state, uint64_t actual_mib,
                    const std::vector<uint64_t>& unused_mib) {
  MemoryDecision d;
  for (size_t t = 0; t < unused_mib.size(); ++t) {
    d = DecideAndApply(
        MemoryPolicyConfig(),
        HostWith(kHostMib, 3000, t,
                 {Guest("a", actual_mib, unused_mib[t], 2048, kEpochS + t)}),
        state);
  }
  return d;
}

TEST(MemoryPolicyTest, GrowScalesWithConsumptionRate) {
  MemoryPolicyState state;
  // used 372 -> 412 -> 452 MiB: 40 MiB/s twice; unused 60 < 100 + 40.
  const MemoryDecision d = Feed(&state, 512, {140, 100, 60});
  ASSERT_EQ(d.changes.size(), 1u);
  // 200 target + 4 intervals x 40 MiB/s of headroom.
  EXPECT_EQ(d.changes[0].to_kib, (512 + 360 - 60) * kMiB);
  EXPECT_DOUBLE_EQ(StatusFor(d, "a").consumption_kib_s, 40.0 * kMiB);
}

TEST(MemoryPolicyTest, PredictedShortfallTriggersGrowBeforeLowMark) {
  MemoryPolicyState state;
  // Unused 130 is above the low mark, but at 70 MiB/s it will not be two
  // intervals from now.
  EXPECT_EQ(Feed(&state, 1024, {270, 200, 130}).changes.size(), 1u);
  // Without the trend (the same 130 MiB, steady): nothing.
  MemoryPolicyState steady;
  EXPECT_TRUE(Feed(&steady, 1024, {130, 130, 130}).changes.empty());
}

TEST(MemoryPolicyTest, JustGrownGuestIsNotShrunkDuringCooldown) {
  MemoryPolicyConfig config;
  MemoryPolicyState state;
  MemoryDecision d = DecideAndApply(
      config, HostWith(kHostMib, 3000, 0, {Guest("a", 512, 50, 2048, kEpochS)}),
      &state);
  ASSERT_EQ(d.changes.size(), 1u);
  // The workload then freed 300 MiB: unused 500 > high mark, yet no shrink
  // until the cooldown (5 intervals) has passed.
  int first_shrink_tick = -1;
  for (int t = 1; t <= 8 && first_shrink_tick < 0; ++t) {
    d = DecideAndApply(
        config,
        HostWith(kHostMib, 3000, t, {Guest("a", 662, 500, 2048, kEpochS + t)}),
        &state);
    if (!d.changes.empty()) first_shrink_tick = t;
  }
  EXPECT_EQ(first_shrink_tick, 5);
}

TEST(MemoryPolicyTest, GuestStillGrowingIsNotShrunk) {
  MemoryPolicyConfig config;
  MemoryPolicyState state;
  DecideAndApply(
      config,
      HostWith(kHostMib, 3000, 0, {Guest("a", 1024, 250, 2048, kEpochS)}),
      &state);
  // Its balloon then grew to 2 GiB: 1.2 GiB unused, but it consumes
  // 50 MiB/s. Leave it.
  for (int t = 1; t < 5; ++t) {
    const MemoryDecision d = DecideAndApply(
        config,
        HostWith(kHostMib, 3000, t,
                 {Guest("a", 2048, 1274 - 50 * t, 2048, kEpochS + t)}),
        &state);
    EXPECT_TRUE(d.changes.empty()) << t;
  }
}

TEST(MemoryPolicyTest, VanishedDomainsAreForgotten) {
  MemoryPolicyConfig config;
  MemoryPolicyState state;
  DecideAndApply(config,
                 HostWith(kHostMib, 3000, 0,
                          {Guest("a", 512, 50, 2048, kEpochS),
                           Guest("b", 512, 150, 2048, kEpochS)}),
                 &state);
  const MemoryDecision d = DecideAndApply(
      config,
      HostWith(kHostMib, 3000, 1, {Guest("b", 512, 150, 2048, kEpochS + 1)}),
      &state);
  EXPECT_EQ(state.guests.size(), 1u);
  EXPECT_EQ(d.grants_in_flight_kib, 0u);  // a's grant is gone with it
  EXPECT_EQ(d.guests.size(), 1u);
}

// The loop is closed: only what the actuator applied is in flight.

TEST(MemoryPolicyCommitTest, RefusedChangeLeavesNoInFlightTarget) {
  MemoryPolicyState state;
  // Tick 1: a is granted 150 MiB, but the actuator refuses the call: nothing
  // is committed.
  MemoryDecision d = DecideBalloons(
      MemoryPolicyConfig(),
      HostWith(kHostMib, 3000, 0, {Guest("a", 512, 50, 2048, kEpochS)}),
      &state);
  ASSERT_TRUE(ChangeFor(d, "a").has_value());
  // Tick 2: a is decided from its actual size again, and the refused grant
  // does not reduce what the host can give: 450 - 200 = 250 MiB.
  d = DecideBalloons(
      MemoryPolicyConfig(),
      HostWith(kHostMib, 450, 1, {Guest("a", 512, 50, 2048, kEpochS + 1)}),
      &state);
  EXPECT_EQ(d.grants_in_flight_kib, 0u);
  EXPECT_EQ(d.grant_budget_kib, 250 * kMiB);
  const auto a = ChangeFor(d, "a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->from_kib, 512 * kMiB);
  EXPECT_EQ(a->to_kib, 662 * kMiB);
  EXPECT_FALSE(state.guests.at("uuid-a").target_kib.has_value());
}

bool SameChanges(const std::vector<BalloonChange>& a,
                 const std::vector<BalloonChange>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].uuid != b[i].uuid || a[i].from_kib != b[i].from_kib ||
        a[i].to_kib != b[i].to_kib) {
      return false;
    }
  }
  return true;
}

TEST(MemoryPolicyCommitTest, DryRunDecidesTheSameEveryTick) {
  MemoryPolicyConfig config;
  config.observe_before_shrink_intervals = 0;
  // A needy and an idle guest; with host room, then with the host short
  // (the idle one is reclaimed for it).
  for (uint64_t host_free_mib : {3000, 100}) {
    SCOPED_TRACE(host_free_mib);
    MemoryPolicyState state;  // a dry run: nothing is ever committed
    MemoryDecision first;
    for (int t = 0; t < 20; ++t) {
      const MemoryDecision d = DecideBalloons(
          config,
          HostWith(kHostMib, host_free_mib, t,
                   {Guest("needy", 512, 50, 2048, kEpochS + t),
                    Guest("idle", 2048, 1900, 2048, kEpochS + t)}),
          &state);
      if (t == 0) {
        first = d;
        ASSERT_EQ(first.changes.size(), host_free_mib > 1000 ? 2u : 1u);
        continue;
      }
      EXPECT_TRUE(SameChanges(d.changes, first.changes)) << "tick " << t;
      EXPECT_EQ(d.grants_in_flight_kib, 0u) << "tick " << t;
      EXPECT_EQ(d.reason, first.reason) << "tick " << t;
    }
  }
}

TEST(MemoryPolicyCommitTest, CommittedGrowIsInFlightUntilReached) {
  MemoryPolicyState state;
  MemoryDecision d = DecideBalloons(
      MemoryPolicyConfig(),
      HostWith(kHostMib, 3000, 0, {Guest("a", 512, 50, 2048, kEpochS)}),
      &state);
  ASSERT_EQ(d.changes.size(), 1u);
  CommitBalloons(d.changes, &state);
  // The balloon has not moved yet: the grant is in flight, not repeated.
  d = DecideBalloons(
      MemoryPolicyConfig(),
      HostWith(kHostMib, 3000, 1, {Guest("a", 512, 50, 2048, kEpochS + 1)}),
      &state);
  EXPECT_TRUE(d.changes.empty());
  EXPECT_TRUE(StatusFor(d, "a").in_flight);
  EXPECT_EQ(StatusFor(d, "a").target_kib, 662 * kMiB);
  EXPECT_EQ(d.grants_in_flight_kib, 150 * kMiB);
  // It got there (within the tolerance): confirmed, no longer in flight.
  d = DecideBalloons(
      MemoryPolicyConfig(),
      HostWith(kHostMib, 3000, 2, {Guest("a", 661, 199, 2048, kEpochS + 2)}),
      &state);
  EXPECT_TRUE(d.changes.empty());
  EXPECT_FALSE(StatusFor(d, "a").in_flight);
  EXPECT_EQ(d.grants_in_flight_kib, 0u);
}

TEST(MemoryPolicyCommitTest, CommittedGrowNeverReachedIsForgotten) {
  MemoryPolicyConfig config;  // forgotten after 10 intervals
  MemoryPolicyState state;
  MemoryDecision d = DecideBalloons(
      config, HostWith(kHostMib, 3000, 0, {Guest("a", 512, 50, 2048, kEpochS)}),
      &state);
  ASSERT_EQ(d.changes.size(), 1u);
  CommitBalloons(d.changes, &state);
  // The balloon never moves; the guest no longer needs more (150 unused).
  for (int t = 1; t <= 11; ++t) {
    d = DecideBalloons(
        config,
        HostWith(kHostMib, 3000, t, {Guest("a", 512, 150, 2048, kEpochS + t)}),
        &state);
    const bool expired = t >= 11;  // decision 12: 11 intervals after 1
    EXPECT_EQ(StatusFor(d, "a").in_flight, !expired) << t;
    EXPECT_EQ(d.grants_in_flight_kib, expired ? 0 : 150 * kMiB) << t;
    EXPECT_TRUE(d.changes.empty()) << t;
  }
}

TEST(MemoryPolicyCommitTest, GrowIsCountedFromWhereTheBalloonWasHeading) {
  MemoryPolicyState state;
  state.tick = 5;
  GuestMemoryHistory& a = state.guests["uuid-a"];
  a.target_kib = 700 * kMiB;  // an earlier grow, still under way
  a.last_grow_tick = 1;
  // Lowering the in-flight grow is no new grow: the cooldown is not renewed.
  CommitBalloons({{"uuid-a", "a", 600 * kMiB, 650 * kMiB}}, &state);
  EXPECT_EQ(a.target_kib, 650 * kMiB);
  EXPECT_EQ(a.target_set_tick, 5);
  EXPECT_EQ(a.last_grow_tick, 1);
  CommitBalloons({{"uuid-a", "a", 600 * kMiB, 800 * kMiB}}, &state);
  EXPECT_EQ(a.last_grow_tick, 5);
}

TEST(MemoryPolicyCommitTest, ChangeForAGoneDomainIsIgnored) {
  MemoryPolicyState state;
  state.guests["uuid-a"];
  CommitBalloons({{"uuid-gone", "gone", 512 * kMiB, 600 * kMiB}}, &state);
  EXPECT_EQ(state.guests.size(), 1u);
  EXPECT_FALSE(state.guests.at("uuid-a").target_kib.has_value());
}

}  // namespace
}  // namespace vmbalance
