// The memory policy and a guest whose figures missed the sampling deadline
// (DomainRead::kTimedOut: a hung QEMU, a job held by a migration): it is left
// alone, its state is kept, and what it was given still counts against the
// host.
#include <optional>
#include <string>

#include "controller/memory/memory_policy.h"
#include "controller/memory/memory_samples.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using testing_memory::Guest;
using testing_memory::HostWith;
using testing_memory::kAssumedOverheadMib;
using testing_memory::kEpochS;
using testing_memory::kMiB;

constexpr uint64_t kHostMib = 8192;
constexpr uint64_t kReserveMib = 200;  // the floor; 2% of 8 GiB is less

bool Changes(const MemoryDecision& d, const std::string& name) {
  for (const BalloonChange& c : d.changes) {
    if (c.domain == name) return true;
  }
  return false;
}

const GuestMemoryStatus* StatusFor(const MemoryDecision& d,
                                   const std::string& name) {
  for (const GuestMemoryStatus& g : d.guests) {
    if (g.domain == name) return &g;
  }
  return nullptr;
}

// What a hung QEMU gives on its first tick: the domain is listed, nothing
// else was read in time.
DomainSample Hung(const std::string& name) {
  DomainSample d;
  d.uuid = "uuid-" + name;
  d.name = name;
  d.id = 1;
  d.state = DomainState::kRunning;
  d.max_memory_kib = 2048 * kMiB;
  d.read = DomainRead::kTimedOut;
  d.read_error = "balloon stats: no answer within 500 ms";
  return d;
}

// 2048 MiB granted, 1048 touched (rss = used + QEMU's own): 1000 MiB
// untouched that the guest may still touch without asking.
DomainSample HalfTouched(const std::string& name, int64_t t) {
  DomainSample d = Guest(name, 2048, 1000, 2048, kEpochS + t);
  d.balloon.rss_kib = (1048 + kAssumedOverheadMib) * kMiB;
  return d;
}

TEST(UnreadableGuestTest, UntouchedGrantStillCountsAgainstTheHost) {
  MemoryPolicyConfig config;
  MemoryPolicyState state;
  DecideBalloons(
      config,
      HostWith(kHostMib, 3000, 0,
               {HalfTouched("a", 0), Guest("b", 1024, 300, 2048, kEpochS)}),
      &state);
  const MemoryDecision d = DecideBalloons(
      config,
      HostWith(kHostMib, 3000, 1,
               {Hung("a"), Guest("b", 1024, 300, 2048, kEpochS + 1)}),
      &state);
  EXPECT_EQ(d.unbacked_kib, 1000 * kMiB);
  EXPECT_EQ(d.grant_budget_kib, (3000 - 1000 - kReserveMib) * kMiB);
  const GuestMemoryStatus* a = StatusFor(d, "a");
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->stale);
  EXPECT_EQ(a->why_skipped.rfind("unreadable: balloon stats", 0), 0u)
      << a->why_skipped;
}

TEST(UnreadableGuestTest, HostShortOnlyBecauseOfTheHungGuestGrantsNothing) {
  // 1150 MiB free looks like 950 to grant, but the hung guest may still
  // touch 1000 of it: the needy guest gets nothing, the host keeps its
  // reserve.
  MemoryPolicyConfig config;
  MemoryPolicyState state;
  DecideBalloons(
      config,
      HostWith(kHostMib, 1150, 0,
               {HalfTouched("a", 0), Guest("b", 1024, 300, 2048, kEpochS)}),
      &state);
  const MemoryDecision d = DecideBalloons(
      config,
      HostWith(kHostMib, 1150, 1,
               {Hung("a"), Guest("b", 512, 20, 2048, kEpochS + 1)}),
      &state);
  EXPECT_TRUE(d.host_short);
  for (const BalloonChange& c : d.changes) {
    EXPECT_LE(c.to_kib, c.from_kib) << c.domain << " grown";
  }
}

TEST(UnreadableGuestTest, NeverResizedEvenWithPartialFiguresThatAskForIt) {
  MemoryPolicyConfig config;
  MemoryPolicyState state;
  DecideBalloons(
      config,
      HostWith(kHostMib, 3000, 0, {Guest("a", 512, 150, 2048, kEpochS)}),
      &state);
  // Figures read in time say 10 MiB unused (a grow), but the tick is marked.
  DomainSample partial = Guest("a", 512, 10, 2048, kEpochS + 1);
  partial.read = DomainRead::kTimedOut;
  const MemoryDecision d =
      DecideBalloons(config, HostWith(kHostMib, 3000, 1, {partial}), &state);
  EXPECT_FALSE(Changes(d, "a"));
  // The same figures read completely do grow it.
  partial.read = DomainRead::kComplete;
  MemoryPolicyState fresh = state;
  EXPECT_TRUE(Changes(
      DecideBalloons(config, HostWith(kHostMib, 3000, 2, {partial}), &fresh),
      "a"));
}

TEST(UnreadableGuestTest, InFlightTargetIsKeptThroughALongHang) {
  MemoryPolicyConfig config;
  MemoryPolicyState state;
  // Tick 0: a is grown 512 -> 662 MiB and the actuator applies it.
  MemoryDecision d = DecideBalloons(
      config, HostWith(kHostMib, 3000, 0, {Guest("a", 512, 50, 2048, kEpochS)}),
      &state);
  ASSERT_TRUE(Changes(d, "a"));
  CommitBalloons(d.changes, &state);
  const int hung_ticks = config.inflight_timeout_intervals + 5;
  for (int t = 1; t <= hung_ticks; ++t) {
    d = DecideBalloons(config, HostWith(kHostMib, 3000, t, {Hung("a")}),
                       &state);
    ASSERT_EQ(state.guests.count("uuid-a"), 1u) << "forgotten at tick " << t;
    EXPECT_EQ(d.unbacked_kib, 150 * kMiB) << t;  // 662 heading, 512 backed
  }
  // Readable again, the balloon has not moved yet (QEMU was stopped): the
  // grant is still in flight, not timed out behind the policy's back.
  d = DecideBalloons(
      config,
      HostWith(kHostMib, 3000, hung_ticks + 1,
               {Guest("a", 512, 50, 2048, kEpochS + hung_ticks + 1)}),
      &state);
  EXPECT_EQ(d.grants_in_flight_kib, 150 * kMiB);
  EXPECT_FALSE(Changes(d, "a"));
}

TEST(UnreadableGuestTest, HistoryIsKeptNotResetAsIfTheGuestWereNew) {
  MemoryPolicyConfig config;
  MemoryPolicyState state;
  for (int t = 0; t < 2; ++t) {
    DecideBalloons(
        config,
        HostWith(kHostMib, 3000, t, {Guest("a", 1024, 300, 2048, kEpochS + t)}),
        &state);
  }
  const GuestMemoryHistory before = state.guests.at("uuid-a");
  DecideBalloons(config, HostWith(kHostMib, 3000, 2, {Hung("a")}), &state);
  const GuestMemoryHistory& after = state.guests.at("uuid-a");
  EXPECT_EQ(after.first_seen_tick, before.first_seen_tick);
  EXPECT_EQ(after.last_update_s, before.last_update_s);
  EXPECT_EQ(after.unchanged_samples, before.unchanged_samples);
  EXPECT_EQ(after.backed_kib, before.backed_kib);
}

}  // namespace
}  // namespace vmbalance
