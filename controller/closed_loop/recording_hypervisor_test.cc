#include "controller/closed_loop/recording_hypervisor.h"

#include <gtest/gtest.h>

#include "controller/sim/scenario.h"
#include "controller/sim/simulator.h"

namespace vmbalance {
namespace closed_loop {
namespace {

constexpr uint64_t kMiB = 1024;  // in KiB

sim::Simulator TwoGuests() {
  StatusOr<sim::Scenario> scenario = sim::ParseScenario(R"({
      "domains": [{"name": "a", "memory_mib": 512, "max_memory_mib": 1024},
                  {"name": "b", "memory_mib": 768, "max_memory_mib": 1024}]})");
  EXPECT_TRUE(scenario.ok()) << scenario.status().message();
  return sim::Simulator(*scenario, 1.0);
}

TEST(RecordingHypervisorTest, LogsEachResizeWithItsTickAndTheSizeLastSeen) {
  sim::Simulator simulator = TwoGuests();
  RecordingHypervisor recorder(&simulator);
  StatusOr<Sample> first = recorder.Take();
  ASSERT_TRUE(first.ok());
  const DomainKey b = first->domains[0].name == "b" ? first->domains[0].uuid
                                                    : first->domains[1].uuid;
  EXPECT_TRUE(recorder.SetMemory(b, 600 * kMiB).ok());
  ASSERT_TRUE(recorder.Take().ok());
  EXPECT_TRUE(recorder.SetMemory(b, 700 * kMiB).ok());
  EXPECT_FALSE(recorder.SetMemory("no-such-uuid", 700 * kMiB).ok());

  const std::vector<BalloonCall>& calls = recorder.balloon_calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].tick, 0);
  EXPECT_EQ(calls[0].domain, "b");
  EXPECT_EQ(calls[0].from_kib, 768 * kMiB);
  EXPECT_EQ(calls[0].to_kib, 600 * kMiB);
  EXPECT_TRUE(calls[0].ok);
  // The balloon moved (256 MiB/s) to 600 MiB during tick 1.
  EXPECT_EQ(calls[1].tick, 1);
  EXPECT_EQ(calls[1].from_kib, 600 * kMiB);
  EXPECT_EQ(calls[2].domain, "");  // never sampled
  EXPECT_FALSE(calls[2].ok);
  EXPECT_EQ(simulator.balloon_changes(), 2);
}

}  // namespace
}  // namespace closed_loop
}  // namespace vmbalance
