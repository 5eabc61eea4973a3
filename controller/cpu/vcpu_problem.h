// VcpuProblem: a Usage seen as a PlacementProblem. Bins are the usable pCPUs
// (online, and within --pcpus); items are the vCPUs the policy may move (a
// valid reading, an affinity that reaches a usable pCPU). Pure translation.
#ifndef VMBALANCE_CONTROLLER_CPU_VCPU_PROBLEM_H_
#define VMBALANCE_CONTROLLER_CPU_VCPU_PROBLEM_H_

#include <vector>

#include "controller/cpu/placement.h"
#include "exporter/core/cpu_set.h"
#include "exporter/core/usage.h"

namespace vmbalance {

struct VcpuRef {
  int domain = 0;       // index into Usage::domains
  int vcpu = 0;         // index into DomainUsage::vcpus
  bool pinned = false;  // affinity is exactly one usable pCPU
};

struct VcpuProblem {
  PlacementProblem placement;
  std::vector<int> bin_pcpu;   // bin -> pCPU number, ascending
  std::vector<VcpuRef> items;  // item -> vCPU
  int managed = 0;             // vCPUs whose affinity reaches a usable pCPU
  int invalid = 0;             // of those, how many have no valid reading
  int unplaced = 0;            // items now attributed outside the usable pCPUs
};

// Online pCPUs, narrowed to `allowed` unless it is empty.
CpuSet UsablePcpus(const Usage& usage, const CpuSet& allowed);

// `demand[d][v]` is the demand to use for usage.domains[d].vcpus[v].
VcpuProblem BuildVcpuProblem(const Usage& usage, const CpuSet& usable,
                             const std::vector<std::vector<double>>& demand);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_VCPU_PROBLEM_H_
