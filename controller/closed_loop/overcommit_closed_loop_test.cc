// Closed-loop runs on a host that can run short (../shared/notes/
// real-hosts.md): the simulator backs guest memory lazily, so memory a
// policy grants costs the host only when the guest touches it. vmbalance,
// through the real Controller, must keep the host at or above its reserve
// even when every guest touches all it was granted, and must not grow a
// guest for its page cache. The uncoordinated run (kNone) shows the trap
// is the coordinator's: without one the host is safe and the guests starve.
// Every vmbalance test here failed on the policy before commitment
// accounting (commit d9e1170): host available fell to -96 MiB (-352 with
// lagging statistics), and the page-cache guest was grown to 2048 MiB.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "controller/closed_loop/memory_run.h"
#include "controller/memory/memory_policy_config.h"
#include "controller/memory/memory_thresholds.h"

namespace vmbalance {
namespace closed_loop {
namespace {

// Ticks of 1 s: long enough for four guests growing 32 MiB/s to want their
// max memory (2048 MiB) twice over.
constexpr int kTicks = 150;

// The reserve the policy keeps by default on this host: the larger of its
// absolute and its fractional reserve (482 MiB on the measured 24 GiB host).
int64_t PolicyReserveMib(int64_t host_memory_mib) {
  return static_cast<int64_t>(
      HostReserveKib(MemoryPolicyConfig(), host_memory_mib * 1024) / 1024);
}

MemoryRun RunScenario(const std::string& scenario, Coordinator coordinator) {
  MemoryRun run = RunMemoryScenario({scenario, coordinator, kTicks, 1.0});
  EXPECT_EQ(run.error, "") << scenario;
  return run;
}

int64_t Summary(const MemoryRun& run, const char* key) {
  return run.summary.value(key, int64_t{-1});
}

std::string Figures(const MemoryRun& run) {
  return "min host available " +
         std::to_string(Summary(run, "min_host_free_mib")) +
         " MiB, host out of memory in " +
         std::to_string(Summary(run, "host_overcommit_ticks")) +
         " ticks, host OOM kills " +
         std::to_string(Summary(run, "host_oom_kills")) + ", guest kills " +
         std::to_string(run.guest_kills()) + ", max actual " +
         run.summary["max_actual_mib"].dump();
}

class OvercommitTrapTest : public ::testing::TestWithParam<const char*> {};

// The measured trap: grants come out of free memory the guests have not
// touched yet. Host available must never fall below the reserve.
TEST_P(OvercommitTrapTest, VmbalanceKeepsTheHostReserve) {
  const MemoryRun run = RunScenario(GetParam(), Coordinator::kVmbalance);
  const int64_t reserve = PolicyReserveMib(24576);
  EXPECT_GE(Summary(run, "min_host_free_mib"), reserve) << Figures(run);
  EXPECT_EQ(Summary(run, "host_oom_kills"), 0) << Figures(run);
  EXPECT_EQ(run.guest_kills(), 0) << Figures(run);
  // The guests were fed: each got more than it started with.
  for (const auto& [guest, mib] : run.summary["max_actual_mib"].items()) {
    EXPECT_GT(mib.get<int64_t>(), 512) << guest << ": " << Figures(run);
  }
}

// Without a coordinator the guests stay at 512 MiB and the host is safe:
// the trap is the coordinator's to fall into, not the scenario's.
TEST_P(OvercommitTrapTest, UncoordinatedHostStaysSafeButGuestsStarve) {
  const MemoryRun run = RunScenario(GetParam(), Coordinator::kNone);
  EXPECT_EQ(Summary(run, "host_oom_kills"), 0) << Figures(run);
  EXPECT_GT(run.alloc_failures(), 0) << Figures(run);
}

INSTANTIATE_TEST_SUITE_P(HostThatCanRunShort, OvercommitTrapTest,
                         ::testing::Values("mem_overcommit_trap.json",
                                           "mem_overcommit_trap_lagging.json",
                                           "mem_overcommit_holder_grows.json"));

// A guest whose free memory is all page cache does not need more: vmbalance
// does not grow it toward its max. Its need is 64 MiB of kernel + 100 MiB.
TEST(PageCacheTest, VmbalanceDoesNotGrowAGuestForItsPageCache) {
  const MemoryRun run =
      RunScenario("mem_page_cache.json", Coordinator::kVmbalance);
  EXPECT_LE(run.summary["max_actual_mib"].value("vm1", int64_t{-1}), 600)
      << Figures(run);
  EXPECT_EQ(run.guest_kills(), 0) << Figures(run);
  EXPECT_EQ(run.alloc_failures(), 0) << Figures(run);
}

}  // namespace
}  // namespace closed_loop
}  // namespace vmbalance
