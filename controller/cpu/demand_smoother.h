// Per-vCPU smoothing of demand readings, keyed by domain UUID so that history
// follows a guest, never a list position. An exponential moving average that
// takes a large change at once (a new load phase is not noise), and beside it
// an estimate of how much each vCPU's readings scatter. Pure.
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

// How readings are folded in (VcpuPolicyConfig gives the values and reasons).
struct DemandSmoothing {
  double weight = 0;        // share of the new reading (1 = no smoothing)
  double jump = 0;          // a change above this replaces the average
  double noise_weight = 0;  // share of the new squared gap in the noise
};

// Both parallel to usage.domains[d].vcpus[v]; 0 where the reading is invalid.
struct SmoothedDemand {
  std::vector<std::vector<double>> demand;
  std::vector<std::vector<double>> noise_variance;
};

// Folds `usage` into `memory` and returns every vCPU's smoothed demand and
// noise variance. Domains absent from `usage` are forgotten.
SmoothedDemand SmoothDemand(const Usage& usage, const DemandSmoothing& options,
                            DemandMemory* memory);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_DEMAND_SMOOTHER_H_
