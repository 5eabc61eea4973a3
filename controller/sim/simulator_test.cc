// The Simulator facade, CPU side: virtual time, counters as libvirt reads
// them, pins, faults, and the referee's verdict on balance.
#include "controller/sim/simulator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "controller/sim/sim_test_util.h"

namespace vmbalance {
namespace sim {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(SimulatorTest, FirstTakeShowsOneIntervalAndVirtualClocks) {
  Simulator sim(Parse(R"({"pcpus": 2, "epoch_s": 1000,
      "domains": [{"name": "a", "pin": [1], "cpu": 0.25}]})"),
                2.0);
  Sample s0 = MustTake(sim);
  Sample s1 = MustTake(sim);
  EXPECT_EQ(s1.monotonic_ns - s0.monotonic_ns, 2000000000);
  EXPECT_EQ(s0.wall_time_s, 1002);
  EXPECT_EQ(s1.wall_time_s, 1004);
  ASSERT_EQ(s0.domains.size(), 1u);
  const VcpuSample& v = s0.domains[0].vcpus[0];
  EXPECT_EQ(v.cpu_time_ns, 500000000u);  // 0.25 of 2 s
  EXPECT_EQ(v.delay_ns, 0u);
  EXPECT_EQ(v.pcpu, 1);
  EXPECT_EQ(v.affinity, CpuSet({1}));
  ASSERT_EQ(s0.host.pcpus.size(), 2u);
  EXPECT_EQ(s0.host.pcpus[1].busy_ns, 500000000u);
  EXPECT_EQ(s0.host.pcpus[1].idle_ns, 1500000000u);
  EXPECT_EQ(s0.host.pcpus[0].busy_ns, 0u);
  EXPECT_EQ(sim.ticks(), 2);
}

TEST(SimulatorTest, SlowReadsGiveDomainsCountersFromDifferentMoments) {
  Simulator sim(Parse(R"({"pcpus": 1, "slow_read_at": [2],
      "slow_read_span_s": 0.4, "domains": [
      {"name": "a", "cpu": 0.2, "pin": [0]}, {"name": "b", "cpu": 0.2, "pin": [0]},
      {"name": "c", "cpu": 0.2, "pin": [0]}, {"name": "d", "cpu": 0.2, "pin": [0]}]})"),
                1.0);
  MustTake(sim);
  const Sample normal = MustTake(sim);
  EXPECT_EQ(normal.vcpu_read_span_ns, 0);
  EXPECT_EQ(Find(normal, "a")->vcpus[0].cpu_time_ns, 400000000u);
  // Tick 2 stalls early in a 0.4 s read: "a" is read 0.2 s before the
  // stamp, the others 0.2 s after it.
  const Sample slow = MustTake(sim);
  EXPECT_EQ(slow.vcpu_read_span_ns, 400000000);
  EXPECT_EQ(slow.monotonic_ns - normal.monotonic_ns, 1000000000);
  EXPECT_EQ(Find(slow, "a")->vcpus[0].cpu_time_ns, 560000000u);
  for (const char* name : {"b", "c", "d"}) {
    EXPECT_EQ(Find(slow, name)->vcpus[0].cpu_time_ns, 640000000u) << name;
  }
}

TEST(SimulatorTest, OvercommitShowsUpAsDelayAndFairShare) {
  Simulator sim(Load("cpu_2_all_on_pcpu0.json"), 1.0);
  Sample s = MustTake(sim);
  ASSERT_EQ(s.domains.size(), 8u);
  for (const DomainSample& d : s.domains) {
    // 8 x 0.5 (+-2% noise) on one pCPU: 0.125 s each. Each stretches its
    // work to 4x as long: it waits 0.75 s, and its run time over the time
    // it did not wait shows its need.
    const double time_s = d.vcpus[0].cpu_time_ns / 1e9;
    const double delay_s = *d.vcpus[0].delay_ns / 1e9;
    EXPECT_NEAR(time_s, 0.125, 1e-6) << d.name;
    EXPECT_NEAR(delay_s, 0.75, 0.01) << d.name;
    EXPECT_NEAR(time_s / (1.0 - delay_s), 0.5, 0.011) << d.name;
    EXPECT_EQ(d.vcpus[0].pcpu, 0);
  }
  EXPECT_NEAR(s.host.pcpus[0].busy_ns / 1e9, 1.0, 1e-9);
  EXPECT_EQ(s.host.pcpus[1].busy_ns, 0u);
  const TickRecord& r = sim.records().back();
  EXPECT_THAT(r.pcpu_demand, ElementsAre(4.0, 0, 0, 0));
  EXPECT_FALSE(r.balanced);
}

