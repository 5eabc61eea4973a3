// The operator's opt-out of the memory coordinator (--exclude, and
// <vmbalance:policy memory="off"/> in the domain XML): such a guest is never
// resized, and its memory stays committed in the host budget.
#include <string>

#include "controller/domain_filter.h"
#include "controller/memory/backing_rule.h"
#include "controller/memory/decision_lookup.h"
#include "controller/memory/memory_policy.h"
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

DomainSample WithMemorySwitch(DomainSample d, PolicySwitch memory) {
  d.config = DomainConfig();
  d.config->policy.memory = memory;
  return d;
}

DomainFilter Exclude(const std::string& pattern) {
  std::string error;
  return *DomainFilter::Parse(pattern, &error);
}

MemoryPolicyConfig OptOutConfig() {
  MemoryPolicyConfig config;
  config.observe_before_shrink_intervals = 0;
  config.exclude = Exclude("^infra-");
  return config;
}

MemoryDecision DecideOnce(const Sample& sample) {
  MemoryPolicyState state;
  return DecideBalloons(OptOutConfig(), sample, &state);
}

void ExpectLeftAlone(const MemoryDecision& d, const std::string& name,
                     const std::string& reason) {
  EXPECT_FALSE(ChangeFor(d, name).has_value()) << name;
  EXPECT_FALSE(StatusFor(d, name).stale) << name;
  EXPECT_EQ(StatusFor(d, name).left_alone, reason) << name;
  EXPECT_FALSE(StatusFor(d, name).why_skipped.empty()) << name;
}

TEST(MemoryOptOutTest, RuleReasons) {
  const DomainFilter exclude = Exclude("^infra-");
  const DomainSample plain = Guest("web", 512, 50, 2048, kEpochS);
  EXPECT_EQ(MemoryRuleFor(exclude, plain).kind, "");
  EXPECT_EQ(
      MemoryRuleFor(exclude, Guest("infra-dns", 512, 50, 2048, kEpochS)).kind,
      "exclude");
  EXPECT_EQ(
      MemoryRuleFor(exclude, WithMemorySwitch(plain, PolicySwitch::kOff)).kind,
      "policy");
  EXPECT_EQ(
      MemoryRuleFor(exclude, WithMemorySwitch(plain, PolicySwitch::kOn)).kind,
      "");
  // Only the memory switch counts here; cpu="off" is the scheduler's.
  DomainSample cpu_off = plain;
  cpu_off.config = DomainConfig();
  cpu_off.config->policy.cpu = PolicySwitch::kOff;
  EXPECT_EQ(MemoryRuleFor(exclude, cpu_off).kind, "");
  // A backing that rules ballooning out keeps its reason and its accounting.
  DomainSample huge = Guest("infra-db", 512, 50, 2048, kEpochS);
  huge.config = DomainConfig();
  huge.config->memory_backing = MemoryBacking();
  huge.config->memory_backing->hugepages = true;
  EXPECT_EQ(MemoryRuleFor(exclude, huge).kind, "hugepages");
  EXPECT_FALSE(MemoryRuleFor(exclude, huge).counts_against_available);
  // An opted-out guest on ordinary memory still counts.
  EXPECT_TRUE(MemoryRuleFor(exclude, Guest("infra-dns", 512, 50, 2048, kEpochS))
                  .counts_against_available);
}

// Two opted-out guests below their low mark are not grown while the plain
// one beside them is, from the host's plenty.
TEST(MemoryOptOutTest, OptedOutGuestsAreNotGrownTheirNeighbourIs) {
  const MemoryDecision d = DecideOnce(
      HostWith(8192, 3000, 0,
               {Guest("infra-dns", 512, 50, 2048, kEpochS),
                WithMemorySwitch(Guest("quiet", 512, 50, 2048, kEpochS),
                                 PolicySwitch::kOff),
                Guest("needy", 512, 50, 2048, kEpochS)}));
  ExpectLeftAlone(d, "infra-dns", "exclude");
  ExpectLeftAlone(d, "quiet", "policy");
  ASSERT_TRUE(ChangeFor(d, "needy").has_value());
  EXPECT_GT(ChangeFor(d, "needy")->to_kib, 512 * kMiB);
  EXPECT_EQ(StatusFor(d, "needy").left_alone, "");
}

