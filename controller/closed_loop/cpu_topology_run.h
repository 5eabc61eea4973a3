// Closed-loop runs of the vCPU scheduler on the topology scenarios of issue
// 12, beside a "no scheduler" run of the same scenario (the kernel alone,
// as the simulator's Linux-like balancer models it), for tests that compare
// the two from the guests' side, with what the referee does not judge: the
// vCPUs of NUMA-bound guests found outside their cells, and which vCPUs
// crowd which cores (for failure messages).
#ifndef VMBALANCE_CONTROLLER_CLOSED_LOOP_CPU_TOPOLOGY_RUN_H_
#define VMBALANCE_CONTROLLER_CLOSED_LOOP_CPU_TOPOLOGY_RUN_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "controller/controller.h"
#include "controller/sim/simulator.h"

namespace vmbalance {

struct CpuRun {
  std::unique_ptr<sim::Simulator> simulator;
  // vCPU-ticks of guests bound by <numatune> (a nodeset) spent on a pCPU
  // outside those cells, from tick `judge_from` on.
  int cell_violations = 0;
  double max_decision_seconds = 0;  // the policy's slowest tick
  double wall_seconds = 0;          // the whole run, simulator included
  // "tick N: <method> (<pins> pins) <reason>" for each tick the policy
  // decided (for failure messages and the probe).
  std::vector<std::string> decisions;
};

// The scenario file (under controller/sim/testdata) run for `ticks` 1 s
// ticks, with the vCPU scheduler (memory off) or with nobody acting. Cell
// violations count from tick `judge_from`. A null simulator (and a test
// failure) when the scenario does not load.
CpuRun RunCpuScenario(const std::string& file, int ticks, bool scheduler,
                      int64_t judge_from = 0);

// Over ticks [from, end): the mean of the least served share, the mean of
// Jain's index of served shares, the ticks with a crowded core, the most
// crowded cores in one tick, and the pin changes.
struct TailFairness {
  double mean_min_served = 0;
  double mean_jain = 0;
  double mean_served = 0;
  int crowded_ticks = 0;
  int max_crowded_cores = 0;
  int pin_changes = 0;
};
TailFairness Tail(const sim::Simulator& simulator, int64_t from);

// Where things stand after the last tick, by the referee's rules: each core
// with two or more busy vCPUs ("core 17 [17,49]: web03/2 0.90 @17, ..."),
// then the idle cores by cell. For failure messages.
std::string DescribeCores(const sim::Simulator& simulator);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CLOSED_LOOP_CPU_TOPOLOGY_RUN_H_
