// Closed-loop runs with a hung guest (issue 10): the simulator makes one
// domain unreadable in time (Sample kTimedOut, calls on it time out) while
// the real Controller drives the host, judged by the simulator's ground
// truth. The others are balanced around the hung one, which is never
// pinned or resized; what it was given still counts against the host.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "controller/closed_loop/memory_run.h"
#include "controller/closed_loop/recording_hypervisor.h"
#include "controller/controller.h"
#include "controller/memory/memory_policy_config.h"
#include "controller/memory/memory_thresholds.h"
#include "controller/sim/scenario.h"
#include "controller/sim/simulator.h"

namespace vmbalance {
namespace closed_loop {
namespace {

constexpr int kCpuTicks = 40;  // the whole run is inside the hang

TEST(HungGuestCpuTest, OthersAreBalancedAroundItAndItIsNeverPinned) {
  StatusOr<sim::Scenario> scenario =
      sim::LoadScenario("controller/sim/testdata/cpu_hung_guest.json");
  ASSERT_TRUE(scenario.ok()) << scenario.status().message();
  sim::Simulator simulator(*scenario, 1.0, sim::RefereeRules());
  RecordingHypervisor host(&simulator);
  ControllerOptions options;
  options.memory = false;
  Controller controller(&host, options, nullptr, nullptr);
  for (int tick = 0; tick < kCpuTicks; ++tick) controller.Tick();

  for (const PinCall& call : host.pin_calls()) {
    EXPECT_NE(call.domain, "stuck") << "pinned at tick " << call.tick;
  }
  // Ground truth: balanced, the hung guest's load included, and still.
  const nlohmann::json summary = simulator.Summary(0);
  ASSERT_FALSE(summary["first_balanced_tick"].is_null()) << summary.dump();
  EXPECT_LE(summary["first_balanced_tick"].get<int>(), 10) << summary.dump();
  for (const sim::TickRecord& record : simulator.records()) {
    if (record.tick > summary["first_balanced_tick"].get<int>()) {
      EXPECT_TRUE(record.balanced) << "tick " << record.tick;
    }
  }
  for (const auto& [name, pcpus] : simulator.Assignment()) {
    if (name.rfind("vm", 0) == 0) {
      EXPECT_EQ(pcpus.size(), 1u) << name;
    }
  }
}

// vm1 was booted with 2048 MiB and had touched ~100 when it hung; unseen,
// it then uses 1900. Had its untouched 1900 been forgotten with its
// figures, the growing guests would have been given it and the host would
// run out.
TEST(HungGuestMemoryTest, ItsGrantStillCountsAndTheReserveHolds) {
  const MemoryRun run = RunMemoryScenario(
      {"mem_hung_guest.json", Coordinator::kVmbalance, 150, 1.0});
  ASSERT_EQ(run.error, "");
  const int64_t reserve = static_cast<int64_t>(
      HostReserveKib(MemoryPolicyConfig(), 24576 * 1024) / 1024);
  const std::string figures = run.summary.dump();
  EXPECT_GE(run.summary.value("min_host_free_mib", int64_t{-1}), reserve)
      << figures;
  EXPECT_EQ(run.summary.value("host_oom_kills", int64_t{-1}), 0) << figures;
  for (const BalloonCall& call : run.balloon_calls) {
    if (call.tick >= 2 && call.tick < 102) {
      EXPECT_NE(call.domain, "vm1") << "resized at tick " << call.tick;
    }
  }
  // The others were still fed.
  for (const char* guest : {"vm2", "vm3", "vm4"}) {
    EXPECT_GT(run.summary["max_actual_mib"].value(guest, int64_t{0}), 512)
        << guest << ": " << figures;
  }
}

}  // namespace
}  // namespace closed_loop
}  // namespace vmbalance
