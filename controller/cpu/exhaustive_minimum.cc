#include "controller/cpu/exhaustive_minimum.h"

#include <limits>
#include <vector>

namespace vmbalance {
namespace {

// Depth-first over items; every leaf is one full assignment. Keeps, per
// number of changes, the lowest std-dev seen: that answers every question
// without storing the leaves.
class Walker {
 public:
  explicit Walker(const PlacementProblem& problem)
      : problem_(problem),
        loads_(problem.base_load),
        lowest_(problem.items() + 1, std::numeric_limits<double>::infinity()) {}

  void Walk(int item, int changes) {
    if (item == problem_.items()) {
      ++leaves_;
      const double stddev = StddevOf(loads_);
      if (stddev < lowest_[changes]) lowest_[changes] = stddev;
      return;
    }
    const double d = problem_.demand[item];
    for (int bin = 0; bin < problem_.bins(); ++bin) {
      if (!MayPlace(problem_, item, bin)) continue;
      loads_[bin] += d;
      Walk(item + 1, changes + (bin != problem_.current[item] ? 1 : 0));
      loads_[bin] -= d;
    }
  }

  // Lowest std-dev with exactly `changes` changes (infinity if none).
  const std::vector<double>& lowest() const { return lowest_; }
  long long leaves() const { return leaves_; }

 private:
  const PlacementProblem& problem_;
  std::vector<double> loads_;
  std::vector<double> lowest_;
  long long leaves_ = 0;
};

}  // namespace

ExhaustiveResult ExhaustiveMinimum(const PlacementProblem& problem,
                                   double threshold, double tolerance) {
  ExhaustiveResult result;
  if (problem.bins() == 0) return result;
  Walker walker(problem);
  walker.Walk(0, 0);
  result.assignments = walker.leaves();
  const std::vector<double>& lowest = walker.lowest();
  result.best_stddev = std::numeric_limits<double>::infinity();
  for (double stddev : lowest) {
    if (stddev < result.best_stddev) result.best_stddev = stddev;
  }
  for (int changes = static_cast<int>(lowest.size()) - 1; changes >= 0;
       --changes) {
    if (AtOrBelow(lowest[changes], threshold)) {
      result.min_changes_to_threshold = changes;
    }
    if (AtOrBelow(lowest[changes], result.best_stddev + tolerance)) {
      result.min_changes_to_best = changes;
    }
  }
  return result;
}

}  // namespace vmbalance
