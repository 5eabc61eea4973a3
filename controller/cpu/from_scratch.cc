#include "controller/cpu/from_scratch.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace vmbalance {
namespace {

// Loads this close count as equal: they are sums of doubles.
constexpr double kTie = 1e-9;

// Bin loads and sibling counts while a placement is being built. Bins are
// also kept in a binary min-heap by (load, bin), so the least-loaded ones are
// found without scanning every bin.
class Filler {
 public:
  Filler(const PlacementProblem& problem, bool track_siblings)
      : problem_(problem),
        loads_(problem.base_load),
        heap_(loads_.size()),
        slot_(loads_.size()),
        track_siblings_(track_siblings) {
    std::iota(heap_.begin(), heap_.end(), 0);
    Reorder();  // a sorted array is a heap
  }

  double load(int bin) const { return loads_[bin]; }

  // Put, for many items before any LeastLoaded: the order of bins is
  // restored once, by Reorder().
  void Seat(int item, int bin) {
    loads_[bin] += problem_.demand[item];
    if (track_siblings_) ++siblings_[Key(bin, item)];
  }
  void Reorder() {
    std::sort(heap_.begin(), heap_.end(),
              [&](int x, int y) { return Less(x, y); });
    for (size_t k = 0; k < heap_.size(); ++k) slot_[heap_[k]] = k;
  }

  void Put(int item, int bin) {
    loads_[bin] += problem_.demand[item];
    SiftDown(slot_[bin]);
    if (track_siblings_) ++siblings_[Key(bin, item)];
  }

  // The least-loaded bin `item` may use; among (near) equal ones, the fewest
  // siblings, then the lowest number.
  int LeastLoaded(int item) {
    if (!problem_.allowed.empty() && !problem_.allowed[item].empty()) {
      return LeastLoadedOf(item, problem_.allowed[item]);
    }
    const double limit = loads_[heap_[0]] + kTie;
    int best = -1;
    int best_siblings = 0;
    // The bins within the tie are a subtree at the heap's root.
    pending_.assign(1, 0);
    while (!pending_.empty()) {
      const size_t k = pending_.back();
      pending_.pop_back();
      if (k >= heap_.size() || loads_[heap_[k]] > limit) continue;
      const int b = heap_[k];
      const int siblings = Siblings(b, item);
      if (best < 0 || siblings < best_siblings ||
          (siblings == best_siblings && b < best)) {
        best = b;
        best_siblings = siblings;
      }
      pending_.push_back(2 * k + 1);
      pending_.push_back(2 * k + 2);
    }
    return best;
  }

 private:
  bool Less(int x, int y) const {
    return loads_[x] < loads_[y] || (loads_[x] == loads_[y] && x < y);
  }
  // LeastLoaded among `bins` (an item's allowed list): a scan, as the heap
  // orders every bin.
  int LeastLoadedOf(int item, const std::vector<int>& bins) const {
    double least = loads_[bins[0]];
    for (int b : bins) least = std::min(least, loads_[b]);
    int best = -1;
    int best_siblings = 0;
    for (int b : bins) {  // ascending, so the first of a tie is the lowest
      if (loads_[b] > least + kTie) continue;
      const int siblings = Siblings(b, item);
      if (best < 0 || siblings < best_siblings) {
        best = b;
        best_siblings = siblings;
      }
    }
    return best;
  }

