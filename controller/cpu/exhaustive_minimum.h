// ExhaustiveMinimum: the true optimum of a small PlacementProblem, found by
// trying every assignment that puts each item in a bin it may use (at most
// bins^items of them). A yardstick for tests and the
// benchmark, not for production: keep it to ~10 items and ~4 bins. Pure.
#ifndef VMBALANCE_CONTROLLER_CPU_EXHAUSTIVE_MINIMUM_H_
#define VMBALANCE_CONTROLLER_CPU_EXHAUSTIVE_MINIMUM_H_

#include "controller/cpu/placement.h"

namespace vmbalance {

struct ExhaustiveResult {
  double best_stddev = 0;  // lowest std-dev of bin loads of any assignment
  // Fewest changes of an assignment at or below `threshold`; -1 when none is.
  int min_changes_to_threshold = -1;
  // Fewest changes of an assignment within `tolerance` of best_stddev.
  int min_changes_to_best = 0;
  long long assignments = 0;  // how many were tried
};

ExhaustiveResult ExhaustiveMinimum(const PlacementProblem& problem,
                                   double threshold, double tolerance);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_EXHAUSTIVE_MINIMUM_H_
