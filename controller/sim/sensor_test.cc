#include "controller/sim/sensor.h"

#include <gtest/gtest.h>

namespace vmbalance {
namespace sim {
namespace {

constexpr uint64_t kMib = 1024;

DomainSpec Guest(const std::string& name) {
  DomainSpec d;
  d.name = name;
  d.uuid = DeterministicUuid(name);
  d.cpu = {{{0, 0.5}}};
  d.pin = {0};
  d.mem = {{0, 100}};
  return d;
}

// A World and a Sensor over one scenario, stepped together.
struct Rig {
  explicit Rig(Scenario s)
      : scenario(std::move(s)),
        faults(&scenario),
        world(&scenario, 1.0),
        sensor(&scenario) {}
  Sample Step(int64_t tick, std::vector<std::string>* frozen = nullptr) {
    world.Advance(tick, faults);
    return sensor.Read(world, faults, tick, frozen);
  }
  Scenario scenario;
  Faults faults;
  World world;
  Sensor sensor;
};

const DomainSample& Named(const Sample& s, const std::string& name) {
  for (const DomainSample& d : s.domains) {
    if (d.name == name) return d;
  }
  static const DomainSample kNone;
  return kNone;
}

TEST(SensorTest, HungDomainIsListedTimedOutWithNothingElse) {
  Scenario s;
  s.pcpus = 2;
  s.domains = {Guest("a"), Guest("b")};
  s.domains[1].hang = HangSpec{1, 2, false};
  Rig rig(s);
  EXPECT_EQ(Named(rig.Step(0), "b").read, DomainRead::kComplete);
  const Sample hung = rig.Step(1);
  const DomainSample& b = Named(hung, "b");
  EXPECT_EQ(b.read, DomainRead::kTimedOut);
  EXPECT_FALSE(b.read_error.empty());
  EXPECT_TRUE(b.vcpus.empty());
  EXPECT_FALSE(b.balloon.actual_kib.has_value());
  EXPECT_FALSE(b.balloon.last_update_s.has_value());
  EXPECT_EQ(hung.errors, 1);
  EXPECT_EQ(Named(hung, "a").read, DomainRead::kComplete);
  EXPECT_FALSE(Named(hung, "a").vcpus.empty());
  rig.Step(2);
  const Sample back = rig.Step(3);
  EXPECT_EQ(Named(back, "b").read, DomainRead::kComplete);
  EXPECT_EQ(back.errors, 0);
}

TEST(SensorTest, PartialHangKeepsWhatDoesNotNeedQemu) {
  Scenario s;
  s.pcpus = 2;
  s.domains = {Guest("a")};
  s.domains[0].hang = HangSpec{0, 5, true};
  Rig rig(s);
  rig.Step(0);
  const Sample hung = rig.Step(1);
  const DomainSample& a = Named(hung, "a");
  EXPECT_EQ(a.read, DomainRead::kTimedOut);
  ASSERT_EQ(a.vcpus.size(), 1u);
  EXPECT_GT(a.vcpus[0].cpu_time_ns, 0u);
  EXPECT_FALSE(a.vcpus[0].delay_ns.has_value());
  EXPECT_EQ(a.vcpus[0].affinity, CpuSet{0});
  EXPECT_TRUE(a.balloon.rss_kib.has_value());
  EXPECT_FALSE(a.balloon.actual_kib.has_value());
  EXPECT_FALSE(a.balloon.unused_kib.has_value());
}

TEST(SensorTest, DomainsAreReadAcrossTheSpanInOrder) {
  Scenario s;
  s.pcpus = 2;
  s.read_span_s = 0.2;
  s.domains = {Guest("a"), Guest("b")};
  s.domains[1].pin = {1};
  Rig rig(s);
  const Sample sample = rig.Step(0);
  EXPECT_EQ(sample.vcpu_read_span_ns, 200000000);
  // a is read 0.05 s before the stamp, b 0.05 s after; both run 0.5.
  EXPECT_EQ(Named(sample, "a").vcpus[0].cpu_time_ns, 475000000u);
  EXPECT_EQ(Named(sample, "b").vcpus[0].cpu_time_ns, 525000000u);
}

TEST(SensorTest, CpuTimeMovesInQuanta) {
  Scenario s;
  s.cpu_quantum_ms = 10;
  s.domains = {Guest("a")};
  s.domains[0].cpu = {{{0, 0.333}}};
  Rig rig(s);
  EXPECT_EQ(rig.Step(0).domains[0].vcpus[0].cpu_time_ns, 330000000u);
}

TEST(SensorTest, HostFreeMemoryNeverReadsBelowZero) {
  Scenario s;
  s.host_memory_mib = 1024;
  s.host_overhead_mib = 256;
  s.host_holder_mib = {{0, 600}};
  s.lazy_backing = true;
  // Each guest touches 64 MiB of kernel + 100 MiB: 328 MiB, 160 MiB over.
  s.domains = {Guest("a"), Guest("b")};
  Rig rig(s);
  EXPECT_EQ(rig.world.host_free_mib(), 0);  // nothing ran yet
  const Sample sample = rig.Step(0);
  EXPECT_EQ(rig.world.host_free_mib(), 1024 - 256 - 600 - 2 * 164);
  EXPECT_EQ(sample.host.memory_free_kib, 0u);
  EXPECT_EQ(sample.host.memory_available_kib, 0u);
  EXPECT_EQ(sample.host.memory_total_kib, 1024 * kMib);
}

// rss is what the host backs for the guest: its touched pages and its QEMU
// process; the host's free and available memory are what is left.
TEST(SensorTest, RssIsTouchedMemoryPlusQemuOverhead) {
  Scenario s;
  s.host_memory_mib = 4096;
  s.host_overhead_mib = 256;
  s.qemu_overhead_mib = 48;
  s.lazy_backing = true;
  s.domains = {Guest("a")};
  Rig rig(s);
  const Sample sample = rig.Step(0);
  EXPECT_EQ(*Named(sample, "a").balloon.rss_kib, (64 + 100 + 48) * kMib);
  EXPECT_EQ(sample.host.memory_free_kib, (4096 - 256 - 212) * kMib);
  EXPECT_EQ(sample.host.memory_available_kib, sample.host.memory_free_kib);
}

// With a stats period the guest reports once per period: the samples in
// between repeat its last report (not flagged frozen), while actual and
// rss, which QEMU and the host know, stay live.
TEST(SensorTest, StatisticsLagByTheirPeriod) {
  Scenario s;
  s.stats_period_s = 3;
  s.lazy_backing = true;  // rss follows what the guest touches
  s.domains = {Guest("a")};
  s.domains[0].mem = {{0, 100}, {10, 1100}};  // +100 MiB per tick
  s.domains[0].memory_mib = 2048;
  s.domains[0].max_memory_mib = 2048;
  Rig rig(s);
  std::vector<int64_t> updates, unused_mib;
  for (int64_t t = 0; t < 7; ++t) {
    std::vector<std::string> frozen;
    const BalloonSample b = Named(rig.Step(t, &frozen), "a").balloon;
    EXPECT_TRUE(frozen.empty());
    updates.push_back(*b.last_update_s - s.epoch_s);
    unused_mib.push_back(static_cast<int64_t>(*b.unused_kib / kMib));
    const int64_t touched = 64 + 100 + 100 * t;
    EXPECT_EQ(static_cast<int64_t>(*b.rss_kib / kMib), touched);
  }
  // Sample t ends at t + 1 s: reports at 1 s (the first), 3 s and 6 s.
  EXPECT_EQ(updates, (std::vector<int64_t>{1, 1, 3, 3, 3, 6, 6}));
  EXPECT_EQ(unused_mib,
            (std::vector<int64_t>{1884, 1884, 1684, 1684, 1684, 1384, 1384}));
}

TEST(SensorTest, DriverlessGuestReportsOnlyWhatQemuKnows) {
  Scenario s;
  s.domains = {Guest("a")};
  s.domains[0].balloon_driver = false;
  Rig rig(s);
  std::vector<std::string> frozen;
  const BalloonSample b = rig.Step(0, &frozen).domains[0].balloon;
  EXPECT_EQ(b.actual_kib, 512 * kMib);
  EXPECT_EQ(b.maximum_kib, 512 * kMib);
  EXPECT_FALSE(b.unused_kib.has_value());
  EXPECT_FALSE(b.last_update_s.has_value());
  EXPECT_TRUE(frozen.empty());  // nothing to freeze
}

TEST(SensorTest, StatsFreezeAtTheirTickAndOnlyThen) {
  Scenario s;
  s.domains = {Guest("a"), Guest("b")};
  s.domains[0].stats_stale_from = 3;
  s.domains[0].mem = {{0, 100}, {10, 300}};  // live unused keeps moving
  Rig rig(s);
  std::vector<int64_t> last_update;
  std::vector<std::vector<std::string>> frozen_by_tick;
  for (int64_t t = 0; t < 6; ++t) {
    std::vector<std::string> frozen;
    const Sample sample = rig.Step(t, &frozen);
    last_update.push_back(*Named(sample, "a").balloon.last_update_s -
                          sample.wall_time_s);
    frozen_by_tick.push_back(frozen);
  }
  // Ages 0, 0, 0 (live), then 1, 2, 3 s: the tick-2 report repeated.
  EXPECT_EQ(last_update, (std::vector<int64_t>{0, 0, 0, -1, -2, -3}));
  for (int64_t t = 0; t < 6; ++t) {
    EXPECT_EQ(frozen_by_tick[t], t >= 3 ? std::vector<std::string>{"a"}
                                        : std::vector<std::string>{})
        << t;
  }
}

TEST(SensorTest, ARestartedGuestReportsOnceBeforeFreezingAgain) {
  Scenario s;
  s.domains = {Guest("a")};
  s.domains[0].stats_stale_from = 1;
  s.domains[0].restart_at = {3};
  Rig rig(s);
  std::vector<bool> frozen_at;
  for (int64_t t = 0; t < 5; ++t) {
    std::vector<std::string> frozen;
    rig.Step(t, &frozen);
    frozen_at.push_back(!frozen.empty());
  }
  // A new qemu process has not reported yet: its first sample is live.
  EXPECT_EQ(frozen_at, (std::vector<bool>{false, true, true, false, true}));
}

}  // namespace
}  // namespace sim
}  // namespace vmbalance
