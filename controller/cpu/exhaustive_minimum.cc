#include "controller/cpu/exhaustive_minimum.h"

#include <limits>
#include <vector>

namespace vmbalance {
namespace {

struct Leaf {
  double stddev;
  int changes;
};

// Depth-first over items; every leaf is one full assignment.
void Enumerate(const PlacementProblem& problem, int item, int changes,
               std::vector<double>* loads, std::vector<Leaf>* leaves) {
  if (item == problem.items()) {
    leaves->push_back({StddevOf(*loads), changes});
    return;
  }
  const double d = problem.demand[item];
  for (int bin = 0; bin < problem.bins(); ++bin) {
    (*loads)[bin] += d;
    Enumerate(problem, item + 1,
              changes + (bin != problem.current[item] ? 1 : 0), loads, leaves);
    (*loads)[bin] -= d;
  }
}

}  // namespace

ExhaustiveResult ExhaustiveMinimum(const PlacementProblem& problem,
                                   double threshold, double tolerance) {
  ExhaustiveResult result;
  if (problem.bins() == 0) return result;
  std::vector<double> loads = problem.base_load;
  std::vector<Leaf> leaves;
  Enumerate(problem, 0, 0, &loads, &leaves);
  result.assignments = static_cast<long long>(leaves.size());
  result.best_stddev = std::numeric_limits<double>::infinity();
  for (const Leaf& leaf : leaves) {
    if (leaf.stddev < result.best_stddev) result.best_stddev = leaf.stddev;
  }
  result.min_changes_to_best = problem.items() + 1;
  for (const Leaf& leaf : leaves) {
    if (AtOrBelow(leaf.stddev, threshold) &&
        (result.min_changes_to_threshold < 0 ||
         leaf.changes < result.min_changes_to_threshold)) {
      result.min_changes_to_threshold = leaf.changes;
    }
    if (AtOrBelow(leaf.stddev, result.best_stddev + tolerance) &&
        leaf.changes < result.min_changes_to_best) {
      result.min_changes_to_best = leaf.changes;
    }
  }
  return result;
}

}  // namespace vmbalance