TEST(SimulatorTest, PinsMoveLoadAndBalanceIsJudgedOnDemand) {
  Scenario sc = Load("cpu_2_all_on_pcpu0.json");
  Simulator sim(sc, 1.0);
  Sample s = MustTake(sim);
  // Two per pCPU: the minimum of 6 pin changes.
  int k = 0;
  for (const DomainSample& d : s.domains) {
    int to = k++ / 2;
    ASSERT_TRUE(sim.PinVcpu(d.uuid, 0, CpuSet{to}).ok());
  }
  s = MustTake(sim);
  for (const DomainSample& d : s.domains) {
    EXPECT_NEAR(d.vcpus[0].cpu_time_ns / 1e9, 0.125 + 0.5, 0.02);
  }
  EXPECT_EQ(sim.records()[1].pin_changes, 6);
  EXPECT_TRUE(sim.records()[1].balanced);
  MustTake(sim);
  nlohmann::json j = sim.Summary(0.001);
  EXPECT_EQ(j["pin_changes"], 6);
  EXPECT_EQ(j["first_balanced_tick"], 1);
  EXPECT_EQ(j["balanced_ticks"], 2);
  EXPECT_EQ(j["ticks"], 3);
  EXPECT_DOUBLE_EQ(j["final_mean"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["final_stddev"].get<double>(), 0.0);
  EXPECT_EQ(j["final_assignment"]["vm1"].size(), 1u);
}

TEST(SimulatorTest, SevenOnOneAndOneOnAnotherIsNotBalanced) {
  // Both pCPUs are 100% busy, but the demand is 7 x 0.9 against 0.9.
  std::string doms;
  for (int i = 0; i < 8; ++i) {
    doms += std::string(i ? "," : "") + R"({"name": "v)" + std::to_string(i) +
            R"(", "cpu": 0.9, "pin": [)" + (i == 7 ? "1" : "0") + "]}";
  }
  Simulator sim(Parse(R"({"pcpus": 2, "domains": [)" + doms + "]}"), 1.0);
  Sample s = MustTake(sim);
  EXPECT_EQ(s.host.pcpus[0].busy_ns, s.host.pcpus[1].busy_ns + 100000000u);
  EXPECT_FALSE(sim.records().back().balanced);
  EXPECT_NEAR(sim.records().back().stddev, 2.7, 1e-9);
}

TEST(SimulatorTest, InfeasibleLoadIsSettledAtTheBestReachablePlacement) {
  Simulator sim(Load("cpu_infeasible_3_on_2.json"), 1.0);
  Sample s = MustTake(sim);
  EXPECT_FALSE(sim.records().back().settled);  // 2.7 vs 0
  ASSERT_TRUE(sim.records().back().best_stddev.has_value());
  EXPECT_NEAR(*sim.records().back().best_stddev, 0.45, 1e-9);
  ASSERT_TRUE(sim.PinVcpu(s.domains[0].uuid, 0, CpuSet{1}).ok());
  for (int t = 0; t < 3; ++t) MustTake(sim);
  EXPECT_FALSE(sim.records().back().balanced);
  EXPECT_TRUE(sim.records().back().settled);
  nlohmann::json j = sim.Summary(0);
  EXPECT_EQ(j["first_balanced_tick"], nullptr);
  EXPECT_EQ(j["first_settled_tick"], 1);
  EXPECT_EQ(j["settled_ticks"], 3);
  EXPECT_NEAR(j["best_reachable_stddev"].get<double>(), 0.45, 1e-9);
  EXPECT_NEAR(j["final_stddev"].get<double>(), 0.45, 1e-9);
}

