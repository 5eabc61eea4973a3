// Cores before threads: SMT siblings share one core's execution units, so two
// busy vCPUs on one core while another core idles each get about 0.6 of a
// core where each could have a whole one. The per-pCPU std-dev cannot see
// it (loads {1, 1, 0, 0} read the same whichever pCPUs carry them), so this
// pass looks at cores: it finds such crowding in an assignment and removes
// it with the fewest extra changes, without raising the per-pCPU std-dev
// above a limit and within each item's allowed bins. Pure.
#ifndef VMBALANCE_CONTROLLER_CPU_CORE_SPREAD_H_
#define VMBALANCE_CONTROLLER_CPU_CORE_SPREAD_H_

#include <vector>

#include "controller/cpu/placement.h"
#include "controller/cpu/topology_config.h"

namespace vmbalance {

// A busy vCPU (demand >= config.busy_vcpu_demand) shares a core with another
// busy one while a core it may use (MayPlace on one of its threads) is idle
// (load of its threads < config.idle_core_load). Items in no bin count
// nowhere. Never crowded when problem.bin_core is empty (a flat host: the
// per-pCPU balance is all there is). With `counted` (one flag per item)
// only the flagged busy items make a core crowded and are counted; every
// item's load still keeps its core from being idle.
struct CoreCrowding {
  int busy_items = 0;  // busy items that could go to an idle core
  int crowded_bin = -1, idle_bin = -1;  // one example of each, -1 when none
  bool crowded() const { return busy_items > 0; }
};

CoreCrowding FindCoreCrowding(const PlacementProblem& problem,
                              const Assignment& assignment,
                              const TopologyConfig& config,
                              const std::vector<bool>& counted = {});

struct CoreSpreadResult {
  int steps = 0;          // moves, swaps or exchanges applied
  int extra_changes = 0;  // changes added to the assignment (may be < 0)
};

// Moves busy items off crowded cores onto idle ones, one step at a time,
// each the cheapest in changes (then the lowest std-dev) of: move the busy
// item (alone, or traded for light items of its new thread that even the two
// threads' loads), swap it with one item of the idle core's thread, or
// exchange the two threads' whole contents. A step must leave the std-dev of
// bin loads at or below `max_stddev` and strictly lower the busy items beyond
// the first on each core, so the pass ends. Leaves crowding it cannot remove
// within those rules (FindCoreCrowding still sees it).
CoreSpreadResult SpreadCores(const PlacementProblem& problem,
                             const TopologyConfig& config, double max_stddev,
                             Assignment* assignment);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_CORE_SPREAD_H_
