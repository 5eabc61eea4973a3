// Closed-loop runs of the vCPU scheduler on the topology scenarios of issue
// 12, beside a "no scheduler" run of the same scenario (the kernel alone,
// as the simulator's Linux-like balancer models it), for tests that compare
// the two from the guests' side.
#ifndef VMBALANCE_CONTROLLER_CLOSED_LOOP_CPU_TOPOLOGY_RUN_H_
#define VMBALANCE_CONTROLLER_CLOSED_LOOP_CPU_TOPOLOGY_RUN_H_

#include <memory>
#include <string>

#include "controller/controller.h"
#include "controller/sim/simulator.h"

namespace vmbalance {

// The scenario file (under controller/sim/testdata) run for `ticks` 1 s
// ticks, with the vCPU scheduler (memory off) or with nobody acting.
// nullptr (and a test failure) when the scenario does not load.
std::unique_ptr<sim::Simulator> RunCpuScenario(const std::string& file,
                                               int ticks, bool scheduler);

// Over ticks [from, end): the mean of the least served share, the mean of
// Jain's index of served shares, and the ticks with a crowded core.
struct TailFairness {
  double mean_min_served = 0;
  double mean_jain = 0;
  double mean_served = 0;
  int crowded_ticks = 0;
};
TailFairness Tail(const sim::Simulator& simulator, int64_t from);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CLOSED_LOOP_CPU_TOPOLOGY_RUN_H_