TEST(SimulatorTest, InjectedFailuresLoseSamplesAndRefuseCalls) {
  Simulator sim(Parse(R"({"fail_take_at": [1], "fail_calls_at": [2],
      "domains": [{"name": "a", "cpu": 0.5}]})"),
                1.0);
  Sample s = MustTake(sim);
  StatusOr<Sample> lost = sim.Take();
  EXPECT_FALSE(lost.ok());
  EXPECT_THAT(lost.status().message(), HasSubstr("tick 1"));
  // Calls made now would act in tick 2: refused.
  EXPECT_FALSE(sim.PinVcpu(s.domains[0].uuid, 0, CpuSet{1}).ok());
  EXPECT_FALSE(sim.SetMemory(s.domains[0].uuid, 256 * kMib).ok());
  Sample after = MustTake(sim);  // the host ran on through the lost sample
  EXPECT_EQ(after.monotonic_ns - s.monotonic_ns, 2000000000);
  EXPECT_EQ(after.domains[0].vcpus[0].cpu_time_ns, 1500000000u);
  EXPECT_TRUE(sim.PinVcpu(s.domains[0].uuid, 0, CpuSet{1}).ok());
}

TEST(SimulatorTest, PinVcpuActsLikeLibvirt) {
  Simulator sim(Parse(R"({"pcpus": 4, "offline_pcpus": [3],
      "domains": [{"name": "a", "vcpus": 2, "cpu": 0.5}]})"),
                1.0);
  Sample s = MustTake(sim);
  const std::string uuid = s.domains[0].uuid;
  EXPECT_THAT(sim.PinVcpu("nope", 0, CpuSet{0}).message(),
              HasSubstr("no running domain"));
  EXPECT_THAT(sim.PinVcpu(uuid, 2, CpuSet{0}).message(),
              HasSubstr("vCPU 2 out of range"));
  EXPECT_THAT(sim.PinVcpu(uuid, -1, CpuSet{0}).message(),
              HasSubstr("out of range"));
  EXPECT_THAT(sim.PinVcpu(uuid, 0, CpuSet{4}).message(),
              HasSubstr("does not exist"));
  EXPECT_THAT(sim.PinVcpu(uuid, 0, CpuSet{2, 3}).message(),
              HasSubstr("pCPU 3 is offline"));
  EXPECT_THAT(sim.PinVcpu(uuid, 0, CpuSet()).message(), HasSubstr("empty"));
  EXPECT_EQ(sim.pin_changes(), 0);
  ASSERT_TRUE(sim.PinVcpu(uuid, 1, CpuSet{2}).ok());
  ASSERT_TRUE(sim.PinVcpu(uuid, 1, CpuSet{2}).ok());  // no change
  EXPECT_EQ(sim.pin_changes(), 1);
  s = MustTake(sim);
  EXPECT_EQ(s.domains[0].vcpus[1].pcpu, 2);
  EXPECT_EQ(s.domains[0].vcpus[1].affinity, CpuSet{2});
  EXPECT_EQ(s.domains[0].vcpus[0].affinity, CpuSet::Range(0, 3));
}

TEST(SimulatorTest, OfflinePcpusAreNeverUsedOrReported) {
  Simulator sim(Parse(R"({"pcpus": 4, "offline_pcpus": [0, 2],
      "domains": [{"name": "a", "vcpus": 6, "cpu": 0.9}]})"),
                1.0);
  for (int t = 0; t < 5; ++t) {
    Sample s = MustTake(sim);
    EXPECT_EQ(s.host.online_pcpus, CpuSet({1, 3}));
    EXPECT_EQ(s.host.pcpu_count, 4);
    ASSERT_EQ(s.host.pcpus.size(), 2u);
    for (const VcpuSample& v : s.domains[0].vcpus) {
      EXPECT_TRUE(v.pcpu == 1 || v.pcpu == 3) << v.pcpu;
    }
  }
  EXPECT_NEAR(sim.records().back().mean, 2.7, 1e-9);  // over online pCPUs
}

