#include "controller/closed_loop/cpu_topology_run.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <sstream>
#include <vector>

#include "controller/sim/scenario.h"

namespace vmbalance {
namespace {

const sim::DomainSpec* FindDomain(const sim::Scenario& scenario,
                                  const std::string& name) {
  for (const sim::DomainSpec& d : scenario.domains) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

// vCPUs of numatune-bound guests now on a pCPU outside their cells.
int CellViolations(const sim::Simulator& simulator) {
  const sim::Scenario& scenario = simulator.scenario();
  if (!scenario.topology) return 0;
  int violations = 0;
  for (const auto& [name, pcpus] : simulator.Assignment()) {
    const sim::DomainSpec* spec = FindDomain(scenario, name);
    const auto& cells = spec->config.placement.memory_cells;
    if (!cells) continue;
    for (int pcpu : pcpus) {
      if (pcpu < 0) continue;
      violations += !cells->Contains(scenario.topology->CellOf(pcpu));
    }
  }
  return violations;
}

double HostLoad(const sim::Scenario& scenario, int pcpu, int64_t tick) {
  double load = 0;
  for (const sim::HostLoadSpec& h : scenario.host_load) {
    if (h.pcpus.Contains(pcpu)) load += sim::StepAt(h.load, tick);
  }
  return load;
}

}  // namespace

CpuRun RunCpuScenario(const std::string& file, int ticks, bool scheduler,
                      int64_t judge_from) {
  CpuRun run;
  StatusOr<sim::Scenario> scenario =
      sim::LoadScenario("controller/sim/testdata/" + file);
  EXPECT_TRUE(scenario.ok()) << scenario.status().message();
  if (!scenario.ok()) return run;
  const auto start = std::chrono::steady_clock::now();
  ControllerOptions options;
  options.memory = false;
  // The referee judges balance by the rule the policy is configured with.
  sim::RefereeRules rules;
  rules.max_stddev_ratio = options.vcpu.max_stddev_ratio;
  rules.max_stddev_abs = options.vcpu.max_stddev_abs;
  run.simulator = std::make_unique<sim::Simulator>(*scenario, 1.0, rules);
  std::optional<Controller> controller;
  if (scheduler)
    controller.emplace(run.simulator.get(), options, nullptr, nullptr);
  for (int tick = 0; tick < ticks; ++tick) {
    if (controller) {
      const TickReport report = controller->Tick();
      if (report.vcpu) {
        run.decisions.push_back("tick " + std::to_string(tick) + ": " +
                                report.vcpu->method + " (" +
                                std::to_string(report.vcpu->pins.size()) +
                                " pins) " + report.vcpu->reason);
      }
    } else {
      run.simulator->Take();
    }
    if (tick >= judge_from)
      run.cell_violations += CellViolations(*run.simulator);
  }
  if (controller) run.max_decision_seconds = controller->max_decision_seconds();
  run.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return run;
}

TailFairness Tail(const sim::Simulator& simulator, int64_t from) {
  TailFairness tail;
  int n = 0;
  for (const sim::TickRecord& r : simulator.records()) {
    if (r.tick < from) continue;
    tail.mean_min_served += r.min_served;
    tail.mean_jain += r.jain_served;
    tail.mean_served += r.mean_served;
    tail.crowded_ticks += r.crowded_cores > 0;
    tail.max_crowded_cores = std::max(tail.max_crowded_cores, r.crowded_cores);
    tail.pin_changes += r.pin_changes;
    ++n;
  }
  if (n > 0) {
    tail.mean_min_served /= n;
    tail.mean_jain /= n;
    tail.mean_served /= n;
  }
  return tail;
}

std::string DescribeCores(const sim::Simulator& simulator) {
  const sim::Scenario& scenario = simulator.scenario();
  if (!scenario.topology) return "no topology";
  const HostTopology& topology = *scenario.topology;
  const int64_t tick = simulator.ticks() - 1;
  const sim::RefereeRules& rules = simulator.rules();
  std::map<int, double> core_load;
  for (const TopologyCpu& cpu : topology.cpus()) {
    if (!cpu.online) continue;
    core_load[topology.CoreOf(cpu.id)] += HostLoad(scenario, cpu.id, tick);
  }
  std::map<int, std::vector<std::string>> busy_on;
  for (const auto& [name, pcpus] : simulator.Assignment()) {
    const sim::DomainSpec* spec = FindDomain(scenario, name);
    for (size_t v = 0; v < pcpus.size(); ++v) {
      if (pcpus[v] < 0) continue;
      const double want = sim::StepAt(spec->cpu[v], tick);
      const int core = topology.CoreOf(pcpus[v]);
      core_load[core] += want;
      if (want < rules.busy_want) continue;
      std::ostringstream vcpu;
      vcpu << name << "/" << v << " " << want << " @" << pcpus[v];
      busy_on[core].push_back(vcpu.str());
    }
  }
  std::ostringstream out;
  for (const auto& [core, vcpus] : busy_on) {
    if (vcpus.size() < 2) continue;
    out << "core " << core << " [" << topology.CoreCpus(core).ToString()
        << "]:";
    for (const std::string& v : vcpus) out << " " << v << ";";
    out << "\n";
  }
  std::map<int, std::vector<int>> idle_by_cell;
  for (const auto& [core, load] : core_load) {
    if (load >= rules.idle_core_load) continue;
    const int first = topology.CoreCpus(core).ToVector().front();
    idle_by_cell[topology.CellOf(first)].push_back(core);
  }
  out << "idle cores by cell:";
  for (const auto& [cell, cores] : idle_by_cell) {
    out << " cell " << cell << ":";
    for (int core : cores) out << " " << core;
    out << ";";
  }
  return out.str();
}

}  // namespace vmbalance
