#include "controller/cpu/few_changes.h"

#include <algorithm>
#include <cmath>
#include <functional>
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

  // Accounts for a level known to hold no solution as if it had been
  // enumerated: `leaves` assignments off the budget; false when they would
  // have run it out (the enumeration would have stopped in that level).
  bool Skip(double leaves) {
    if (leaves > static_cast<double>(budget_)) {
      budget_ = -1;
      return false;
    }
    budget_ -= static_cast<long long>(leaves);
    return true;
  }

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
        if (to == from || !MayPlace(problem_, item, to)) continue;
        // Restored, not shifted back: rounding then never drifts, and every
        // assignment's std-dev is the same whatever was tried before it.
        const double from_load = loads_[from], to_load = loads_[to];
        const double squares = squares_;
        Shift(from, -d);
        Shift(to, d);
        assignment_[item] = to;
        const bool complete = Visit(item + 1, left - 1);
        assignment_[item] = from;
        loads_[from] = from_load;
        loads_[to] = to_load;
        squares_ = squares;
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

// How many assignments each level k <= max_level holds, as doubles (they
// only have to be compared with a budget): C(items, k) x (bins - 1)^k, or
// with items restricted to some bins, the sum over sets of k items of the
// product of their other bins (an elementary symmetric polynomial).
std::vector<double> LevelSizes(const PlacementProblem& problem, int max_level) {
  std::vector<double> size(max_level + 1, 0.0);
  size[0] = 1;
  if (!Constrained(problem)) {
    for (int k = 1; k <= max_level; ++k) {
      size[k] =
          size[k - 1] * (problem.bins() - 1.0) * (problem.items() - k + 1) / k;
    }
    return size;
  }
  for (int i = 0; i < problem.items(); ++i) {
    const std::vector<int>& bins = problem.allowed[i];
    const double others =
        bins.empty() ? problem.bins() - 1.0 : bins.size() - 1.0;
    for (int k = max_level; k >= 1; --k) size[k] += size[k - 1] * others;
  }
  return size;
}

// Why some levels need not be enumerated: moving one item of demand d changes
// the sum of |load - mean| over bins by at most 2d, and a std-dev of s allows
// at most bins x s of it. So k moves cannot reach the threshold while the
// current sum minus twice the k largest demands exceeds that. The margin
// covers the enumerator's rounding (it tracks the sum of squares).
class LevelBound {
 public:
  LevelBound(const PlacementProblem& problem, double threshold, int levels)
      : largest_(problem.demand) {
    const std::vector<double> loads = BinLoads(problem, problem.current);
    const double mean = PlacedMean(problem);
    for (double load : loads) deviation_ += std::fabs(load - mean);
    const double s = threshold + kStddevEpsilon;
    allowed_ = problem.bins() * std::sqrt(s * s + 1e-6) + 1e-9 * deviation_;
    levels = std::min<int>(levels, largest_.size());
    std::partial_sort(largest_.begin(), largest_.begin() + levels,
                      largest_.end(), std::greater<double>());
    largest_.resize(levels);
  }

  // True when k moves (k <= levels) provably cannot reach the threshold.
  bool Unreachable(int k) const {
    double moved = 0;
    for (int j = 0; j < k; ++j) moved += largest_[j];
    return deviation_ - 2 * moved > allowed_;
  }

 private:
  std::vector<double> largest_;  // the largest demands, decreasing
  double deviation_ = 0;         // sum over bins of |load - mean| now
  double allowed_ = 0;
};

}  // namespace

std::optional<Assignment> FewestChanges(const PlacementProblem& problem,
                                        const FewChangesOptions& options) {
  if (problem.bins() < 2) return std::nullopt;
  for (int i = 0; i < problem.items(); ++i) {
    if (!CurrentAllowed(problem, i)) return std::nullopt;
  }
  Enumerator enumerator(problem, options.threshold, options.budget);
  const int max_changes = std::min(options.max_changes, problem.items());
  // Levels past the first one bigger than what is left of the budget are
  // never reached; sizes only grow while the budget lasts, so a few suffice.
  std::vector<double> sizes;
  int levels = 0;
  for (double left = static_cast<double>(options.budget);
       levels < max_changes && left >= 0;) {
    ++levels;
    if (levels >= static_cast<int>(sizes.size())) {
      sizes = LevelSizes(problem, std::min(max_changes, 2 * levels + 2));
    }
    left -= sizes[levels];
  }
  const LevelBound bound(problem, options.threshold, levels);
  for (int k = 1; k <= levels; ++k) {
    const bool complete =
        bound.Unreachable(k) ? enumerator.Skip(sizes[k]) : enumerator.Level(k);
    if (enumerator.found()) return enumerator.best();
    if (!complete) break;
  }
  return std::nullopt;
}

}  // namespace vmbalance
