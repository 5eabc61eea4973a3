// Closed-loop tests: the simulator (//controller/sim) and DecideBalloons in
// the controller's order (Take, Decide, SetMemory for each change, repeat)
// over the memory scenario files. Every run must end without a guest killed
// and with the host never below its reserve.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "controller/memory/memory_policy.h"
#include "controller/sim/simulator.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

constexpr int64_t kMiB = 1024;

struct LoopRun {
  nlohmann::json summary;
  int64_t reserve_mib = 0;
  std::map<std::string, int64_t> actual_mib_at;  // "name@tick" -> MiB
  int direction_reversals = 0;  // a guest grown right after a shrink or v.v.
  int stale_reports = 0;        // guest-intervals reported stale
};

LoopRun RunScenario(const std::string& file, int ticks,
                    MemoryPolicyConfig config = MemoryPolicyConfig(),
                    double interval_s = 1.0) {
  LoopRun run;
  StatusOr<sim::Scenario> scenario =
      sim::LoadScenario("controller/sim/testdata/" + file);
  EXPECT_TRUE(scenario.ok()) << scenario.status().message();
  if (!scenario.ok()) return run;
  sim::Simulator simulator(*scenario, interval_s);
  MemoryPolicyState state;
  std::map<DomainKey, int> last_direction;
  const bool trace = std::getenv("MEM_TRACE") != nullptr;
  for (int tick = 0; tick < ticks; ++tick) {
    StatusOr<Sample> sample = simulator.Take();
    EXPECT_TRUE(sample.ok());
    if (!sample.ok()) break;
    const MemoryDecision d = DecideBalloons(config, *sample, &state);
    run.reserve_mib = static_cast<int64_t>(d.host_reserve_kib) / kMiB;
    for (const GuestMemoryStatus& g : d.guests) {
      if (g.stale) ++run.stale_reports;
      run.actual_mib_at[g.domain + "@" + std::to_string(tick)] =
          static_cast<int64_t>(g.actual_kib) / kMiB;
    }
    for (const BalloonChange& c : d.changes) {
      const int dir = c.to_kib > c.from_kib ? 1 : -1;
      int& last = last_direction[c.uuid];
      if (last != 0 && last != dir) ++run.direction_reversals;
      last = dir;
      EXPECT_TRUE(simulator.SetMemory(c.uuid, c.to_kib).ok());
      if (trace) {
        std::printf(
            "%s t=%d %s %lu -> %lu | %s\n", file.c_str(), tick,
            c.domain.c_str(), static_cast<unsigned long>(c.from_kib / kMiB),
            static_cast<unsigned long>(c.to_kib / kMiB), d.reason.c_str());
      }
    }
  }
  run.summary = simulator.Summary(0);
  if (trace) std::printf("%s\n", run.summary.dump(1).c_str());
  return run;
}

void ExpectSafe(const LoopRun& run) {
  EXPECT_EQ(run.summary["guest_oom_kills"].get<int>(), 0);
  EXPECT_GE(run.summary["min_host_free_mib"].get<int64_t>(), run.reserve_mib);
}

int64_t MaxActual(const LoopRun& run, const std::string& name) {
  return run.summary["max_actual_mib"][name].get<int64_t>();
}
int64_t FinalActual(const LoopRun& run, const std::string& name) {
  return run.summary["final_actual_mib"][name].get<int64_t>();
}

TEST(MemoryClosedLoopTest, LoneConsumerReachesMaxThenIsReclaimed) {
  const LoopRun run = RunScenario("mem_1_lone_consumer.json", 150);
  ExpectSafe(run);
  EXPECT_EQ(MaxActual(run, "vm1"), 2048);
  EXPECT_LT(FinalActual(run, "vm1"), 512);
  for (const char* idle : {"vm2", "vm3", "vm4"}) {
    EXPECT_LT(FinalActual(run, idle), 512) << idle;
  }
  EXPECT_EQ(run.direction_reversals, 1);  // grow to max, then release
  EXPECT_LE(run.summary["balloon_changes"].get<int>(), 60);
}

TEST(MemoryClosedLoopTest, AllConsumeHostReserveHoldsThenReclaimed) {
  const LoopRun run = RunScenario("mem_2_all_consume.json", 160);
  ExpectSafe(run);
  int64_t total = 0;
  for (const char* vm : {"vm1", "vm2", "vm3", "vm4"}) {
    total += FinalActual(run, vm);
  }
  EXPECT_LE(total, 4 * 512);
}

TEST(MemoryClosedLoopTest, MemoryGoesToTheGrower) {
  const LoopRun run = RunScenario("mem_3_redirect.json", 160);
  ExpectSafe(run);
  // vm2 ends up with more than the host had free for it at the start
  // (3584 - 512 - 4 x 512 = 1024 MiB free): vm3/vm4's idle memory and vm1's
  // freed memory went to it.
  EXPECT_GT(MaxActual(run, "vm2"), 512 + 1024);
  EXPECT_LT(FinalActual(run, "vm3"), 512);
  EXPECT_LT(FinalActual(run, "vm4"), 512);
}

TEST(MemoryClosedLoopTest, SuddenSpikeIsMetWithinAFewIntervals) {
  const LoopRun run = RunScenario("mem_spike.json", 90);
  ExpectSafe(run);
  EXPECT_GE(MaxActual(run, "vm1"), 900);
  EXPECT_LT(FinalActual(run, "vm1"), 512);
}

TEST(MemoryClosedLoopTest, HostTooSmallForAllGuests) {
  const LoopRun run = RunScenario("mem_small_host.json", 160);
  ExpectSafe(run);
}

TEST(MemoryClosedLoopTest, GuestsAppearingDisappearingAndStale) {
  const LoopRun run = RunScenario("mem_churn.json", 100);
  ExpectSafe(run);
  EXPECT_GT(run.stale_reports, 0);  // vm5 (no driver), vm6 (frozen stats)
}

TEST(MemoryClosedLoopTest, SafeWithATwoSecondInterval) {
  for (const char* file :
       {"mem_1_lone_consumer.json", "mem_2_all_consume.json",
        "mem_3_redirect.json", "mem_spike.json", "mem_small_host.json"}) {
    SCOPED_TRACE(file);
    ExpectSafe(RunScenario(file, 80, MemoryPolicyConfig(), 2.0));
  }
}

}  // namespace
}  // namespace vmbalance
