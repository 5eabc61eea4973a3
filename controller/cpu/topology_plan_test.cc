// The topology rules end to end on the fixture hosts' capabilities: random
// loads and placements of hundreds of vCPUs, planned as the policy plans
// them, judged by checks written here independently of the code under test.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "controller/cpu/topology_problem.h"
#include "controller/cpu/usage_builder.h"
#include "controller/cpu/vcpu_assessment.h"
#include "controller/cpu/vcpu_plan.h"
#include "exporter/topology/capabilities_xml.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using testing_usage::DomainSpec;
using testing_usage::MakeUsage;
using testing_usage::VcpuSpec;

HostTopology Fixture(const std::string& name) {
  std::ifstream in("exporter/topology/testdata/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream text;
  text << in.rdbuf();
  StatusOr<HostTopology> topology = ParseCapabilitiesTopology(text.str());
  EXPECT_TRUE(topology.ok()) << name << ": " << topology.status().message();
  return topology.ok() ? *topology : HostTopology();
}

VcpuThresholds Limits(double target) {
  VcpuThresholds limits;
  limits.target_stddev = target;
  limits.aim_stddev = 0.8 * target;
  return limits;
}

// Home cells are off by default (topology_config.h); these hosts exercise
// them too.
VcpuPolicyConfig WithHomes() {
  VcpuPolicyConfig config;
  config.topology.home_cells = true;
  return config;
}

VcpuProblem ProblemOf(const Usage& usage) {
  DemandMemory memory;
  return Assess(WithHomes(), usage,
                SmoothDemand(usage, {1, 1, 0}, &memory))
      .problem;
}

// Cells that have pCPUs.
std::vector<int> CpuCells(const HostTopology& host) {
  std::vector<int> cells;
  for (const TopologyCell& cell : host.cells()) {
    if (!host.CellCpus(cell.id).Empty()) cells.push_back(cell.id);
  }
  return cells;
}

// A host of `host`'s shape with random guests: 1-8 vCPUs each, a share of
// them busy (0.6-1.0), many nearly idle, the rest light; half pinned to a
// random pCPU, half floating; some guests' memory bound to a cell (strict
// or preferred).
Usage RandomUsage(const HostTopology& host, int guests, std::mt19937* rng) {
  std::uniform_real_distribution<double> unit(0, 1);
  const double busy_share = 0.05 + 0.3 * unit(*rng);
  const double idle_share = 0.3 + 0.5 * unit(*rng);
  const std::vector<int> pcpus = host.online().ToVector();
  std::vector<DomainSpec> specs;
  for (int g = 0; g < guests; ++g) {
    DomainSpec spec{"g" + std::to_string(g), {}};
    const int vcpus = 1 + static_cast<int>((*rng)() % 8);
    for (int v = 0; v < vcpus; ++v) {
      const double kind = unit(*rng);
      const double demand = kind < busy_share ? 0.6 + 0.4 * unit(*rng)
                            : kind < busy_share + idle_share
                                ? 0.04 * unit(*rng)
                                : 0.05 + 0.25 * unit(*rng);
      const int pcpu = pcpus[(*rng)() % pcpus.size()];
      spec.vcpus.push_back((*rng)() % 2
                               ? testing_usage::Pinned(demand, pcpu)
                               : testing_usage::Floating(demand, pcpu));
    }
    specs.push_back(spec);
  }
  Usage usage = MakeUsage(host.online(), specs);
  usage.topology = host;
  const std::vector<int> cells = CpuCells(host);
  for (DomainUsage& domain : usage.domains) {
    domain.config = DomainConfig();
    const double kind = unit(*rng);
    if (kind < 0.3) {
      domain.config->placement.memory_mode =
          kind < 0.2 ? "strict" : "preferred";
      domain.config->placement.memory_cells =
          CpuSet{cells[(*rng)() % cells.size()]};
    }
  }
  return usage;
}

// Independent of core_spread.cc: a busy vCPU (demand >= 0.5) on a core that
// carries another busy one, while a core with no busy vCPU and under 0.25
// of load has a pCPU it may use.
int CrowdedBusyVcpus(const HostTopology& host, const VcpuProblem& problem,
                     const Assignment& assignment) {
  const TopologyConfig config;
  const PlacementProblem& p = problem.placement;
  std::map<int, double> core_load;
  std::map<int, int> core_busy;
  std::map<int, std::vector<int>> core_bins;
  for (size_t b = 0; b < problem.bin_pcpu.size(); ++b) {
    const int core = host.CoreOf(problem.bin_pcpu[b]);
    core_bins[core].push_back(static_cast<int>(b));
    core_load[core] += p.base_load[b];
  }
  for (int i = 0; i < p.items(); ++i) {
    const int core = host.CoreOf(problem.bin_pcpu[assignment[i]]);
    core_load[core] += p.demand[i];
    core_busy[core] += p.demand[i] >= config.busy_vcpu_demand;
  }
  int crowded = 0;
  for (int i = 0; i < p.items(); ++i) {
    const int core = host.CoreOf(problem.bin_pcpu[assignment[i]]);
    if (p.demand[i] < config.busy_vcpu_demand || core_busy[core] < 2) continue;
    bool may_leave = false;
    for (const auto& [other, bins] : core_bins) {
      if (core_busy[other] > 0 || core_load[other] >= config.idle_core_load) {
        continue;
      }
      for (int b : bins) may_leave = may_leave || MayPlace(p, i, b);
    }
    crowded += may_leave;
  }
  return crowded;
}

struct Tally {
  int trials = 0;
  int crowded_before = 0;  // crowded busy vCPUs in the planner's plans
  int crowded_after = 0;   // ... once the core pass ran
  int bound_vcpus = 0;
  int homed_moves = 0;
};

// Plans one random host and checks every rule; counts what was exercised.
void PlanAndCheck(const HostTopology& host, const Usage& usage, Tally* tally) {
  const VcpuProblem problem = ProblemOf(usage);
  const PlacementProblem& p = problem.placement;
  const VcpuPolicyConfig config;
  const PlanResult plain =
      PlanPlacement(p, PlanOptionsFor(config, Limits(0.05)));
  const PlanResult plan = PlanVcpuPlacement(config, Limits(0.05), problem);
  const Assignment& chosen = plan.chosen.assignment;
  ++tally->trials;

  const int before = CrowdedBusyVcpus(host, problem, plain.chosen.assignment);
  const int after = CrowdedBusyVcpus(host, problem, chosen);
  EXPECT_LE(after, before) << plan.chosen.method;
  tally->crowded_before += before;
  tally->crowded_after += after;
  // Homed guest (one with an allowed list) -> cells its moved vCPUs went to.
  std::map<int, std::set<int>> moved_cells;
  for (int i = 0; i < p.items(); ++i) {
    ASSERT_GE(chosen[i], 0);
    EXPECT_TRUE(MayPlace(p, i, chosen[i])) << "item " << i;
    const DomainUsage& domain = usage.domains[problem.items[i].domain];
    const int cell = host.CellOf(problem.bin_pcpu[chosen[i]]);
    const std::vector<int> memory = MemoryCells(domain);
    if (!memory.empty()) {
      EXPECT_NE(std::find(memory.begin(), memory.end(), cell), memory.end())
          << domain.name << " bound to cell " << memory[0] << ", placed in "
          << cell;
      ++tally->bound_vcpus;
    } else if (chosen[i] != p.current[i] && !p.allowed[i].empty()) {
      moved_cells[problem.items[i].domain].insert(cell);
      ++tally->homed_moves;
    }
  }
  for (const auto& [domain, cells] : moved_cells) {
    EXPECT_EQ(cells.size(), 1u)
        << usage.domains[domain].name << "'s moved vCPUs span cells";
  }
}

void RunFixture(const std::string& name, int trials, unsigned seed) {
  const HostTopology host = Fixture(name);
  ASSERT_FALSE(host.empty());
  std::mt19937 rng(seed);
  Tally tally;
  for (int t = 0; t < trials; ++t) {
    const int guests = 20 + static_cast<int>(rng() % 60);  // ~90-360 vCPUs
    PlanAndCheck(host, RandomUsage(host, guests, &rng), &tally);
  }
  // The trials exercised every rule, and the core pass removed crowding the
  // planner left (not always all of it: a step may not raise the std-dev
  // above the plan's limit, and cell homes can leave no step that does not;
  // see the report).
  std::cerr << name << ": crowded busy vCPUs " << tally.crowded_before << " -> "
            << tally.crowded_after << " over " << tally.trials << " hosts\n";
  EXPECT_GT(tally.crowded_before, 0);
  EXPECT_LT(tally.crowded_after, tally.crowded_before);
  EXPECT_GT(tally.bound_vcpus, 0);
  EXPECT_GT(tally.homed_moves, 0);
}

TEST(TopologyPlanTest, TwoSocketSmtHost) {
  RunFixture("xeon_2socket_40core_smt.xml", 8, 7);
}

TEST(TopologyPlanTest, FourCellEpyc) {
  RunFixture("epyc_1socket_4cell_smt.xml", 16, 11);
}

// A host without SMT and with a memory-only cell: a guest bound to that
// cell is kept in the nearest cells with pCPUs (both at distance 30 here).
TEST(TopologyPlanTest, SmtOffWithMemoryOnlyCell) {
  const HostTopology host = Fixture("smt_off_memory_only_cell.xml");
  Usage usage =
      MakeUsage(host.online(), {{"mem2", {testing_usage::Floating(1, 0)}}});
  usage.topology = host;
  usage.domains[0].config = DomainConfig();
  usage.domains[0].config->placement.memory_mode = "strict";
  usage.domains[0].config->placement.memory_cells = CpuSet{2};
  VcpuProblem problem = ProblemOf(usage);
  const CellReport report = AddTopology(usage, &problem);
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("nearest cell(s) 0,1"), std::string::npos)
      << report.notes[0];
}

