#include "controller/cpu/few_changes.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace vmbalance {
namespace {

// Depth-first over sets of `k` moved items (increasing index), each to a bin
// other than its current one, with loads and the sum of squares kept
// incrementally.
class Enumerator {
 public:
  Enumerator(const PlacementProblem& problem, double threshold,
             long long budget)
      : problem_(problem),
        threshold_(threshold),
        budget_(budget),
        loads_(BinLoads(problem, problem.current)),
        assignment_(problem.current),
        mean_(PlacedMean(problem)) {
    for (double load : loads_) squares_ += load * load;
  }

  // Tries every set of exactly k moves; keeps the lowest std-dev that meets
  // the threshold. False when the budget ran out before the level finished.
  bool Level(int k) { return Visit(0, k); }

  bool found() const { return found_; }
  const Assignment& best() const { return best_; }

 private:
  double Stddev() const {
    return std::sqrt(std::max(0.0, squares_ / loads_.size() - mean_ * mean_));
  }

  void Shift(int bin, double amount) {
    squares_ += 2 * loads_[bin] * amount + amount * amount;
    loads_[bin] += amount;
  }

  bool Visit(int first, int left) {
    if (left == 0) {
      if (--budget_ < 0) return false;
      const double stddev = Stddev();
      if (AtOrBelow(stddev, threshold_) && (!found_ || stddev < best_stddev_)) {
        found_ = true;
        best_stddev_ = stddev;
        best_ = assignment_;
      }
      return true;
    }
    for (int item = first; item <= problem_.items() - left; ++item) {
      const int from = problem_.current[item];
      const double d = problem_.demand[item];
      for (int to = 0; to < problem_.bins(); ++to) {
        if (to == from) continue;
        Shift(from, -d);
        Shift(to, d);
        assignment_[item] = to;
        const bool complete = Visit(item + 1, left - 1);
        assignment_[item] = from;
        Shift(to, -d);
        Shift(from, d);
        if (!complete) return false;
      }
    }
    return true;
  }

  const PlacementProblem& problem_;
  const double threshold_;
  long long budget_;
  std::vector<double> loads_;
  Assignment assignment_;
  const double mean_;
  double squares_ = 0;
  bool found_ = false;
  double best_stddev_ = 0;
  Assignment best_;
};

}  // namespace

std::optional<Assignment> FewestChanges(const PlacementProblem& problem,
                                        const FewChangesOptions& options) {
  if (problem.bins() < 2) return std::nullopt;
  for (int current : problem.current) {
    if (current < 0) return std::nullopt;
  }
  Enumerator enumerator(problem, options.threshold, options.budget);
  const int max_changes = std::min(options.max_changes, problem.items());
  for (int k = 1; k <= max_changes; ++k) {
    const bool complete = enumerator.Level(k);
    if (enumerator.found()) return enumerator.best();
    if (!complete) break;
  }
  return std::nullopt;
}

}  // namespace vmbalance
