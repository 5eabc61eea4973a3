// VcpuProblem: a Usage seen as a PlacementProblem. Bins are the usable pCPUs
// (online, and within --pcpus); items are the vCPUs the policy may move; the
// rest of the load on usable pCPUs (vCPUs it may not move, the host's own
// work) is each bin's base load. Pure translation.
//
// Which vCPUs are items, and where each may go:
// - Managed: its live affinity lies within the usable pCPUs (a vCPU floating
//   over every pCPU is within them when no --pcpus narrows them; with
//   --pcpus=2-3 it is not adopted), or the host did not say. Others are not
//   managed: their demand counts as base load where they run.
// - The operator's set, the pCPUs a vCPU may use by the operator's word:
//   * the persistent config's <vcpupin> for that vCPU, else its
//     <vcpu cpuset> (DomainConfig placement), when the config was read;
//   * a live affinity of more than one pCPU that is not every online pCPU
//     (a restricted set: numad, `virsh vcpupin --live` to a set, a cgroup
//     cpuset): vmbalance only ever pins to one pCPU, so such a set is never
//     its own doing. With both, the vCPU keeps to their intersection (the
//     config's set alone if they do not meet).
//   A live affinity of exactly one pCPU is NOT the operator's word unless
//   the persistent config says the same: vmbalance pins live affinity only,
//   so a single-pCPU live pin over a config that allows more (or says
//   nothing) is taken to be vmbalance's own earlier pin, free to change
//   within the config's set. Operators who want a vCPU to stay on one pCPU
//   put it in the persistent config (or opt the domain out).
// - A vCPU the operator's config restricts to one pCPU is fixed load there,
//   not an item (unless its live pin is elsewhere: an item that must go
//   back, restricted to that pCPU). Otherwise an item may use the usable pCPUs
//   in its operator's set (PlacementProblem::allowed; an empty list when that
//   is every usable pCPU); if none is usable it is not managed.
// - Host load (Usage::pcpu_busy_ratio less the vCPUs' utilisation attributed
//   there, clamped at 0, unknown -> 0) less host_load_floor is base load.
// The cell restrictions of NUMA-bound guests are added by AddTopology
// (topology_problem.h), which intersects them with these.
#ifndef VMBALANCE_CONTROLLER_CPU_VCPU_PROBLEM_H_
#define VMBALANCE_CONTROLLER_CPU_VCPU_PROBLEM_H_

#include <vector>

#include "controller/cpu/cell_rules.h"
#include "controller/cpu/placement.h"
#include "controller/cpu/vcpu_policy_config.h"
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
  int managed = 0;             // vCPUs the policy may place (see above)
  int invalid = 0;             // of those, how many have no valid reading
  // Items now attributed outside the pCPUs they may use (the usable ones,
  // their operator's set, their NUMA cells): they must move.
  int unplaced = 0;
  int constrained = 0;         // items restricted to some of the usable pCPUs
  int fixed = 0;               // vCPUs the operator's config holds on one pCPU
  int without_delay = 0;       // items whose reading has no delay figure
  double host_load = 0;        // sum of the bins' host load (after the floor)
  CellReport cells;            // what the NUMA cell rules did (AddTopology)
};

// Online pCPUs, narrowed to `allowed` unless it is empty.
CpuSet UsablePcpus(const Usage& usage, const CpuSet& allowed);

// `demand[d][v]` is the demand to use for usage.domains[d].vcpus[v].
// `config` gives host_load_floor.
VcpuProblem BuildVcpuProblem(
    const Usage& usage, const CpuSet& usable,
    const std::vector<std::vector<double>>& demand,
    const VcpuPolicyConfig& config = VcpuPolicyConfig());

// The operator's set for usage.domains[d].vcpus[v] (see above); nullopt
// when the operator did not restrict it.
std::optional<CpuSet> OperatorSet(const Usage& usage, const DomainUsage& domain,
                                  const VcpuUsage& vcpu);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_VCPU_PROBLEM_H_
