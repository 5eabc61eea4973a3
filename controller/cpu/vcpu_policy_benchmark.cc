// Decision time of the vCPU policy from an imbalanced start, and how its pin
// changes compare with the exhaustive minimum on small instances.
#include <algorithm>
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "controller/cpu/exhaustive_minimum.h"
#include "controller/cpu/usage_builder.h"
#include "controller/cpu/vcpu_policy.h"

namespace vmbalance {
namespace {

using testing_usage::ApplyAndCommit;
using testing_usage::MakeUsage;
using testing_usage::OneVcpuEach;
using testing_usage::Pinned;
using testing_usage::VcpuSpec;

// Random demands in [0.05, 1], every vCPU pinned somewhere in the first
// quarter of the pCPUs (or all on pCPU 0 when `all_on_one`).
Usage ImbalancedHost(int vcpus, int pcpus, bool all_on_one, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> demand(0.05, 1.0);
  std::uniform_int_distribution<int> crowded(0, std::max(1, pcpus / 4) - 1);
  std::vector<VcpuSpec> specs;
  for (int i = 0; i < vcpus; ++i) {
    specs.push_back(Pinned(demand(rng), all_on_one ? 0 : crowded(rng)));
  }
  return MakeUsage(pcpus, OneVcpuEach(specs));
}

void BM_Decide(benchmark::State& bench) {
  const int vcpus = bench.range(0);
  const int pcpus = bench.range(1);
  const bool all_on_one = bench.range(2) != 0;
  const Usage usage = ImbalancedHost(vcpus, pcpus, all_on_one, 42);
  VcpuDecision decision;
  for (auto _ : bench) {
    VcpuPolicyState state;  // fresh: the first, biggest decision every time
    decision = DecideVcpuPins({}, usage, &state);
    benchmark::DoNotOptimize(decision);
  }
  bench.counters["pins"] = decision.pins.size();
  bench.counters["stddev_before"] = decision.stddev;
  bench.counters["stddev_planned"] = decision.planned_stddev;
  bench.counters["target"] = decision.target_stddev;

  // Closed loop (pins always applied and committed): intervals until balanced
  // and stable.
  Usage host = usage;
  VcpuPolicyState state;
  int intervals_to_balance = -1, total_pins = 0;
  for (int t = 1; t <= 25; ++t) {
    VcpuDecision d = DecideVcpuPins({}, host, &state);
    total_pins += d.pins.size();
    ApplyAndCommit(d.pins, &host, &state);
    if (d.balanced && d.pins.empty() && intervals_to_balance < 0) {
      intervals_to_balance = t - 1;  // decisions needed before this one
    }
  }
  bench.counters["decisions_to_balance"] = intervals_to_balance;
  bench.counters["pins_in_25"] = total_pins;
}
BENCHMARK(BM_Decide)
    ->Args({8, 4, 0})
    ->Args({8, 4, 1})
    ->Args({64, 16, 0})
    ->Args({1000, 64, 0})
    ->Args({10000, 256, 0})
    ->Args({10000, 256, 1})
    ->Unit(benchmark::kMillisecond);

// Policy changes minus the exhaustive minimum on random small hosts (up to
// 10 vCPUs on 2-4 pCPUs), with and without the exact search (range(0) is the
// exact budget).
void BM_SmallVsExhaustive(benchmark::State& bench) {
  VcpuPolicyConfig config;
  config.exact_budget = bench.range(0);
  int instances = 0, decided = 0, excess_total = 0, excess_max = 0,
      at_minimum = 0;
  for (auto _ : bench) {
    std::mt19937 rng(instances + 1);
    const int pcpus = std::uniform_int_distribution<int>(2, 4)(rng);
    const int vcpus = std::uniform_int_distribution<int>(2, 10)(rng);
    const Usage usage =
        ImbalancedHost(vcpus, pcpus, instances % 2 == 0, instances + 1000);
    ++instances;
    VcpuPolicyState state;
    const VcpuDecision d = DecideVcpuPins(config, usage, &state);
    if (d.best_stddev < 0 || d.pins.empty()) continue;  // nothing to do
    bench.PauseTiming();
    PlacementProblem problem;
    problem.base_load.assign(pcpus, 0.0);
    for (const DomainUsage& dom : usage.domains) {
      problem.demand.push_back(dom.vcpus[0].demand);
      problem.current.push_back(dom.vcpus[0].pcpu);
    }
    // The minimum for the std-dev the policy's plan reached, or better.
    const ExhaustiveResult truth =
        ExhaustiveMinimum(problem, d.planned_stddev, 0);
    const int excess = d.migrations - truth.min_changes_to_threshold;
    ++decided;
    excess_total += excess;
    excess_max = std::max(excess_max, excess);
    at_minimum += excess == 0;
    bench.ResumeTiming();
  }
  bench.counters["instances_decided"] = decided;
  bench.counters["excess_mean"] =
      decided ? static_cast<double>(excess_total) / decided : 0;
  bench.counters["excess_max"] = excess_max;
  bench.counters["at_minimum_frac"] =
      decided ? static_cast<double>(at_minimum) / decided : 0;
}
BENCHMARK(BM_SmallVsExhaustive)->Arg(200000)->Arg(0)->Iterations(300);

}  // namespace
}  // namespace vmbalance
