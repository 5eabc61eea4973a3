// Issue 12's "Done means" on the capabilities fixtures of real servers
// (2-socket 40-core Xeon, 4-cell EPYC), at tens and at hundreds of vCPUs
// (234 on the Xeon, 264 overcommitted on the EPYC), with the real
// Controller driving the
// vCPU policy against the simulator's Linux-like kernel: once settled, no
// two busy vCPUs share a core while a core they may use idles, guests bound
// by <numatune> stay in their cells, the operator's sets are never left,
// opted-out guests are never pinned, the guests are served no less fairly
// than by the kernel alone on the same scenario, and the pins are bounded.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "controller/closed_loop/cpu_topology_run.h"

namespace vmbalance {
namespace {

// The policy decides from tick 1-2 (it needs two samples for rates); 8
// ticks leave it room for a second look and the kernel's rotation time to
// settle, and the 12 ticks after are judged: enough that a placement that
// drifts or flaps would show. A scheduled run of the large scenarios takes
// ~10-15 s unoptimised (every tick plans; the speed is measured by
// topology_benchmark, not asserted here).
constexpr int kTicks = 20;
constexpr int64_t kJudgeFrom = 8;
// "No less fair": same scenario, same noise draws in both runs; this only
// absorbs the rounding of means over 12 ticks.
constexpr double kSlack = 0.01;

struct Runs {
  CpuRun scheduled, alone;
};

// Each scenario is run once per process, with and without the scheduler.
const Runs& RunsOf(const std::string& file) {
  static std::map<std::string, Runs>* runs = new std::map<std::string, Runs>;
  auto it = runs->find(file);
  if (it == runs->end()) {
    Runs r{RunCpuScenario(file, kTicks, true, kJudgeFrom),
           RunCpuScenario(file, kTicks, false, kJudgeFrom)};
    it = runs->emplace(file, std::move(r)).first;
  }
  return it->second;
}

int VcpusOf(const sim::Scenario& scenario, bool opted_out) {
  int n = 0;
  for (const sim::DomainSpec& d : scenario.domains) {
    if ((d.config.policy.cpu == PolicySwitch::kOff) == opted_out) n += d.vcpus;
  }
  return n;
}

void ExpectNoCrowdedCore(const std::string& file) {
  const Runs& runs = RunsOf(file);
  ASSERT_NE(runs.scheduled.simulator, nullptr);
  EXPECT_EQ(Tail(*runs.scheduled.simulator, kJudgeFrom).max_crowded_cores, 0)
      << file << "\n"
      << DescribeCores(*runs.scheduled.simulator);
}

void ExpectNumaAndOperatorsObeyed(const std::string& file) {
  const Runs& runs = RunsOf(file);
  ASSERT_NE(runs.scheduled.simulator, nullptr);
  EXPECT_EQ(runs.scheduled.cell_violations, 0) << file;
  const nlohmann::json summary = runs.scheduled.simulator->Summary(0);
  EXPECT_EQ(summary["operator_set_violations"].get<int>(), 0) << file;
  EXPECT_EQ(summary["opted_out_pin_calls"].get<int>(), 0) << file;
}

void ExpectNoLessFairThanLinuxAlone(const std::string& file) {
  const Runs& runs = RunsOf(file);
  ASSERT_NE(runs.scheduled.simulator, nullptr);
  ASSERT_NE(runs.alone.simulator, nullptr);
  const TailFairness with = Tail(*runs.scheduled.simulator, kJudgeFrom);
  const TailFairness without = Tail(*runs.alone.simulator, kJudgeFrom);
  EXPECT_GE(with.mean_min_served, without.mean_min_served - kSlack) << file;
  EXPECT_GE(with.mean_jain, without.mean_jain - kSlack) << file;
  EXPECT_GE(with.mean_served, without.mean_served - kSlack) << file;
}

// The first plan pins each vCPU it may act on at most once (a floating vCPU
// where it runs when the plan is for the balance, or where it moves); a
// steady load needs no second plan. So at most one pin per vCPU not opted
// out over the run, none once settled.
void ExpectPinsBounded(const std::string& file) {
  const Runs& runs = RunsOf(file);
  ASSERT_NE(runs.scheduled.simulator, nullptr);
  const sim::Simulator& simulator = *runs.scheduled.simulator;
  EXPECT_LE(simulator.pin_changes(), VcpusOf(simulator.scenario(), false))
      << file;
  EXPECT_EQ(Tail(simulator, kJudgeFrom).pin_changes, 0) << file;
}

class CpuTopologyPolicyTest : public testing::TestWithParam<std::string> {};

TEST_P(CpuTopologyPolicyTest, NoBusyPairOnACoreWhileACoreIdles) {
  ExpectNoCrowdedCore(GetParam());
}

TEST_P(CpuTopologyPolicyTest, NumaBoundGuestsStayInTheirCellsOperatorsObeyed) {
  ExpectNumaAndOperatorsObeyed(GetParam());
}

TEST_P(CpuTopologyPolicyTest, NoLessFairThanLinuxAlone) {
  ExpectNoLessFairThanLinuxAlone(GetParam());
}

TEST_P(CpuTopologyPolicyTest, PinsBounded) { ExpectPinsBounded(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Hosts, CpuTopologyPolicyTest,
                         testing::Values("cpu_xeon_smt.json",
                                         "cpu_epyc_4cell.json",
                                         "cpu_xeon_smt_large.json",
                                         "cpu_epyc_4cell_overcommit.json",
                                         "cpu_unpinned_linux_fair.json"),
                         [](const testing::TestParamInfo<std::string>& info) {
                           return info.param.substr(0, info.param.find('.'));
                         });

// The scenarios show the faults to fix: without a scheduler the Xeons'
// live pins crowd 6 and 12 cores and the EPYC's crowd 1 (4 busy vCPUs on
// core 16) while cores idle, and on all four the kernel leaves NUMA-bound
// guests outside their cells (no core can idle on the overcommitted EPYC).
// Else the expectations above could pass with nothing to do.
TEST(CpuTopologyBaselineTest, FaultsAreThereWithoutAScheduler) {
  for (const char* file :
       {"cpu_xeon_smt.json", "cpu_epyc_4cell.json", "cpu_xeon_smt_large.json",
        "cpu_epyc_4cell_overcommit.json"}) {
    const Runs& runs = RunsOf(file);
    ASSERT_NE(runs.alone.simulator, nullptr);
    const TailFairness alone = Tail(*runs.alone.simulator, kJudgeFrom);
    if (std::string(file) != "cpu_epyc_4cell_overcommit.json") {
      EXPECT_EQ(alone.crowded_ticks, kTicks - kJudgeFrom) << file;
    }
    EXPECT_GT(runs.alone.cell_violations, 0) << file;
  }
}

}  // namespace
}  // namespace vmbalance
