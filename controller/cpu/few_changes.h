// Exact search for the fewest changes: tries every way of moving 1, 2, ...
// items (in that order) until one reaches the threshold, within an evaluation
// budget. Finds the true minimum whenever it is small; big instances fall
// back to the planner's heuristics. Pure.
#ifndef VMBALANCE_CONTROLLER_CPU_FEW_CHANGES_H_
#define VMBALANCE_CONTROLLER_CPU_FEW_CHANGES_H_

#include <optional>

#include "controller/cpu/placement.h"

namespace vmbalance {

struct FewChangesOptions {
  double threshold = 0;  // std-dev to reach
  int max_changes = 0;   // give up beyond this many
  long long budget = 0;  // assignments evaluated, in all
};

// The lowest-std-dev assignment among those with the fewest changes (<=
// max_changes) at or below the threshold, every item in a bin it may use;
// nullopt if none was found within the budget, or when some item is in no
// bin or in one it may not use (a plan must then move it: the heuristics
// do).
std::optional<Assignment> FewestChanges(const PlacementProblem& problem,
                                        const FewChangesOptions& options);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_FEW_CHANGES_H_
