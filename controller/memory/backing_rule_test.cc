#include "controller/memory/backing_rule.h"

#include <string>
#include <vector>

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

DomainSample WithBacking(DomainSample d, const MemoryBacking& backing) {
  d.config = DomainConfig();
  d.config->memory_backing = backing;
  return d;
}

MemoryBacking Hugepages() {
  MemoryBacking b;
  b.hugepages = true;
  b.hugepage_kib = 2048;
  return b;
}

MemoryBacking Locked() {
  MemoryBacking b;
  b.locked = true;
  return b;
}

MemoryBacking SharedFile() {
  MemoryBacking b;
  b.source = "file";
  b.shared = true;
  return b;
}

MemoryDecision DecideOnce(const Sample& sample) {
  MemoryPolicyConfig config;
  config.observe_before_shrink_intervals = 0;
  MemoryPolicyState state;
  return DecideBalloons(config, sample, &state);
}

TEST(BackingRuleTest, Rules) {
  DomainSample plain = Guest("a", 512, 50, 2048, kEpochS);
  EXPECT_TRUE(BackingRuleFor(plain).leave_alone.empty());
  EXPECT_TRUE(BackingRuleFor(plain).counts_against_available);
  EXPECT_FALSE(BackingRuleFor(plain).host_page_cache);

  const BackingRule huge = BackingRuleFor(WithBacking(plain, Hugepages()));
  EXPECT_NE(huge.leave_alone.find("hugepage"), std::string::npos);
  EXPECT_FALSE(huge.counts_against_available);

  MemoryBacking locked_huge = Hugepages();
  locked_huge.locked = true;
  EXPECT_FALSE(
      BackingRuleFor(WithBacking(plain, locked_huge)).counts_against_available);

  const BackingRule locked = BackingRuleFor(WithBacking(plain, Locked()));
  EXPECT_NE(locked.leave_alone.find("locked"), std::string::npos);
  EXPECT_TRUE(locked.counts_against_available);

  const BackingRule file = BackingRuleFor(WithBacking(plain, SharedFile()));
  EXPECT_TRUE(file.leave_alone.empty());
  EXPECT_TRUE(file.host_page_cache);

  MemoryBacking memfd = SharedFile();
  memfd.source = "memfd";
  EXPECT_FALSE(BackingRuleFor(WithBacking(plain, memfd)).host_page_cache);
}

// A hugepage-backed guest below its low mark is not grown (the pool, not
// MemAvailable, would pay), nor shrunk when idle, and says why; it is not
// reported stale (its statistics are fine).
TEST(BackingRuleTest, HugepageGuestIsLeftAloneWithItsReason) {
  const MemoryDecision d = DecideOnce(HostWith(
      8192, 3000, 0,
      {WithBacking(Guest("needy", 512, 50, 2048, kEpochS), Hugepages()),
       WithBacking(Guest("idle", 2048, 1800, 2048, kEpochS), Hugepages())}));
  EXPECT_TRUE(d.changes.empty());
  for (const char* name : {"needy", "idle"}) {
    EXPECT_FALSE(StatusFor(d, name).stale);
    EXPECT_NE(StatusFor(d, name).why_skipped.find("hugepage"),
              std::string::npos);
    EXPECT_EQ(StatusFor(d, name).left_alone, "hugepages");
  }
}

// Its untouched memory and in-flight targets do not eat the budget of the
// others: what it may still touch comes from the hugepage pool.
TEST(BackingRuleTest, HugepageGuestsUntouchedMemoryIsNotChargedToTheHost) {
  DomainSample huge = Guest("huge", 4096, 3900, 4096, kEpochS);
  huge.balloon.rss_kib = 400 * kMiB;  // 3.8 GiB untouched
  const Sample s = HostWith(
      8192, 3000, 0,
      {WithBacking(huge, Hugepages()), Guest("needy", 512, 50, 2048, kEpochS)});
  const MemoryDecision d = DecideOnce(s);
  EXPECT_EQ(d.unbacked_kib, 0u);
  EXPECT_FALSE(d.host_short);
  EXPECT_TRUE(ChangeFor(d, "needy").has_value());
  EXPECT_FALSE(ChangeFor(d, "huge").has_value());
}

// A locked guest with idle memory is not shrunk: the host would gain
// nothing. The others are managed as usual.
TEST(BackingRuleTest, LockedGuestIsNotShrunk) {
  const MemoryDecision d = DecideOnce(HostWith(
      8192, 3000, 0,
      {WithBacking(Guest("locked", 2048, 1800, 2048, kEpochS), Locked()),
       Guest("plain", 2048, 1800, 2048, kEpochS)}));
  EXPECT_FALSE(ChangeFor(d, "locked").has_value());
  EXPECT_TRUE(ChangeFor(d, "plain").has_value());
  EXPECT_NE(StatusFor(d, "locked").why_skipped.find("locked"),
            std::string::npos);
  EXPECT_EQ(StatusFor(d, "locked").left_alone, "locked");
  EXPECT_EQ(StatusFor(d, "plain").left_alone, "");
}

// A file-backed guest's RAM is host page cache: MemAvailable counts it, but
// it is not the host's to give. 1000 MiB of it backed, 1100 MiB available:
// 100 MiB really left, under the 200 MiB reserve, so nothing is granted.
TEST(BackingRuleTest, FileBackedGuestRamIsNotHostAvailableMemory) {
  DomainSample file = Guest("file", 1000, 100, 2048, kEpochS);  // all touched
  std::vector<DomainSample> guests = {WithBacking(file, SharedFile()),
                                      Guest("needy", 512, 50, 2048, kEpochS)};
  Sample s = HostWith(8192, 1100, 0, guests);
  s.host.memory_available_kib = 1100 * kMiB;
  const MemoryDecision d = DecideOnce(s);
  EXPECT_TRUE(d.host_short);
  EXPECT_FALSE(ChangeFor(d, "needy").has_value());
  EXPECT_NE(d.reason.find("host page cache 1000 MiB"), std::string::npos)
      << d.reason;

  // The same guest on anonymous memory leaves 900 MiB above the reserve.
  guests[0] = file;
  s = HostWith(8192, 1100, 0, guests);
  s.host.memory_available_kib = 1100 * kMiB;
  const MemoryDecision plain = DecideOnce(s);
  EXPECT_FALSE(plain.host_short);
  EXPECT_TRUE(ChangeFor(plain, "needy").has_value());
}

}  // namespace
}  // namespace vmbalance
