// Closed loop: the memory coordinator, run as vmbalanced runs it (both
// policies, one --exclude), drives the simulator, where two idle guests are
// opted out (one by --exclude, one by memory="off" in its XML). Judged by
// the simulator's truth: their balloons never move, while a growing guest
// is fed and an idle managed one gives memory back.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "controller/controller.h"
#include "controller/sim/scenario.h"
#include "controller/sim/simulator.h"

namespace vmbalance {
namespace {

constexpr char kScenario[] = R"({
  "name": "mem_opt_out",
  "pcpus": 4,
  "host_memory_mib": 8192,
  "host_overhead_mib": 512,
  "balloon_mib_per_s": 225,
  "lazy_backing": true,
  "domains": [
    {"name": "grower", "memory_mib": 512, "max_memory_mib": 2048, "cpu": 0.1,
     "mem_workload": "grow", "mem": 1400},
    {"name": "infra-idle", "memory_mib": 1536, "max_memory_mib": 2048,
     "cpu": 0.1, "mem": 0},
    {"name": "quiet", "memory_mib": 1536, "max_memory_mib": 2048, "cpu": 0.1,
     "mem": 0, "policy": {"memory": "off"}},
    {"name": "idle", "memory_mib": 1536, "max_memory_mib": 2048, "cpu": 0.1,
     "mem": 0}
  ]
})";

constexpr int64_t kMiB = 1024;  // in KiB

TEST(ClosedLoopMemoryOptOutTest, OptedOutGuestsKeepTheirSize) {
  StatusOr<sim::Scenario> scenario = sim::ParseScenario(kScenario);
  ASSERT_TRUE(scenario.ok()) << scenario.status().message();
  sim::Simulator simulator(*scenario, 1.0);
  ControllerOptions options;  // both policies, as vmbalanced
  std::string error;
  const DomainFilter exclude = *DomainFilter::Parse("^infra-", &error);
  options.vcpu.exclude = exclude;
  options.memory_config.exclude = exclude;
  Controller controller(&simulator, options, nullptr, nullptr);
  int64_t grower_max_kib = 0;
  for (int tick = 0; tick < 60; ++tick) {
    controller.Tick();
    for (const char* name : {"infra-idle", "quiet"}) {
      const std::optional<sim::GuestMemory> memory = simulator.Memory(name);
      ASSERT_TRUE(memory.has_value()) << name;
      EXPECT_EQ(memory->actual_kib, 1536 * kMiB) << name << " tick " << tick;
      EXPECT_EQ(memory->target_kib, 1536 * kMiB) << name << " tick " << tick;
    }
    grower_max_kib =
        std::max(grower_max_kib, simulator.Memory("grower")->actual_kib);
  }
  EXPECT_EQ(simulator.guest_oom_kills(), 0);
  // The coordinator was at work beside them.
  EXPECT_GT(grower_max_kib, 1400 * kMiB);
  EXPECT_LT(simulator.Memory("idle")->actual_kib, 1536 * kMiB);
}

}  // namespace
}  // namespace vmbalance
