// Per-vCPU smoothing of demand readings, keyed by domain UUID so that history
// follows a guest, never a list position. An exponential moving average that
// takes a large change at once (a new load phase is not noise). Pure.
#ifndef VMBALANCE_CONTROLLER_CPU_DEMAND_SMOOTHER_H_
#define VMBALANCE_CONTROLLER_CPU_DEMAND_SMOOTHER_H_

#include <map>
#include <vector>

#include "exporter/core/sample.h"
#include "exporter/core/usage.h"

namespace vmbalance {

struct SmoothedVcpu {
  bool known = false;  // false until a valid reading, and after an invalid one
  double demand = 0;
  // Moving average of the squared gap between a new reading and the average
  // before it: how noisy this vCPU's readings are. A jump (new load phase)
  // does not count as noise.
  double noise_variance = 0;
};

// By domain UUID, then vCPU index.
using DemandMemory = std::map<DomainKey, std::map<int, SmoothedVcpu>>;

// Folds `usage` into `memory` and returns the smoothed demand of every vCPU,
// parallel to usage.domains[d].vcpus[v] (0 where the reading is invalid).
// Domains absent from `usage` are forgotten. `weight` is the share of the new
// reading (1 = no smoothing); a change above `jump` replaces the average.
// When `noise_variance` is not null it gets each vCPU's noise variance,
// parallel to the result.
std::vector<std::vector<double>> SmoothDemand(
    const Usage& usage, double weight, double jump, DemandMemory* memory,
    std::vector<std::vector<double>>* noise_variance = nullptr);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_DEMAND_SMOOTHER_H_
