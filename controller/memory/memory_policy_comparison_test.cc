// The policy against the two baselines (baseline_policies.h) in closed loop
// over the memory scenarios: resize calls, workload allocation failures,
// guests killed, lowest host free memory. Prints the table (the README's
// figures) and checks that vmbalance kills nothing, keeps the reserve, and
// makes fewer calls than the fixed-threshold rule.
#include <cstdio>
#include <functional>
#include <string>

#include "controller/memory/baseline_policies.h"
#include "controller/memory/memory_policy.h"
#include "controller/sim/simulator.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using Decide = std::function<std::vector<BalloonChange>(const Sample&)>;

struct Figures {
  int changes = 0;
  int alloc_failures = 0;
  int oom_kills = 0;
  int64_t min_host_free_mib = 0;
};

Figures RunPolicy(const std::string& file, int ticks, const Decide& decide) {
  StatusOr<sim::Scenario> scenario =
      sim::LoadScenario("controller/sim/testdata/" + file);
  EXPECT_TRUE(scenario.ok()) << scenario.status().message();
  Figures f;
  if (!scenario.ok()) return f;
  sim::Simulator simulator(*scenario, 1.0);
  for (int tick = 0; tick < ticks; ++tick) {
    StatusOr<Sample> sample = simulator.Take();
    if (!sample.ok()) break;
    for (const BalloonChange& c : decide(*sample)) {
      simulator.SetMemory(c.uuid, c.to_kib);
    }
  }
  const nlohmann::json s = simulator.Summary(0);
  f.changes = s["balloon_changes"].get<int>();
  f.alloc_failures = s["workload_alloc_failures"].get<int>();
  f.oom_kills = s["guest_oom_kills"].get<int>();
  f.min_host_free_mib = s["min_host_free_mib"].get<int64_t>();
  return f;
}

TEST(MemoryPolicyComparisonTest, FewerCallsNoKillsReserveKept) {
  std::printf("%-24s %-10s %8s %8s %6s %14s\n", "scenario", "policy", "changes",
              "allocf", "kills", "min_free_mib");
  for (const char* file : {"mem_1_lone_consumer.json", "mem_2_all_consume.json",
                           "mem_3_redirect.json", "mem_spike.json",
                           "mem_small_host.json", "mem_churn.json"}) {
    MemoryPolicyConfig config;
    MemoryPolicyState state;
    uint64_t reserve_kib = 0;
    const Figures ours = RunPolicy(file, 150, [&](const Sample& s) {
      MemoryDecision d = DecideBalloons(config, s, &state);
      reserve_kib = d.host_reserve_kib;
      return d.changes;
    });
    const Figures fixed = RunPolicy(file, 150, DecideFixedThresholds);
    const Figures mom = RunPolicy(file, 150, DecideMomLike);
    const std::pair<const char*, const Figures*> rows[] = {
        {"vmbalance", &ours}, {"fixed", &fixed}, {"mom-like", &mom}};
    for (const auto& [name, f] : rows) {
      std::printf("%-24s %-10s %8d %8d %6d %14lld\n", file, name, f->changes,
                  f->alloc_failures, f->oom_kills,
                  static_cast<long long>(f->min_host_free_mib));
    }
    SCOPED_TRACE(file);
    EXPECT_EQ(ours.oom_kills, 0);
    EXPECT_GE(ours.min_host_free_mib, static_cast<int64_t>(reserve_kib / 1024));
    EXPECT_LT(ours.changes, fixed.changes);
  }
}

}  // namespace
}  // namespace vmbalance
