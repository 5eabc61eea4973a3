// Local search over a PlacementProblem: greedy moves and swaps from a starting
// assignment, each step taking the largest drop in the sum of squared loads
// per pin change (steps that add no change first). Moves and swaps only put
// items in bins they may use (PlacementProblem::allowed); the start must.
// The whole trajectory is kept so a caller can stop at the first step that is
// good enough. Pure; safe to call from any thread.
#ifndef VMBALANCE_CONTROLLER_CPU_LOCAL_SEARCH_H_
#define VMBALANCE_CONTROLLER_CPU_LOCAL_SEARCH_H_

#include <vector>

#include "controller/cpu/placement.h"

namespace vmbalance {

// The policy fills the breadth from VcpuPolicyConfig, where each has its
// reason.
struct LocalSearchOptions {
  // Stop as soon as the std-dev of bin loads is at or below this.
  double stop_stddev = 0;
  // Bins tried as sources (most loaded) and destinations (least loaded) per
  // step. Small problems (bins <= 2 * candidate_bins) try every pair.
  int candidate_bins = 0;
  // A bin's items are all tried when it holds at most `full_scan` of them;
  // otherwise only the `neighbours` on each side of the ideal demand.
  int full_scan = 0;
  int neighbours = 0;
  // Swaps: at most about this many items of the bin holding fewer are
  // paired with the other bin's.
  int swap_samples = 0;
  // Hard cap on steps; <= 0 means 2 * items + 2 * bins + 16.
  int max_steps = 0;
  // On constrained problems, keep each pair of bins' best step until one of
  // the two changes. Same steps either way; off only for tests to compare.
  bool remember_pairs = true;
};

struct LocalSearchStep {
  std::vector<int> items;  // one item (a move) or two (a swap)
  std::vector<int> to;     // their new bins, parallel to `items`
  int changes = 0;         // items off their current bin after this step
  double stddev = 0;       // of bin loads after this step
};

struct LocalSearchTrace {
  Assignment start;
  double start_stddev = 0;
  int start_changes = 0;
  std::vector<LocalSearchStep> steps;
};

LocalSearchTrace RunLocalSearch(const PlacementProblem& problem,
                                const Assignment& start,
                                const LocalSearchOptions& options);

// The assignment after the first `steps` steps of `trace`.
Assignment ReplaySteps(const LocalSearchTrace& trace, int steps);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_LOCAL_SEARCH_H_
