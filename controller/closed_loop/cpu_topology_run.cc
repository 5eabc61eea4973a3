#include "controller/closed_loop/cpu_topology_run.h"

#include <gtest/gtest.h>

#include "controller/sim/scenario.h"

namespace vmbalance {

std::unique_ptr<sim::Simulator> RunCpuScenario(const std::string& file,
                                               int ticks, bool scheduler) {
  StatusOr<sim::Scenario> scenario =
      sim::LoadScenario("controller/sim/testdata/" + file);
  EXPECT_TRUE(scenario.ok()) << scenario.status().message();
  if (!scenario.ok()) return nullptr;
  ControllerOptions options;
  options.memory = false;
  // The referee judges balance by the rule the policy is configured with.
  sim::RefereeRules rules;
  rules.max_stddev_ratio = options.vcpu.max_stddev_ratio;
  rules.max_stddev_abs = options.vcpu.max_stddev_abs;
  auto simulator = std::make_unique<sim::Simulator>(*scenario, 1.0, rules);
  if (!scheduler) {
    for (int tick = 0; tick < ticks; ++tick) simulator->Take();
    return simulator;
  }
  Controller controller(simulator.get(), options, nullptr, nullptr);
  for (int tick = 0; tick < ticks; ++tick) controller.Tick();
  return simulator;
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
    ++n;
  }
  if (n > 0) {
    tail.mean_min_served /= n;
    tail.mean_jain /= n;
    tail.mean_served /= n;
  }
  return tail;
}

}  // namespace vmbalance
