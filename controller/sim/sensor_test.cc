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
  s.domains = {Guest("a"), Guest("b")};  // 2 x 512 MiB: 256 MiB over
  Rig rig(s);
  EXPECT_EQ(rig.world.host_free_mib(), 0);  // nothing ran yet
  const Sample sample = rig.Step(0);
  EXPECT_EQ(rig.world.host_free_mib(), -256);
  EXPECT_EQ(sample.host.memory_free_kib, 0u);
  EXPECT_EQ(sample.host.memory_total_kib, 1024 * kMib);
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