TEST(TopologyPlanTest, BinsGetTheirCoreAndCell) {
  const HostTopology host = Fixture("xeon_2socket_40core_smt.xml");
  Usage usage = MakeUsage(host.online(), {});
  usage.topology = host;
  const VcpuProblem problem = ProblemOf(usage);
  const PlacementProblem& p = problem.placement;
  ASSERT_EQ(p.bin_core.size(), 80u);
  EXPECT_EQ(p.bin_core[5], p.bin_core[45]);  // siblings N and N+40
  EXPECT_NE(p.bin_core[5], p.bin_core[25]);
  EXPECT_EQ(p.bin_cell[25], 1);
  EXPECT_EQ(p.bin_cell[45], 0);
}

// Without a topology the policy plans exactly as the planner alone did.
TEST(TopologyPlanTest, FlatHostPlansAsBefore) {
  const HostTopology host = Fixture("xeon_2socket_40core_smt.xml");
  std::mt19937 rng(3);
  const VcpuPolicyConfig config;
  for (int t = 0; t < 20; ++t) {
    Usage usage = RandomUsage(host, 20 + static_cast<int>(rng() % 60), &rng);
    usage.topology = HostTopology();
    const VcpuProblem problem = ProblemOf(usage);
    EXPECT_TRUE(problem.placement.bin_core.empty());
    EXPECT_TRUE(
        problem.placement.allowed.empty() ||
        std::all_of(problem.placement.allowed.begin(),
                    problem.placement.allowed.end(),
                    [](const std::vector<int>& a) { return a.empty(); }));
    const PlanResult plain =
        PlanPlacement(problem.placement, PlanOptionsFor(config, Limits(0.05)));
    const PlanResult plan = PlanVcpuPlacement(config, Limits(0.05), problem);
    EXPECT_EQ(plan.chosen.assignment, plain.chosen.assignment);
    EXPECT_EQ(plan.chosen.method, plain.chosen.method);
  }
}

}  // namespace
}  // namespace vmbalance
