#include "controller/sim/world.h"

#include <gtest/gtest.h>

namespace vmbalance {
namespace sim {
namespace {

constexpr int64_t kMib = 1024;

DomainSpec Guest(const std::string& name, double cpu, int pin) {
  DomainSpec d;
  d.name = name;
  d.uuid = DeterministicUuid(name);
  d.cpu = {{{0, cpu}}};
  if (pin >= 0) d.pin = {pin};
  return d;
}

TEST(WorldTest, OvercommittedPcpuSharesFairlyAndVcpusWait) {
  Scenario s;
  s.pcpus = 2;
  s.domains = {Guest("a", 0.8, 0), Guest("b", 0.8, 0), Guest("c", 0.3, 1)};
  const Faults faults(&s);
  World world(&s, 1.0);
  const TickTruth truth = world.Advance(0, faults);
  EXPECT_EQ(truth.running_domains, 3);
  EXPECT_DOUBLE_EQ(truth.pcpu_demand[0], 1.6);
  EXPECT_DOUBLE_EQ(truth.pcpu_demand[1], 0.3);
  const VcpuState& a = world.domains()[0].vcpus[0];
  EXPECT_DOUBLE_EQ(a.cpu_time_ns, 0.5e9);  // half of pCPU 0 each
  EXPECT_DOUBLE_EQ(a.delay_ns, (1 - 0.5 / 0.8) * 1e9);
  EXPECT_DOUBLE_EQ(world.domains()[2].vcpus[0].delay_ns, 0);
  EXPECT_DOUBLE_EQ(world.pcpu_busy_ns(0), 1e9);
  EXPECT_DOUBLE_EQ(world.pcpu_busy_ns(1), 0.3e9);
}

TEST(WorldTest, NoiseMovesWhatRunsButNotTheNominalDemand) {
  Scenario s;
  s.pcpus = 1;
  s.noise = 0.5;
  s.domains = {Guest("a", 0.4, 0)};
  const Faults faults(&s);
  World world(&s, 1.0);
  const TickTruth truth = world.Advance(0, faults);
  EXPECT_DOUBLE_EQ(truth.pcpu_demand[0], 0.4);
  EXPECT_EQ(truth.vcpu_demands, std::vector<double>{0.4});
  EXPECT_NE(world.domains()[0].vcpus[0].cpu_time_ns, 0.4e9);
}

TEST(WorldTest, LifecycleFollowsTheScheduleWithNewIdsAndProcesses) {
  Scenario s;
  DomainSpec a = Guest("a", 0.5, -1);
  a.start = 1;
  a.stop = 4;
  a.restart_at = {3};
  s.domains = {a};
  const Faults faults(&s);
  World world(&s, 1.0);
  std::vector<int> ids;
  std::vector<int64_t> processes;
  for (int64_t t = 0; t < 5; ++t) {
    world.Advance(t, faults);
    ids.push_back(world.domains()[0].id);
    processes.push_back(world.domains()[0].process);
  }
  EXPECT_EQ(ids, (std::vector<int>{-1, 1, 1, 2, -1}));
  EXPECT_EQ(processes, (std::vector<int64_t>{0, 1, 1, 2, 2}));
}

TEST(WorldTest, PinReportsWhetherItChangedAnything) {
  Scenario s;
  s.pcpus = 2;
  s.domains = {Guest("a", 0.5, 0)};
  const Faults faults(&s);
  World world(&s, 1.0);
  world.Advance(0, faults);
  const std::string uuid = s.domains[0].uuid;
  EXPECT_FALSE(*world.Pin(uuid, 0, CpuSet{0}));
  EXPECT_TRUE(*world.Pin(uuid, 0, CpuSet{1}));
  EXPECT_FALSE(world.Pin(uuid, 0, CpuSet{2}).ok());
  EXPECT_FALSE(world.Pin("other", 0, CpuSet{1}).ok());
  world.Advance(1, faults);
  EXPECT_EQ(world.Assignment().at("a"), std::vector<int>{1});
}

TEST(WorldTest, DriverlessGuestAcceptsATargetAndNeverMoves) {
  Scenario s;
  s.host_memory_mib = 4096;
  s.host_overhead_mib = 256;
  DomainSpec a = Guest("a", 0.1, -1);
  a.memory_mib = 512;
  a.max_memory_mib = 1024;
  a.balloon_driver = false;
  s.domains = {a};
  const Faults faults(&s);
  World world(&s, 1.0);
  world.Advance(0, faults);
  EXPECT_TRUE(*world.SetTarget(s.domains[0].uuid, 1024 * kMib));
  EXPECT_FALSE(*world.SetTarget(s.domains[0].uuid, 1024 * kMib));
  const TickTruth truth = world.Advance(1, faults);
  EXPECT_EQ(world.domains()[0].memory.actual_kib, 512 * kMib);
  EXPECT_EQ(truth.host_free_mib, 4096 - 256 - 512);
  ASSERT_EQ(truth.guests.size(), 1u);
  EXPECT_FALSE(truth.guests[0].balloon_driver);
}

// Lazy backing: a grown balloon costs the host nothing until the guest
// touches the memory; an inflating balloon gives back what it takes from
// touched memory; the host holder and each QEMU process cost the host too.
TEST(WorldTest, TheHostBacksOnlyTouchedMemory) {
  Scenario s;
  s.host_memory_mib = 8192;
  s.host_overhead_mib = 256;
  s.qemu_overhead_mib = 32;
  s.lazy_backing = true;
  s.host_holder_mib = {{0, 1000}, {3, 3000}};
  s.balloon_mib_per_s = 4096;
  DomainSpec a = Guest("a", 0.1, -1);
  a.memory_mib = 512;
  a.max_memory_mib = 2048;
  a.mem = {{0, 100}, {1, 100}, {2, 1500}, {3, 1500}, {4, 100}};
  s.domains = {a};
  const Faults faults(&s);
  World world(&s, 1.0);
  const int64_t base = 8192 - 256 - 1000 - 32;
  EXPECT_EQ(world.Advance(0, faults).host_free_mib, base - 164);
  ASSERT_TRUE(world.SetTarget(a.uuid, 2048 * kMib).ok());
  // Grown to 2048 MiB, still touching 164: the host pays nothing for it.
  EXPECT_EQ(world.Advance(1, faults).host_free_mib, base - 164);
  EXPECT_EQ(world.domains()[0].memory.actual_kib, 2048 * kMib);
  // The workload touches 1500 MiB.
  EXPECT_EQ(world.Advance(2, faults).host_free_mib, base - 1564);
  // The holder takes 2000 MiB more at tick 3.
  EXPECT_EQ(world.Advance(3, faults).host_free_mib, base - 2000 - 1564);
  // The workload drops to 100 MiB: its pages stay touched (and backed)...
  EXPECT_EQ(world.Advance(4, faults).host_free_mib, base - 2000 - 1564);
  // ...until the balloon inflates below them.
  ASSERT_TRUE(world.SetTarget(a.uuid, 600 * kMib).ok());
  EXPECT_EQ(world.Advance(5, faults).host_free_mib, base - 2000 - 600);
}

// The model by default, kept for the scenarios judged by it: the whole
// balloon costs the host as soon as it grows.
TEST(WorldTest, WithoutLazyBackingTheWholeBalloonCosts) {
  Scenario s;
  s.host_memory_mib = 4096;
  s.host_overhead_mib = 256;
  s.balloon_mib_per_s = 4096;
  DomainSpec a = Guest("a", 0.1, -1);
  a.memory_mib = 512;
  a.max_memory_mib = 2048;
  s.domains = {a};
  const Faults faults(&s);
  World world(&s, 1.0);
  EXPECT_EQ(world.Advance(0, faults).host_free_mib, 4096 - 256 - 512);
  ASSERT_TRUE(world.SetTarget(a.uuid, 2048 * kMib).ok());
  EXPECT_EQ(world.Advance(1, faults).host_free_mib, 4096 - 256 - 2048);
}

TEST(WorldTest, GuestTruthShowsTheShortfallTheGuestCannotReport) {
  Scenario s;
  s.guest_kernel_mib = 64;
  DomainSpec a = Guest("a", 0.1, -1);
  a.memory_mib = 512;
  a.max_memory_mib = 2048;
  a.mem = {{0, 600}};  // 152 MiB more than fits
  s.domains = {a};
  const Faults faults(&s);
  World world(&s, 1.0);
  const TickTruth truth = world.Advance(0, faults);
  EXPECT_EQ(truth.workload_alloc_failures, 1);
  ASSERT_EQ(truth.guests.size(), 1u);
  EXPECT_EQ(truth.guests[0].unused_kib, -152 * kMib);
  EXPECT_EQ(truth.guests[0].max_memory_kib, 2048 * kMib);
}

}  // namespace
}  // namespace sim
}  // namespace vmbalance
