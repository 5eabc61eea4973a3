// Issue 12's "Done means" on the simulator's fixture topologies, with the
// real Controller driving the vCPU policy: the scheduler never puts two
// busy vCPUs on one core while another core idles, never leaves an
// operator's set, never touches an opted-out guest, and with the kernel's
// Linux-like balancing of unpinned vCPUs ends no less fair (from the
// guests' side) than the same scenario with no scheduler at all.
#include <gtest/gtest.h>

#include "controller/closed_loop/cpu_topology_run.h"

namespace vmbalance {
namespace {

constexpr int kTicks = 60;
// Judged over the second half: the first ticks are the scheduler's to act.
constexpr int64_t kTailFrom = 30;
// "No less fair": ground truth, same noise draws in both runs; this only
// absorbs rounding of means over 30 ticks.
constexpr double kSlack = 0.01;

void ExpectNoLessFair(const char* file) {
  auto scheduled = RunCpuScenario(file, kTicks, true);
  auto baseline = RunCpuScenario(file, kTicks, false);
  ASSERT_NE(scheduled, nullptr);
  ASSERT_NE(baseline, nullptr);
  const TailFairness with = Tail(*scheduled, kTailFrom);
  const TailFairness without = Tail(*baseline, kTailFrom);
  EXPECT_GE(with.mean_min_served, without.mean_min_served - kSlack) << file;
  EXPECT_GE(with.mean_jain, without.mean_jain - kSlack) << file;
  EXPECT_GE(with.mean_served, without.mean_served - kSlack) << file;
}

void ExpectOperatorsObeyed(const char* file) {
  auto scheduled = RunCpuScenario(file, kTicks, true);
  ASSERT_NE(scheduled, nullptr);
  nlohmann::json summary = scheduled->Summary(0);
  EXPECT_EQ(summary["operator_set_violations"].get<int>(), 0) << file;
  EXPECT_EQ(summary["opted_out_pin_calls"].get<int>(), 0) << file;
}

TEST(CpuTopologyPolicyTest, XeonNoBusyPairOnACoreWhileACoreIdles) {
  auto scheduled = RunCpuScenario("cpu_xeon_smt.json", kTicks, true);
  ASSERT_NE(scheduled, nullptr);
  EXPECT_EQ(Tail(*scheduled, kTailFrom).crowded_ticks, 0);
}

TEST(CpuTopologyPolicyTest, XeonOperatorsObeyed) {
  ExpectOperatorsObeyed("cpu_xeon_smt.json");
}

TEST(CpuTopologyPolicyTest, XeonNoLessFairThanNoScheduler) {
  ExpectNoLessFair("cpu_xeon_smt.json");
}

TEST(CpuTopologyPolicyTest, EpycOperatorsObeyed) {
  ExpectOperatorsObeyed("cpu_epyc_4cell.json");
}

TEST(CpuTopologyPolicyTest, EpycNoLessFairThanNoScheduler) {
  ExpectNoLessFair("cpu_epyc_4cell.json");
}

TEST(CpuTopologyPolicyTest, UnpinnedLinuxFairNoLessFairThanNoScheduler) {
  ExpectNoLessFair("cpu_unpinned_linux_fair.json");
  auto scheduled = RunCpuScenario("cpu_unpinned_linux_fair.json", kTicks, true);
  ASSERT_NE(scheduled, nullptr);
  EXPECT_EQ(Tail(*scheduled, kTailFrom).crowded_ticks, 0);
}

}  // namespace
}  // namespace vmbalance
