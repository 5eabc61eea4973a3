// What the topology rules cost a vCPU decision on a big SMT host: building
// the problem (cores, cells, homes: AddTopology), planning with the core
// pass, and the core pass alone, against the same host seen flat.
// Host: 256 pCPUs, 2 sockets x 64 cores x 2 threads (siblings N and N+128),
// one NUMA cell per socket, or one cell in all, or no topology (flat).
#include <algorithm>
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "controller/cpu/core_spread.h"
#include "controller/cpu/usage_builder.h"
#include "controller/cpu/vcpu_assessment.h"
#include "controller/cpu/vcpu_plan.h"

namespace vmbalance {
namespace {

using testing_usage::MakeUsage;
using testing_usage::OneVcpuEach;
using testing_usage::Pinned;
using testing_usage::VcpuSpec;

constexpr int kPcpus = 256;

// range `cells`: 0 flat (no topology), 1 or 2 cells.
HostTopology SmtHost(int cells) {
  if (cells == 0) return HostTopology();
  std::vector<TopologyCell> cell_list;
  for (int c = 0; c < cells; ++c) {
    TopologyCell cell;
    cell.id = c;
    for (int to = 0; to < cells; ++to) cell.distances[to] = c == to ? 10 : 21;
    cell_list.push_back(cell);
  }
  std::vector<TopologyCpu> cpus;
  const int cores = kPcpus / 2;
  for (int id = 0; id < kPcpus; ++id) {
    TopologyCpu cpu;
    cpu.id = id;
    const int core = id % cores;
    cpu.socket = core / (cores / 2);
    cpu.cell = cells == 1 ? 0 : cpu.socket;
    cpu.die = 0;
    cpu.core_id = core % (cores / 2);
    cpu.siblings = CpuSet{core, core + cores};
    cpus.push_back(cpu);
  }
  StatusOr<HostTopology> host = HostTopology::Build(cell_list, cpus);
  return host.ok() ? *host : HostTopology();
}

// range `load`: 0 the policy benchmark's imbalanced host (demands 0.05-1,
// every vCPU pinned in the first quarter: no core idles); 1 a lightly loaded
// host where the core rule has work: 1 in 50 vCPUs busy (0.6-1), the rest
// nearly idle (0-0.01), pinned to random pCPUs; 2 as 0, with every third
// guest's memory bound to a cell by <numatune> (cell i % cells), so a third
// of the vCPUs may use only their cell's pCPUs: the constrained searches.
Usage Host(int vcpus, int cells, int load, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<VcpuSpec> specs;
  for (int i = 0; i < vcpus; ++i) {
    if (load == 0 || load == 2) {
      specs.push_back(Pinned(0.05 + 0.95 * unit(rng), rng() % (kPcpus / 4)));
    } else {
      const double demand =
          i % 50 == 0 ? 0.6 + 0.4 * unit(rng) : 0.01 * unit(rng);
      specs.push_back(Pinned(demand, rng() % kPcpus));
    }
  }
  Usage usage = MakeUsage(kPcpus, OneVcpuEach(specs));
  usage.topology = SmtHost(cells);
  if (load == 2 && cells > 1) {
    for (size_t i = 0; i < usage.domains.size(); i += 3) {
      DomainConfig config;
      config.placement.memory_mode = "strict";
      config.placement.memory_cells = CpuSet{static_cast<int>(i) % cells};
      usage.domains[i].config = config;
    }
  }
  return usage;
}

VcpuThresholds Limits() {
  VcpuThresholds limits;
  limits.target_stddev = 0.05;
  limits.aim_stddev = 0.04;
  return limits;
}

VcpuProblem ProblemOf(const Usage& usage) {
  DemandMemory memory;
  return Assess(VcpuPolicyConfig(), usage,
                SmoothDemand(usage, {1, 1, 0}, &memory))
      .problem;
}

// Assess: the problem, with AddTopology's cores, cells and homes.
void BM_BuildProblem(benchmark::State& bench) {
  const Usage usage = Host(bench.range(0), bench.range(1), bench.range(2), 42);
  DemandMemory memory;
  const SmoothedDemand smoothed = SmoothDemand(usage, {1, 1, 0}, &memory);
  for (auto _ : bench) {
    VcpuAssessment now = Assess(VcpuPolicyConfig(), usage, smoothed);
    benchmark::DoNotOptimize(now);
  }
}

// The plan phase as the policy runs it: the planner, then the core pass.
void BM_Plan(benchmark::State& bench) {
  const Usage usage = Host(bench.range(0), bench.range(1), bench.range(2), 42);
  const VcpuProblem problem = ProblemOf(usage);
  PlanResult plan;
  for (auto _ : bench) {
    plan = PlanVcpuPlacement(VcpuPolicyConfig(), Limits(), problem);
    benchmark::DoNotOptimize(plan);
  }
  const TopologyConfig config;
  bench.counters["changes"] = plan.chosen.changes;
  bench.counters["stddev"] = plan.chosen.stddev;
  bench.counters["crowded_before"] =
      FindCoreCrowding(problem.placement, problem.placement.current, config)
          .busy_items;
  bench.counters["crowded_after"] =
      FindCoreCrowding(problem.placement, plan.chosen.assignment, config)
          .busy_items;
}

// The core pass alone, on the planner's plan.
void BM_SpreadCores(benchmark::State& bench) {
  const Usage usage = Host(bench.range(0), bench.range(1), bench.range(2), 42);
  const VcpuProblem problem = ProblemOf(usage);
  PlanOptions options = PlanOptionsFor(VcpuPolicyConfig(), Limits());
  const PlanResult plain = PlanPlacement(problem.placement, options);
  const TopologyConfig config;
  CoreSpreadResult spread;
  for (auto _ : bench) {
    Assignment assignment = plain.chosen.assignment;
    spread = SpreadCores(problem.placement, config,
                         std::max(plain.chosen.stddev, plain.threshold),
                         &assignment);
    benchmark::DoNotOptimize(assignment);
  }
  bench.counters["crowded_by_planner"] =
      FindCoreCrowding(problem.placement, plain.chosen.assignment, config)
          .busy_items;
  bench.counters["steps"] = spread.steps;
  bench.counters["extra_changes"] = spread.extra_changes;
}

// Args: vCPUs, cells (0: flat), load (0 imbalanced, 1 light, 2 imbalanced
// with NUMA-bound guests).
#define TOPOLOGY_CASES      \
  Args({10000, 0, 0})       \
      ->Args({10000, 1, 0}) \
      ->Args({10000, 2, 0}) \
      ->Args({10000, 0, 1}) \
      ->Args({10000, 1, 1}) \
      ->Args({10000, 2, 1}) \
      ->Args({1000, 2, 2})  \
      ->Args({10000, 2, 2}) \
      ->Unit(benchmark::kMillisecond)
BENCHMARK(BM_BuildProblem)->TOPOLOGY_CASES;
BENCHMARK(BM_Plan)->TOPOLOGY_CASES;
BENCHMARK(BM_SpreadCores)->TOPOLOGY_CASES;

}  // namespace
}  // namespace vmbalance