  // Loads only grow, so a bin only ever moves down.
  void SiftDown(size_t k) {
    for (;;) {
      size_t least = k;
      for (size_t c = 2 * k + 1; c <= 2 * k + 2 && c < heap_.size(); ++c) {
        if (Less(heap_[c], heap_[least])) least = c;
      }
      if (least == k) return;
      std::swap(heap_[k], heap_[least]);
      slot_[heap_[k]] = k;
      slot_[heap_[least]] = least;
      k = least;
    }
  }
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
  std::vector<int> heap_;     // bins, a min-heap by (load, bin)
  std::vector<size_t> slot_;  // per bin: its index in heap_
  std::vector<size_t> pending_;
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
  std::vector<int> overlap(static_cast<size_t>(bins) * bins, 0);  // [b][p]
  for (int i = 0; i < problem.items(); ++i) {
    if (problem.current[i] >= 0) {
      ++overlap[static_cast<size_t>(lpt[i]) * bins + problem.current[i]];
    }
  }
  std::vector<std::tuple<int, int, int>> pairs;  // (-count, lpt bin, bin)
  for (int b = 0; b < bins; ++b) {
    for (int p = 0; p < bins; ++p) {
      const int count = overlap[static_cast<size_t>(b) * bins + p];
      if (count > 0) pairs.emplace_back(-count, b, p);
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

// The items of one bin (`members`, smallest first) that stay under `cap`:
// the most that fit, which are the smallest. Of those that then go, all but
// one are the largest; the last one is the smallest that still brings the
// bin under the cap, so the bin ends as close below the cap as that count
// allows (a bin left well below would need more items moved in).
std::vector<int> KeptItems(const PlacementProblem& problem,
                           const std::vector<int>& members, double cap) {
  const int bin = members.empty() ? 0 : problem.current[members[0]];
  double load = members.empty() ? 0 : problem.base_load[bin];
  size_t fit = 0;
  while (fit < members.size() &&
         load + problem.demand[members[fit]] <= cap + kTie) {
    load += problem.demand[members[fit++]];
  }
  if (fit == members.size()) return members;
  // Keep members[0..fit] but one: the smallest whose leaving is enough.
  const double need = load + problem.demand[members[fit]] - cap - kTie;
  size_t out = 0;
  while (out < fit && problem.demand[members[out]] < need) ++out;
  std::vector<int> kept;
  for (size_t k = 0; k <= fit; ++k) {
    if (k != out) kept.push_back(members[k]);
  }
  return kept;
}

}  // namespace

ScratchPlacer::ScratchPlacer(const PlacementProblem& problem)
    : problem_(problem),
      order_(problem.items()),
      siblings_(HasSiblings(problem)),
      constrained_(Constrained(problem)) {
  std::iota(order_.begin(), order_.end(), 0);
  std::sort(order_.begin(), order_.end(), [&](int a, int b) {
    if (problem.demand[a] != problem.demand[b]) {
      return problem.demand[a] > problem.demand[b];
    }
    return a < b;
  });
}

Assignment ScratchPlacer::Lpt() const { return LptIn(order_); }

Assignment ScratchPlacer::LptRestrictedFirst() const {
  // Fewest allowed bins first: an item that may use any bin can still go
  // where a restricted one cannot, not the other way round.
  std::vector<int> order = order_;
  auto width = [&](int item) {
    return problem_.allowed.empty() || problem_.allowed[item].empty()
               ? problem_.bins()
               : static_cast<int>(problem_.allowed[item].size());
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return width(a) < width(b); });
  return LptIn(order);
}

Assignment ScratchPlacer::LptIn(const std::vector<int>& order) const {
  Assignment assignment(problem_.items(), -1);
  if (problem_.bins() == 0) return assignment;
  Filler filler(problem_, siblings_);
  for (int item : order) {
    const int bin = filler.LeastLoaded(item);
    filler.Put(item, bin);
    assignment[item] = bin;
  }
  // Relabelling treats bins as interchangeable, which they are not for an
  // item restricted to some of them.
  return EqualBaseLoads(problem_) && !constrained_
             ? Relabel(problem_, assignment)
             : assignment;
}

Assignment ScratchPlacer::Sticky(double cap) const {
  Assignment assignment(problem_.items(), -1);
  if (problem_.bins() == 0) return assignment;
  Filler filler(problem_, siblings_);
  for (int item : order_) {
    const int current = problem_.current[item];
    int bin = current;
    if (!CurrentAllowed(problem_, item) ||
        filler.load(current) + problem_.demand[item] > cap + kTie) {
      bin = filler.LeastLoaded(item);
    }
    filler.Put(item, bin);
    assignment[item] = bin;
  }
  return assignment;
}

Assignment ScratchPlacer::Keep(double cap) const {
  Assignment assignment(problem_.items(), -1);
  if (problem_.bins() == 0) return assignment;
  // Per bin, its items smallest first.
  std::vector<std::vector<int>> members(problem_.bins());
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    if (CurrentAllowed(problem_, *it)) {
      members[problem_.current[*it]].push_back(*it);
    }
  }
  Filler filler(problem_, siblings_);
  for (int bin = 0; bin < problem_.bins(); ++bin) {
    for (int item : KeptItems(problem_, members[bin], cap)) {
      filler.Seat(item, bin);
      assignment[item] = bin;
    }
  }
  filler.Reorder();
  for (int item : order_) {
    if (assignment[item] >= 0) continue;
    const int bin = filler.LeastLoaded(item);
    filler.Put(item, bin);
    assignment[item] = bin;
  }
  return assignment;
}

std::vector<int> ScratchPlacer::Ascending() const {
  // order_ backwards, with each run of equal demands turned back to
  // increasing index.
  std::vector<int> ascending(order_.rbegin(), order_.rend());
  for (size_t run = 0; run < ascending.size();) {
    size_t end = run + 1;
    while (end < ascending.size() &&
           problem_.demand[ascending[end]] == problem_.demand[ascending[run]]) {
      ++end;
    }
    std::reverse(ascending.begin() + run, ascending.begin() + end);
    run = end;
  }
  return ascending;
}

Assignment LptPlacement(const PlacementProblem& problem) {
  return ScratchPlacer(problem).Lpt();
}

Assignment StickyPlacement(const PlacementProblem& problem, double cap) {
  return ScratchPlacer(problem).Sticky(cap);
}

Assignment KeepPlacement(const PlacementProblem& problem, double cap) {
  return ScratchPlacer(problem).Keep(cap);
}

}  // namespace vmbalance