TEST(SimulatorTest, UnpinnedPlacementIsStickyUntilClearlyWorse) {
  Scenario sc = Load("cpu_3_unpinned_heavy_light.json");
  Simulator sim(sc, 1.0);
  for (int t = 0; t < 10; ++t) MustTake(sim);
  // Heavy ones share pCPUs 0 and 2 and stay there: 1.8 vs 0.6.
  auto a = sim.Assignment();
  EXPECT_THAT(a["vm1"], ElementsAre(0));
  EXPECT_THAT(a["vm5"], ElementsAre(0));
  EXPECT_THAT(a["vm3"], ElementsAre(2));
  EXPECT_THAT(a["vm2"], ElementsAre(1));
  EXPECT_NEAR(sim.records().back().stddev, 0.6, 1e-9);
  EXPECT_EQ(sim.Summary(0)["first_balanced_tick"], nullptr);

  // Pinning one light vCPU onto pCPU 0 makes pCPU 0 clearly overloaded
  // (1.2 without a heavy one vs 0.3): Linux moves one heavy one away.
  Sample s = MustTake(sim);
  ASSERT_TRUE(sim.PinVcpu(Find(s, "vm2")->uuid, 0, CpuSet{0}).ok());
  MustTake(sim);
  a = sim.Assignment();
  EXPECT_EQ(a["vm2"][0], 0);
  EXPECT_EQ((a["vm1"][0] == 0) + (a["vm5"][0] == 0), 1);
  EXPECT_NEAR(sim.records().back().pcpu_demand[0], 1.2, 1e-9);
}

TEST(SimulatorTest, LastRanJitterMovesOnlyTheReportOfUnpinnedVcpus) {
  Simulator sim(Parse(R"({"pcpus": 4, "last_ran_jitter": 0.5,
      "domains": [{"name": "free", "cpu": 0.9, "at": [2]},
                  {"name": "pinned", "cpu": 0.9, "pin": [1]}]})"),
                1.0);
  int elsewhere = 0;
  for (int t = 0; t < 200; ++t) {
    Sample s = MustTake(sim);
    elsewhere += Find(s, "free")->vcpus[0].pcpu != 2;
    EXPECT_EQ(Find(s, "pinned")->vcpus[0].pcpu, 1);
    EXPECT_EQ(sim.Assignment()["free"][0], 2);  // the truth stays put
  }
  // Half the reports hop, and a hop lands elsewhere 3 times in 4.
  EXPECT_GT(elsewhere, 50);
  EXPECT_LT(elsewhere, 100);
}

TEST(SimulatorTest, CpuTimeCanMoveInTenMillisecondSteps) {
  Simulator sim(Parse(R"({"cpu_quantum_ms": 10,
      "domains": [{"name": "a", "cpu": 0.333}]})"),
                1.0);
  Sample s = MustTake(sim);
  EXPECT_EQ(s.domains[0].vcpus[0].cpu_time_ns, 330000000u);
  s = MustTake(sim);
  EXPECT_EQ(s.domains[0].vcpus[0].cpu_time_ns, 660000000u);
}

TEST(SimulatorTest, WriteSummaryWritesJson) {
  Simulator sim(Load("cpu_1_round_robin.json"), 1.0);
  for (int t = 0; t < 5; ++t) MustTake(sim);
  std::string path = ::testing::TempDir() + "/summary.json";
  ASSERT_TRUE(sim.WriteSummary(path, 0.25).ok());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(text.str());
  EXPECT_EQ(j["first_balanced_tick"], 0);
  EXPECT_EQ(j["pin_changes"], 0);
  EXPECT_EQ(j["max_decision_seconds"], 0.25);
  EXPECT_EQ(j["scenario"], "cpu_1_round_robin");
  EXPECT_FALSE(sim.WriteSummary("/nonexistent/dir/x.json", 0).ok());
  EXPECT_EQ(sim.Describe(), "sim:cpu_1_round_robin");
}

// A toy policy that sees only Samples, as a real one does: demand from
// Δcpu / (Δwall - Δdelay), then longest-processing-time placement, pinning
// only vCPUs whose pCPU changes. Enough to show that the samples carry what
// a policy needs and that the simulator's judgement follows the pins.
}  // namespace
}  // namespace sim
}  // namespace vmbalance
