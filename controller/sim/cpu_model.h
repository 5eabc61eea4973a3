// The simulator's CPU model as pure functions: max-min fair sharing of one
// pCPU among the vCPUs placed on it, and a rough imitation of how Linux
// places and migrates vCPUs that are allowed on several pCPUs.
#ifndef VMBALANCE_CONTROLLER_SIM_CPU_MODEL_H_
#define VMBALANCE_CONTROLLER_SIM_CPU_MODEL_H_

#include <optional>
#include <vector>

namespace vmbalance {
namespace sim {

// Max-min fair (water-filling) share of `capacity` among `demands`: each
// gets its demand if that is at most the fair share, and the rest is split
// evenly among those that want more. The result sums to at most capacity.
std::vector<double> FairShare(const std::vector<double>& demands,
                              double capacity = 1.0);

// One vCPU as the placer sees it.
struct PlacedVcpu {
  std::vector<int> allowed;  // online pCPUs it may run on, ascending, >= 1
  int pcpu = -1;             // where it runs; -1 = just started, not placed
  int start_at = -1;         // preferred first pCPU for a new vCPU, or -1
  double demand = 0;         // what it wants this tick, fraction of a pCPU
};

// Updates each vCPU's pcpu, in order, like a sticky Linux balancer:
// - a new vCPU goes to start_at if allowed, else to the allowed pCPU with
//   the fewest vCPUs (then the lowest number): a new task's load is not
//   known yet;
// - a vCPU whose pCPU is no longer allowed moves to the least-loaded allowed
//   one;
// - otherwise it moves only if its pCPU, without it, carries at least
//   `migrate_threshold` more load than the least-loaded allowed pCPU.
// pcpu_count bounds the pCPU numbers used in `allowed`.
void PlaceVcpus(int pcpu_count, double migrate_threshold,
                std::vector<PlacedVcpu>* vcpus);

// The smallest population std-dev of per-pCPU load reachable by placing
// each demand on one of `pcpus` pCPUs (any vCPU may go anywhere), found by
// exhaustive branch and bound. nullopt when the search would be too big
// (more than `max_vcpus` demands, or the node budget ran out).
std::optional<double> BestReachableStddev(std::vector<double> demands,
                                          int pcpus, int max_vcpus = 16);

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_CPU_MODEL_H_
