// Whole runs through the Simulator facade: determinism, a toy policy
// closing the loop, and every shipped scenario.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "controller/sim/sim_test_util.h"
#include "controller/sim/simulator.h"

namespace vmbalance {
namespace sim {
namespace {

using ::testing::ElementsAre;

// Every field a Sample carries, compared exactly.
void ExpectSameSamples(const Sample& a, const Sample& b) {
  EXPECT_EQ(a.monotonic_ns, b.monotonic_ns);
  EXPECT_EQ(a.wall_time_s, b.wall_time_s);
  EXPECT_EQ(a.vcpu_read_span_ns, b.vcpu_read_span_ns);
  ASSERT_EQ(a.domains.size(), b.domains.size());
  for (size_t i = 0; i < a.domains.size(); ++i) {
    const DomainSample& x = a.domains[i];
    const DomainSample& y = b.domains[i];
    EXPECT_EQ(x.uuid, y.uuid);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.max_memory_kib, y.max_memory_kib);
    ASSERT_EQ(x.vcpus.size(), y.vcpus.size());
    for (size_t v = 0; v < x.vcpus.size(); ++v) {
      EXPECT_EQ(x.vcpus[v].cpu_time_ns, y.vcpus[v].cpu_time_ns);
      EXPECT_EQ(x.vcpus[v].delay_ns, y.vcpus[v].delay_ns);
      EXPECT_EQ(x.vcpus[v].pcpu, y.vcpus[v].pcpu);
      EXPECT_EQ(x.vcpus[v].affinity, y.vcpus[v].affinity);
    }
    const BalloonSample& p = x.balloon;
    const BalloonSample& q = y.balloon;
    EXPECT_EQ(p.actual_kib, q.actual_kib);
    EXPECT_EQ(p.maximum_kib, q.maximum_kib);
    EXPECT_EQ(p.unused_kib, q.unused_kib);
    EXPECT_EQ(p.available_kib, q.available_kib);
    EXPECT_EQ(p.usable_kib, q.usable_kib);
    EXPECT_EQ(p.rss_kib, q.rss_kib);
    EXPECT_EQ(p.disk_caches_kib, q.disk_caches_kib);
    EXPECT_EQ(p.last_update_s, q.last_update_s);
    EXPECT_EQ(p.major_faults, q.major_faults);
    EXPECT_EQ(p.swap_in_kib, q.swap_in_kib);
    EXPECT_EQ(p.swap_out_kib, q.swap_out_kib);
  }
  ASSERT_EQ(a.host.pcpus.size(), b.host.pcpus.size());
  for (size_t p = 0; p < a.host.pcpus.size(); ++p) {
    EXPECT_EQ(a.host.pcpus[p].busy_ns, b.host.pcpus[p].busy_ns);
    EXPECT_EQ(a.host.pcpus[p].idle_ns, b.host.pcpus[p].idle_ns);
  }
  EXPECT_EQ(a.host.memory_free_kib, b.host.memory_free_kib);
  EXPECT_EQ(a.host.memory_available_kib, b.host.memory_available_kib);
  EXPECT_EQ(a.host.memory_total_kib, b.host.memory_total_kib);
}

// Runs a scenario with the same deterministic pins and resizes, returning
// every sample (or the lost ones' messages).
std::vector<StatusOr<Sample>> RunWithCalls(const Scenario& sc, int ticks) {
  Simulator sim(sc, 1.0);
  std::vector<StatusOr<Sample>> out;
  std::vector<DomainSample> last;
  for (int t = 0; t < ticks; ++t) {
    out.push_back(sim.Take());
    if (out.back().ok()) last = out.back()->domains;
    for (size_t k = 0; k < last.size(); ++k) {
      if (t % 7 == 3)
        sim.PinVcpu(last[k].uuid, 0, CpuSet{(t + static_cast<int>(k)) % 4});
      if (t % 5 == 2) {
        sim.SetMemory(last[k].uuid, (300 + 50 * ((t + k) % 9)) * kMib);
      }
    }
  }
  out.push_back(Status::Error(sim.Summary(0).dump()));  // the report too
  return out;
}

TEST(SimulatorTest, SameScenarioAndCallsGiveTheSameSamples) {
  for (const char* name :
       {"cpu_churn.json", "mem_churn.json", "mem_overcommit_trap_lagging.json",
        "mem_page_cache.json"}) {
    SCOPED_TRACE(name);
    Scenario sc = Load(name);
    sc.noise = 0.2;
    sc.last_ran_jitter = 0.3;
    sc.read_span_s = 0.05;
    sc.slow_read_at = {11, 12};
    sc.slow_read_span_s = 1.5;
    sc.fail_take_at = {8};
    sc.fail_calls_at = {13};
    const auto a = RunWithCalls(sc, 60), b = RunWithCalls(sc, 60);
    ASSERT_EQ(a.size(), b.size());
    for (size_t t = 0; t < a.size(); ++t) {
      ASSERT_EQ(a[t].ok(), b[t].ok()) << t;
      if (a[t].ok()) {
        ExpectSameSamples(*a[t], *b[t]);
      } else {
        EXPECT_EQ(a[t].status().message(), b[t].status().message());
      }
    }
  }
  // A different seed gives different noise.
  Scenario sc = Load("cpu_churn.json");
  sc.noise = 0.2;
  sc.seed = 99;
  Simulator c(sc, 1.0);
  Sample sc0 = MustTake(c);
  Simulator d(Load("cpu_churn.json"), 1.0);
  EXPECT_NE(sc0.domains[0].vcpus[0].delay_ns,
            MustTake(d).domains[0].vcpus[0].delay_ns);
}

void PinByLpt(Simulator& sim, const Sample& prev, const Sample& now) {
  struct Item {
    double demand;
    std::string uuid;
    int vcpu, pcpu;
  };
  std::vector<Item> items;
  double wall_ns = static_cast<double>(now.monotonic_ns - prev.monotonic_ns);
  for (const DomainSample& d : now.domains) {
    const DomainSample* before = nullptr;
    for (const DomainSample& p : prev.domains) {
      if (p.uuid == d.uuid && p.id == d.id) before = &p;
    }
    if (before == nullptr) continue;
    for (size_t v = 0; v < d.vcpus.size(); ++v) {
      const double ran = d.vcpus[v].cpu_time_ns - before->vcpus[v].cpu_time_ns;
      const double waited = *d.vcpus[v].delay_ns - *before->vcpus[v].delay_ns;
      items.push_back({ran / (wall_ns - waited), d.uuid, static_cast<int>(v),
                       d.vcpus[v].pcpu});
    }
  }
  std::stable_sort(
      items.begin(), items.end(),
      [](const Item& a, const Item& b) { return a.demand > b.demand; });
  std::vector<int> online = now.host.online_pcpus.ToVector();
  std::vector<double> load(now.host.pcpu_count, 0.0);
  for (const Item& it : items) {
    int best = online[0];
    for (int p : online) {
      if (load[p] < load[best]) best = p;
    }
    load[best] += it.demand;
    if (it.pcpu != best) {
      ASSERT_TRUE(sim.PinVcpu(it.uuid, it.vcpu, CpuSet{best}).ok());
    }
  }
}

TEST(SimulatorTest, ClosedLoopWithAToyPolicyBalancesTheCourseScenario) {
  Simulator sim(Load("cpu_3_unpinned_heavy_light.json"), 1.0);
  Sample prev = MustTake(sim);
  Sample now = MustTake(sim);
  PinByLpt(sim, prev, now);
  for (int t = 0; t < 10; ++t) MustTake(sim);
  nlohmann::json j = sim.Summary(0);
  EXPECT_EQ(j["first_balanced_tick"], 2);
  EXPECT_LT(j["final_stddev"].get<double>(), 1e-9);
  // One heavy and one light per pCPU.
  std::vector<int> heavy(4, 0);
  for (const char* name : {"vm1", "vm3", "vm5", "vm7"}) {
    ++heavy[j["final_assignment"][name][0].get<int>()];
  }
  EXPECT_THAT(heavy, ElementsAre(1, 1, 1, 1));
}

TEST(SimulatorTest, ClosedLoopOnSixtyFourPcpusAndFiveHundredVcpus) {
  Simulator sim(Load("cpu_64x500.json"), 1.0);
  Sample prev = MustTake(sim);
  EXPECT_FALSE(sim.records().back().balanced);
  Sample now = MustTake(sim);
  PinByLpt(sim, prev, now);
  for (int t = 0; t < 5; ++t) MustTake(sim);
  EXPECT_TRUE(sim.records().back().balanced)
      << sim.records().back().stddev << " " << sim.records().back().mean;
  EXPECT_EQ(sim.records().back().running_domains,
            static_cast<int>(sim.scenario().domains.size()));
}

TEST(SimulatorTest, EveryShippedScenarioRuns) {
  for (const char* name :
       {"cpu_1_round_robin.json", "cpu_2_all_on_pcpu0.json",
        "cpu_3_unpinned_heavy_light.json", "cpu_infeasible_3_on_2.json",
        "cpu_unpinned_jitter.json", "cpu_phase_change.json", "cpu_churn.json",
        "cpu_64x500.json", "mem_1_lone_consumer.json", "mem_2_all_consume.json",
        "mem_3_redirect.json", "mem_spike.json", "mem_small_host.json",
        "mem_churn.json", "mem_overcommit_trap.json",
        "mem_overcommit_trap_lagging.json", "mem_overcommit_holder_grows.json",
        "mem_page_cache.json"}) {
    Scenario sc = Load(name);
    ASSERT_FALSE(sc.domains.empty()) << name;
    Simulator sim(sc, 1.0);
    for (int t = 0; t < 3; ++t) {
      StatusOr<Sample> s = sim.Take();
      ASSERT_TRUE(s.ok()) << name;
      EXPECT_FALSE(s->domains.empty()) << name;
    }
  }
}

}  // namespace
}  // namespace sim
}  // namespace vmbalance
