#include "exporter/libvirt/domain_stats_params.h"

#include <gtest/gtest.h>

#include "exporter/libvirt/libvirt_handles.h"

namespace vmbalance {
namespace {

using libvirt_internal::TypedParams;

// What qemu:///system returns for a 2-vCPU guest with a balloon driver, in
// libvirt's order (names as documented for virConnectGetAllDomainStats).
TypedParams QemuLikeRecord() {
  TypedParams params;
  params.AddInt("state.state", VIR_DOMAIN_RUNNING);
  params.AddInt("state.reason", 1);
  params.AddULLong("cpu.time", 9000000000ULL);
  params.AddUInt("vcpu.current", 2);
  params.AddUInt("vcpu.maximum", 4);
  params.AddInt("vcpu.0.state", 1);
  params.AddULLong("vcpu.0.time", 4000000000ULL);
  params.AddULLong("vcpu.0.wait", 5);
  params.AddULLong("vcpu.0.delay", 700000ULL);
  params.AddInt("vcpu.1.state", 1);
  params.AddULLong("vcpu.1.time", 3000000000ULL);
  params.AddULLong("balloon.current", 524288);
  params.AddULLong("balloon.maximum", 1048576);
  params.AddULLong("balloon.swap_in", 11);
  params.AddULLong("balloon.swap_out", 13);
  params.AddULLong("balloon.major_fault", 12);
  params.AddULLong("balloon.unused", 300000);
  params.AddULLong("balloon.available", 480000);
  params.AddULLong("balloon.usable", 350000);
  params.AddULLong("balloon.last-update", 1700000000);
  params.AddULLong("balloon.disk_caches", 20000);
  params.AddULLong("balloon.rss", 600000);
  return params;
}

TEST(DomainStatsParamsTest, ReadsEveryFigureByName) {
  TypedParams params = QemuLikeRecord();
  DomainStatsParams stats =
      ParseDomainStatsParams(params.get(), params.count());
  EXPECT_EQ(stats.state, VIR_DOMAIN_RUNNING);
  EXPECT_EQ(stats.vcpu_current, 2);
  EXPECT_EQ(stats.vcpu_time_ns,
            (std::map<int, uint64_t>{{0, 4000000000ULL}, {1, 3000000000ULL}}));
  // Only vCPU 0 has a delay figure; wait is a different counter.
  EXPECT_EQ(stats.vcpu_delay_ns, (std::map<int, uint64_t>{{0, 700000ULL}}));
  const BalloonSample& balloon = stats.balloon;
  EXPECT_EQ(balloon.actual_kib, 524288u);
  EXPECT_EQ(balloon.maximum_kib, 1048576u);
  EXPECT_EQ(balloon.unused_kib, 300000u);
  EXPECT_EQ(balloon.available_kib, 480000u);
  EXPECT_EQ(balloon.usable_kib, 350000u);
  EXPECT_EQ(balloon.rss_kib, 600000u);
  EXPECT_EQ(balloon.disk_caches_kib, 20000u);
  EXPECT_EQ(balloon.major_faults, 12u);
  EXPECT_EQ(balloon.swap_in_kib, 11u);
  EXPECT_EQ(balloon.swap_out_kib, 13u);
  EXPECT_EQ(balloon.last_update_s, 1700000000);
}

TEST(DomainStatsParamsTest, StateOnlyRecordLeavesTheRestEmpty) {
  // All the test:/// driver returns.
  TypedParams params;
  params.AddInt("state.state", VIR_DOMAIN_PAUSED);
  params.AddInt("state.reason", 0);
  DomainStatsParams stats =
      ParseDomainStatsParams(params.get(), params.count());
  EXPECT_EQ(stats.state, VIR_DOMAIN_PAUSED);
  EXPECT_FALSE(stats.vcpu_current.has_value());
  EXPECT_TRUE(stats.vcpu_time_ns.empty());
  EXPECT_TRUE(stats.vcpu_delay_ns.empty());
  EXPECT_FALSE(stats.balloon.actual_kib.has_value());
  EXPECT_FALSE(stats.balloon.maximum_kib.has_value());
  EXPECT_FALSE(stats.balloon.unused_kib.has_value());
  EXPECT_FALSE(stats.balloon.major_faults.has_value());
  EXPECT_FALSE(stats.balloon.swap_in_kib.has_value());
  EXPECT_FALSE(stats.balloon.swap_out_kib.has_value());
  EXPECT_FALSE(stats.balloon.last_update_s.has_value());
}

TEST(DomainStatsParamsTest, NoParamsAtAll) {
  DomainStatsParams stats = ParseDomainStatsParams(nullptr, 0);
  EXPECT_FALSE(stats.state.has_value());
  EXPECT_TRUE(stats.vcpu_time_ns.empty());
}

TEST(DomainStatsParamsTest, IgnoresMalformedNamesAndWrongTypes) {
  TypedParams params;
  params.AddULLong("vcpu.x.time", 1);
  params.AddULLong("vcpu..time", 2);
  params.AddULLong("vcpu.-1.time", 3);
  params.AddULLong("vcpu.2", 4);
  params.AddULLong("vcpu.12.time", 12);  // indices above 9 parse whole
  params.AddString("balloon.unused", "lots");
  params.AddLLong("balloon.rss", -5);  // negative sizes are not readings
  params.AddULLong("balloon.future_field", 9);
  params.AddULLong("net.0.rx.bytes", 10);
  DomainStatsParams stats =
      ParseDomainStatsParams(params.get(), params.count());
  EXPECT_EQ(stats.vcpu_time_ns, (std::map<int, uint64_t>{{12, 12}}));
  EXPECT_FALSE(stats.balloon.unused_kib.has_value());
  EXPECT_FALSE(stats.balloon.rss_kib.has_value());
}

// Found by fuzz/domain_stats_params_fuzzer: values wider than an int were
// truncated (2^32 + 2 vCPUs read as 2, 2^31 as a negative count).
TEST(DomainStatsParamsTest, CountsWiderThanAnIntAreNotReadings) {
  for (unsigned long long wide : {1ULL << 31, (1ULL << 32) + 2, ~0ULL}) {
    TypedParams params;
    params.AddULLong("state.state", (1ULL << 32) + VIR_DOMAIN_RUNNING);
    params.AddULLong("vcpu.current", wide);
    DomainStatsParams stats =
        ParseDomainStatsParams(params.get(), params.count());
    EXPECT_FALSE(stats.vcpu_current.has_value()) << wide;
    EXPECT_FALSE(stats.state.has_value()) << wide;
  }
  TypedParams params;
  params.AddLLong("vcpu.current", 2147483647LL);
  EXPECT_EQ(ParseDomainStatsParams(params.get(), params.count()).vcpu_current,
            2147483647);
}

TEST(DomainStatsParamsTest, MapsLibvirtStates) {
  EXPECT_EQ(DomainStateFromLibvirt(VIR_DOMAIN_RUNNING), DomainState::kRunning);
  EXPECT_EQ(DomainStateFromLibvirt(VIR_DOMAIN_PAUSED), DomainState::kPaused);
  EXPECT_EQ(DomainStateFromLibvirt(VIR_DOMAIN_PMSUSPENDED),
            DomainState::kSuspended);
  EXPECT_EQ(DomainStateFromLibvirt(VIR_DOMAIN_NOSTATE), DomainState::kUnknown);
  EXPECT_EQ(DomainStateFromLibvirt(99), DomainState::kUnknown);
}

}  // namespace
}  // namespace vmbalance