// Idle memory is released from a plain guest, not from opted-out ones.
TEST(MemoryOptOutTest, IdleMemoryOfOptedOutGuestsIsNotReleased) {
  const MemoryDecision d = DecideOnce(
      HostWith(8192, 3000, 0,
               {Guest("infra-dns", 2048, 1800, 2048, kEpochS),
                WithMemorySwitch(Guest("quiet", 2048, 1800, 2048, kEpochS),
                                 PolicySwitch::kOff),
                Guest("idle", 2048, 1800, 2048, kEpochS)}));
  ExpectLeftAlone(d, "infra-dns", "exclude");
  ExpectLeftAlone(d, "quiet", "policy");
  ASSERT_TRUE(ChangeFor(d, "idle").has_value());
  EXPECT_LT(ChangeFor(d, "idle")->to_kib, 2048 * kMiB);
}

// The host has nothing to grant: a starving guest's lack is taken from the
// others' headroom, but never from an opted-out guest's, however idle.
TEST(MemoryOptOutTest, StarvingNeighbourIsNotFedFromOptedOutGuests) {
  const Sample s =
      HostWith(8192, 200, 0,
               {Guest("infra-dns", 2048, 1800, 2048, kEpochS),
                WithMemorySwitch(Guest("quiet", 2048, 1800, 2048, kEpochS),
                                 PolicySwitch::kOff),
                Guest("starving", 512, 10, 2048, kEpochS)});
  const MemoryDecision d = DecideOnce(s);
  ExpectLeftAlone(d, "infra-dns", "exclude");
  ExpectLeftAlone(d, "quiet", "policy");

  // The same guests managed: the idle ones give memory up.
  MemoryPolicyState state;
  MemoryPolicyConfig managed = OptOutConfig();
  managed.exclude = DomainFilter();
  Sample plain = s;
  plain.domains[1].config.reset();  // "quiet" (sorted by uuid)
  ASSERT_EQ(plain.domains[1].name, "quiet");
  const MemoryDecision m = DecideBalloons(managed, plain, &state);
  for (const char* name : {"infra-dns", "quiet"}) {
    ASSERT_TRUE(ChangeFor(m, name).has_value()) << name;
    EXPECT_LT(ChangeFor(m, name)->to_kib, 2048 * kMiB) << name;
  }
}

// An opted-out guest can still touch all of its memory at the host's cost,
// so what it has not touched yet stays committed: 3.8 GiB untouched on a
// host with 3000 MiB available leaves nothing to grant the needy neighbour.
TEST(MemoryOptOutTest, OptedOutGuestsUntouchedMemoryStaysCommitted) {
  for (bool by_policy : {false, true}) {
    DomainSample held =
        Guest(by_policy ? "held" : "infra-held", 4096, 3900, 4096, kEpochS);
    held.balloon.rss_kib = 400 * kMiB;
    if (by_policy) held = WithMemorySwitch(held, PolicySwitch::kOff);
    const MemoryDecision d = DecideOnce(HostWith(
        8192, 3000, 0, {held, Guest("needy", 512, 50, 2048, kEpochS)}));
    EXPECT_FALSE(ChangeFor(d, held.name).has_value()) << held.name;
    EXPECT_GE(d.unbacked_kib, 3800 * kMiB) << held.name;
    EXPECT_TRUE(d.host_short) << held.name;
    EXPECT_FALSE(ChangeFor(d, "needy").has_value()) << held.name;
  }
}

// A domain whose XML could not be read is not opted out: nothing says so.
TEST(MemoryOptOutTest, UnreadableConfigIsNotAnOptOut) {
  DomainSample unread = Guest("unread", 512, 50, 2048, kEpochS);
  unread.config.reset();
  DomainSample on =
      WithMemorySwitch(Guest("on", 512, 50, 2048, kEpochS), PolicySwitch::kOn);
  DomainSample unset = WithMemorySwitch(Guest("unset", 512, 50, 2048, kEpochS),
                                        PolicySwitch::kDefault);
  const MemoryDecision d =
      DecideOnce(HostWith(8192, 3000, 0, {unread, on, unset}));
  for (const char* name : {"unread", "on", "unset"}) {
    EXPECT_TRUE(ChangeFor(d, name).has_value()) << name;
    EXPECT_EQ(StatusFor(d, name).left_alone, "") << name;
  }
}

// --exclude needs no XML: the name is always known.
TEST(MemoryOptOutTest, ExcludeAppliesWithoutConfig) {
  DomainSample d = Guest("infra-dns", 512, 50, 2048, kEpochS);
  d.config.reset();
  ExpectLeftAlone(DecideOnce(HostWith(8192, 3000, 0, {d})), "infra-dns",
                  "exclude");
}

}  // namespace
}  // namespace vmbalance
