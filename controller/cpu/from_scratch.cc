#include "controller/cpu/from_scratch.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace vmbalance {
namespace {

// Loads this close count as equal: they are sums of doubles.
constexpr double kTie = 1e-9;

std::vector<int> ByDecreasingDemand(const PlacementProblem& problem) {
  std::vector<int> order(problem.items());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return problem.demand[a] > problem.demand[b];
  });
  return order;
}

// Bin loads and sibling counts while a placement is being built. Bins are
// also kept ordered by load, so the least-loaded is found without a scan.
class Filler {
 public:
  Filler(const PlacementProblem& problem, std::vector<double> loads)
      : problem_(problem),
        loads_(std::move(loads)),
        track_siblings_(HasSiblings(problem)) {
    for (int b = 0; b < static_cast<int>(loads_.size()); ++b) {
      by_load_.insert({loads_[b], b});
    }
  }

  double load(int bin) const { return loads_[bin]; }

  void Put(int item, int bin) {
    by_load_.erase({loads_[bin], bin});
    loads_[bin] += problem_.demand[item];
    by_load_.insert({loads_[bin], bin});
    if (track_siblings_) ++siblings_[Key(bin, item)];
  }

  // The least-loaded bin; among (near) equal ones, the fewest siblings, then
  // the lowest number.
  int LeastLoaded(int item) const {
    const double least = by_load_.begin()->first;
    int best = -1;
    int best_siblings = 0;
    for (auto it = by_load_.begin();
         it != by_load_.end() && it->first <= least + kTie; ++it) {
      const int b = it->second;
      const int siblings = Siblings(b, item);
      if (best < 0 || siblings < best_siblings ||
          (siblings == best_siblings && b < best)) {
        best = b;
        best_siblings = siblings;
      }
    }
    return best;
  }

 private:
  int64_t Key(int bin, int item) const {
    return static_cast<int64_t>(bin) * (int64_t{1} << 32) +
           problem_.group[item];
  }
  int Siblings(int bin, int item) const {
    if (!track_siblings_) return 0;
    auto it = siblings_.find(Key(bin, item));
    return it == siblings_.end() ? 0 : it->second;
  }

  const PlacementProblem& problem_;
  std::vector<double> loads_;
  std::set<std::pair<double, int>> by_load_;  // (load, bin)
  const bool track_siblings_;  // only when some guest has several items
  std::unordered_map<int64_t, int> siblings_;
};

bool EqualBaseLoads(const PlacementProblem& problem) {
  for (double load : problem.base_load) {
    if (std::fabs(load - problem.base_load[0]) > kTie) return false;
  }
  return true;
}

// Renames bins so that the most items keep their current bin (greedy
// matching on overlap counts; bins are interchangeable when base loads match).
Assignment Relabel(const PlacementProblem& problem, const Assignment& lpt) {
  const int bins = problem.bins();
  std::vector<std::vector<int>> overlap(bins, std::vector<int>(bins, 0));
  for (int i = 0; i < problem.items(); ++i) {
    if (problem.current[i] >= 0) ++overlap[lpt[i]][problem.current[i]];
  }
  std::vector<std::tuple<int, int, int>> pairs;  // (-count, lpt bin, bin)
  for (int b = 0; b < bins; ++b) {
    for (int p = 0; p < bins; ++p) {
      if (overlap[b][p] > 0) pairs.emplace_back(-overlap[b][p], b, p);
    }
  }
  std::sort(pairs.begin(), pairs.end());
  std::vector<int> rename(bins, -1);
  std::vector<bool> taken(bins, false);
  for (const auto& [count, b, p] : pairs) {
    if (rename[b] >= 0 || taken[p]) continue;
    rename[b] = p;
    taken[p] = true;
  }
  int next_free = 0;
  for (int b = 0; b < bins; ++b) {
    if (rename[b] >= 0) continue;
    while (taken[next_free]) ++next_free;
    rename[b] = next_free;
    taken[next_free] = true;
  }
  Assignment out(lpt.size());
  for (size_t i = 0; i < lpt.size(); ++i) out[i] = rename[lpt[i]];
  return out;
}

}  // namespace

Assignment LptPlacement(const PlacementProblem& problem) {
  Assignment assignment(problem.items(), -1);
  if (problem.bins() == 0) return assignment;
  Filler filler(problem, problem.base_load);
  for (int item : ByDecreasingDemand(problem)) {
    const int bin = filler.LeastLoaded(item);
    filler.Put(item, bin);
    assignment[item] = bin;
  }
  return EqualBaseLoads(problem) ? Relabel(problem, assignment) : assignment;
}

Assignment StickyPlacement(const PlacementProblem& problem, double cap) {
  Assignment assignment(problem.items(), -1);
  if (problem.bins() == 0) return assignment;
  Filler filler(problem, problem.base_load);
  for (int item : ByDecreasingDemand(problem)) {
    const int current = problem.current[item];
    int bin = current;
    if (current < 0 ||
        filler.load(current) + problem.demand[item] > cap + kTie) {
      bin = filler.LeastLoaded(item);
    }
    filler.Put(item, bin);
    assignment[item] = bin;
  }
  return assignment;
}

}  // namespace vmbalance
