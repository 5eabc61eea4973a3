#include "controller/cpu/local_search.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

namespace vmbalance {
namespace {

// Improvements below this are rounding, not progress.
constexpr double kMinImprovement = 1e-9;
// Weight of the sibling tie-break: far below any real load difference.
constexpr double kSiblingWeight = 1e-10;
// Largest classes x bins table of which class may use which bin (16 MB).
constexpr size_t kMaxClassTable = size_t{16} << 20;

// Per bin, its items as (demand, item), ascending: a sorted vector, because
// steps mostly take the largest items off crowded bins (the vector's end) and
// put them on bins that hold few.
using BinSet = std::vector<std::pair<double, int>>;

void InsertSorted(BinSet* set, std::pair<double, int> entry) {
  set->insert(std::lower_bound(set->begin(), set->end(), entry), entry);
}
void EraseSorted(BinSet* set, std::pair<double, int> entry) {
  set->erase(std::lower_bound(set->begin(), set->end(), entry));
}

// One candidate step and how good it is per pin change.
struct Candidate {
  bool found = false;
  bool free = false;  // costs no new change (an item already moved moves on)
  double score = 0;   // improvement of the sum of squared loads per change
  int item_a = -1, to_a = -1, item_b = -1, to_b = -1;

  bool BetterThan(const Candidate& other) const {
    if (!other.found) return found;
    if (free != other.free) return free;
    return score > other.score;
  }
};

// The most a step that shifts `delta` in [0, max_delta] from a bin to one
// `gap` lower can lower the sum of squared loads (2 delta (gap - delta)),
// rounded up so that a computed improvement never exceeds it.
double ImprovementBound(double gap, double max_delta) {
  if (max_delta <= 0) return 0;
  const double delta = std::min(max_delta, gap / 2);
  return 2 * delta * (gap - delta) * (1 + 1e-9) + 1e-12;
}

class Searcher {
 public:
  Searcher(const PlacementProblem& problem, const Assignment& start,
           const LocalSearchOptions& options)
      : problem_(problem),
        options_(options),
        assignment_(start),
        loads_(BinLoads(problem, start)),
        members_(problem.bins()),
        away_(problem.bins(), 0),
        track_siblings_(HasSiblings(problem)),
        constrained_(Constrained(problem)),
        class_of_(problem.items(), -1),
        version_(problem.bins(), 0) {
    if (constrained_) BuildClasses();
    for (int b = 0; b < problem.bins(); ++b) by_load_.insert({loads_[b], b});
    for (int i = 0; i < problem.items(); ++i) {
      members_[assignment_[i]].push_back({problem.demand[i], i});
      if (Away(i, assignment_[i])) ++away_[assignment_[i]];
      if (HasGroups()) ++siblings_[Key(assignment_[i], problem.group[i])];
    }
    for (BinSet& set : members_) std::sort(set.begin(), set.end());
    changes_ = CountChanges(problem, start);
  }

  double Stddev() const { return StddevOf(loads_); }
  int changes() const { return changes_; }

  Candidate Best() {
    ++step_;
    sources_.clear();
    dests_.clear();
    PickBins(std::max(1, options_.candidate_bins), &sources_, &dests_);
    Candidate best;
    for (int p : sources_) {
      for (int q : dests_) ConsiderPair(p, q, &best);
    }
    if (!constrained_) return best;
    // Items restricted to some bins may find none of them among the least
    // loaded: each source also tries the least-loaded bin each of its items
    // may use. When even that finds nothing (the most loaded bins hold only
    // items that cannot go anywhere lighter), every bin is a source.
    ConsiderOwnDestinations(sources_, &best);
    // Pairs are remembered (constrained problems only), so this costs
    // little beyond the pairs whose bins the last steps changed.
    if (!best.found && static_cast<int>(sources_.size()) < problem_.bins()) {
      all_.resize(problem_.bins());
      for (int b = 0; b < problem_.bins(); ++b) all_[b] = b;
      for (int p : all_) {
        for (int q : dests_) ConsiderPair(p, q, &best);
      }
      ConsiderOwnDestinations(all_, &best);
    }
    return best;
  }

  void Apply(int item, int to) {
    const int from = assignment_[item];
    const double demand = problem_.demand[item];
    EraseSorted(&members_[from], {demand, item});
    InsertSorted(&members_[to], {demand, item});
    if (Away(item, from)) --away_[from];
    if (Away(item, to)) ++away_[to];
    by_load_.erase({loads_[from], from});
    by_load_.erase({loads_[to], to});
    loads_[from] -= demand;
    loads_[to] += demand;
    by_load_.insert({loads_[from], from});
    by_load_.insert({loads_[to], to});
    version_[from] = ++clock_;
    version_[to] = ++clock_;
    changes_ += Cost(item, from, to);
    if (HasGroups()) {
      --siblings_[Key(from, problem_.group[item])];
      ++siblings_[Key(to, problem_.group[item])];
    }
    assignment_[item] = to;
  }

 private:
  bool HasGroups() const { return track_siblings_; }
  static int64_t Key(int bin, int group) {
    return (static_cast<int64_t>(bin) << 32) + group;
  }
  bool Away(int item, int bin) const { return problem_.current[item] != bin; }

  // Change in the number of items off their current bin.
  int Cost(int item, int from, int to) const {
    const int origin = problem_.current[item];
    return (to != origin ? 1 : 0) - (from != origin ? 1 : 0);
  }

  // Siblings of `item` on `bin`, not counting the item itself.
  int SiblingsOn(int item, int bin) const {
    if (!HasGroups()) return 0;
    auto it = siblings_.find(Key(bin, problem_.group[item]));
    int count = it == siblings_.end() ? 0 : it->second;
    return assignment_[item] == bin ? count - 1 : count;
  }

  // The best step that moves items between p and q (some from p to q,
  // maybe one back), if it beats `best`. On a constrained problem a pair's
  // best step is kept until p or q changes: its candidates depend on nothing
  // else, and the same pairs come back step after step.
  void ConsiderPair(int p, int q, Candidate* best) {
    if (!constrained_ || !options_.remember_pairs) {
      EvaluatePair(p, q, best);
      return;
    }
    PairMemo& memo = memo_[Key(p, q)];
    if (memo.p_version != version_[p] || memo.q_version != version_[q] ||
        !memo.valid) {
      memo.best = Candidate();
      EvaluatePair(p, q, &memo.best);
      memo.p_version = version_[p];
      memo.q_version = version_[q];
      memo.valid = true;
    }
    if (memo.best.BetterThan(*best)) *best = memo.best;
  }

  // Skipping what cannot beat `best` leaves the choice as if all were tried,
  // so a pair evaluated alone gives the same winner once compared.
  void EvaluatePair(int p, int q, Candidate* best) {
    if (loads_[p] - loads_[q] <= kMinImprovement) return;
    ConsiderMoves(p, q, best);
    ConsiderSwaps(p, q, best);
  }

  // Items with the same allowed list form a class (unrestricted items none),
  // so the least loaded bin of a list is found once per step, and whether an
  // item may use a bin is one lookup.
  void BuildClasses() {
    std::map<std::vector<int>, int> index;
    for (int i = 0; i < problem_.items(); ++i) {
      const std::vector<int>& bins = problem_.allowed[i];
      if (bins.empty()) continue;
      auto [it, added] =
          index.emplace(bins, static_cast<int>(class_bins_.size()));
      if (added) class_bins_.push_back(&bins);
      class_of_[i] = it->second;
    }
    class_least_.assign(class_bins_.size(), {-1, -1});
    if (class_bins_.size() * problem_.bins() <= kMaxClassTable) {
      class_has_.assign(class_bins_.size() * problem_.bins(), 0);
      for (size_t c = 0; c < class_bins_.size(); ++c) {
        for (int b : *class_bins_[c]) class_has_[c * problem_.bins() + b] = 1;
      }
    }
  }

  // The least-loaded bin of class `c` (the lowest on ties), this step.
  int LeastOfClass(int c) {
    auto& [step, least] = class_least_[c];
    if (step != step_) {
      const std::vector<int>& bins = *class_bins_[c];
      least = bins[0];
      for (int b : bins) {
        if (loads_[b] < loads_[least]) least = b;
      }
      step = step_;
    }
    return least;
  }

  // For each source p: the pairs (p, q) where q is the least-loaded bin some
  // item on p may use, q not already among the destinations.
  void ConsiderOwnDestinations(const std::vector<int>& sources,
                               Candidate* best) {
    for (int p : sources) {
      extra_.clear();
      for (const auto& entry : members_[p]) {
        const int c = class_of_[entry.second];
        if (c < 0) continue;
        const int least = LeastOfClass(c);
        if (std::find(dests_.begin(), dests_.end(), least) == dests_.end() &&
            std::find(extra_.begin(), extra_.end(), least) == extra_.end()) {
          extra_.push_back(least);
        }
      }
      for (int q : extra_) ConsiderPair(p, q, best);
    }
  }

  // Whether `item` may go to `bin` (always, on an unconstrained problem).
  bool May(int item, int bin) const {
    const int c = class_of_[item];
    if (c < 0) return true;
    if (class_has_.empty()) return MayPlace(problem_, item, bin);
    return class_has_[static_cast<size_t>(c) * problem_.bins() + bin] != 0;
  }

  void PickBins(int candidate_bins, std::vector<int>* sources,
                std::vector<int>* dests) const {
    const int bins = problem_.bins();
    if (bins <= 2 * candidate_bins) {
      for (int b = 0; b < bins; ++b) sources->push_back(b);
      *dests = *sources;
      return;
    }
    auto high = by_load_.rbegin();
    auto low = by_load_.begin();
    for (int k = 0; k < candidate_bins; ++k, ++high, ++low) {
      sources->push_back(high->second);
      dests->push_back(low->second);
    }
  }

  void Offer(double improvement, int cost, double sibling_gain, int item_a,
             int to_a, int item_b, int to_b, Candidate* best) const {
    if (improvement <= kMinImprovement) return;
    Candidate c;
    c.found = true;
    c.free = cost <= 0;
    c.score = (c.free ? improvement : improvement / cost) +
              kSiblingWeight * sibling_gain;
    c.item_a = item_a;
    c.to_a = to_a;
    c.item_b = item_b;
    c.to_b = to_b;
    if (c.BetterThan(*best)) *best = c;
  }

  // Items of `set` worth trying when the ideal demand is `ideal` and they
  // would go to bin `to`, into `out`: only items that may go there.
  void Near(const BinSet& set, double ideal, int to,
            std::vector<int>* out) const {
    out->clear();
    const int neighbours = options_.neighbours;
    if (static_cast<int>(set.size()) <= options_.full_scan) {
      for (const auto& entry : set) {
        if (May(entry.second, to)) out->push_back(entry.second);
      }
      return;
    }
    auto it = std::lower_bound(set.begin(), set.end(),
                               std::pair<double, int>{ideal, -1});
    auto back = it;
    for (int k = 0; k < neighbours && back != set.begin();) {
      --back;
      if (May(back->second, to)) {
        out->push_back(back->second);
        ++k;
      }
    }
    for (int k = 0; k < neighbours && it != set.end(); ++it) {
      if (May(it->second, to)) {
        out->push_back(it->second);
        ++k;
      }
    }
  }

  void ConsiderMoves(int p, int q, Candidate* best) {
    const double gap = loads_[p] - loads_[q];
    Near(members_[p], gap / 2, q, &near_);
    for (int item : near_) {
      const double d = problem_.demand[item];
      const double improvement = 2 * d * (gap - d);
      if (improvement <= kMinImprovement) continue;  // Offer would drop it
      const double sibling_gain = SiblingsOn(item, p) - SiblingsOn(item, q);
      Offer(improvement, Cost(item, p, q), sibling_gain, item, q, -1, -1, best);
    }
  }

  void OfferSwap(int a, int p, int b, int q, double gap,
                 Candidate* best) const {
    const double delta = problem_.demand[a] - problem_.demand[b];
    if (delta <= 0) return;
    Offer(2 * delta * (gap - delta), Cost(a, p, q) + Cost(b, q, p), 0, a, q, b,
          p, best);
  }

  // False when no swap of `item` (on `bin`, trading with an item of `other`)
  // can beat `best`: its improvement bound per change is no better, and no
  // such swap can be free while `best` is not. Skipping those leaves the
  // search's choice exactly as if they had been tried.
  bool MayBeat(int item, int bin, int other, double max_delta, double gap,
               const Candidate& best) const {
    if (!best.found) return true;
    const double bound = ImprovementBound(gap, max_delta);
    if (best.free) return bound > best.score;
    // The partner's cost is at least -1 when `other` holds items away from
    // their origin (one may go home), else +1.
    const int partner_cost = away_[other] > 0 ? -1 : 1;
    if (Cost(item, bin, other) + partner_cost <= 0) return true;
    return bound > best.score;
  }

  void ConsiderSwaps(int p, int q, Candidate* best) {
    const BinSet& high = members_[p];
    const BinSet& low = members_[q];
    if (high.empty() || low.empty()) return;
    const double gap = loads_[p] - loads_[q];
    const bool scan_high = high.size() <= low.size();
    const BinSet& scanned = scan_high ? high : low;
    const BinSet& searched = scan_high ? low : high;
    const size_t stride =
        std::max<int>(1, scanned.size() / std::max(1, options_.swap_samples));
    for (size_t index = 0; index < scanned.size(); index += stride) {
      const auto& entry = scanned[index];
      if (!May(entry.second, scan_high ? q : p)) continue;
      // Ideal: demand(high item) - demand(low item) = gap / 2.
      const double ideal =
          scan_high ? entry.first - gap / 2 : entry.first + gap / 2;
      const double max_delta = scan_high ? entry.first - searched.front().first
                                         : searched.back().first - entry.first;
      if (!MayBeat(entry.second, scan_high ? p : q, scan_high ? q : p,
                   max_delta, gap, *best)) {
        continue;
      }
      Near(searched, ideal, scan_high ? p : q, &partners_);
      for (int other : partners_) {
        if (scan_high) {
          OfferSwap(entry.second, p, other, q, gap, best);
        } else {
          OfferSwap(other, p, entry.second, q, gap, best);
        }
      }
    }
  }

  const PlacementProblem& problem_;
  const LocalSearchOptions& options_;
  Assignment assignment_;
  std::vector<double> loads_;
  std::vector<BinSet> members_;
  std::vector<int> away_;  // per bin: items on it that are off their origin
  std::set<std::pair<double, int>> by_load_;  // (load, bin), kept in step
  const bool track_siblings_;
  const bool constrained_;  // some item may use only some bins
  std::unordered_map<int64_t, int> siblings_;  // Key(bin, group) -> items
  int changes_ = 0;
  // Classes of items by allowed list (constrained problems only).
  std::vector<int> class_of_;  // per item: its class, -1 for none
  std::vector<const std::vector<int>*> class_bins_;   // per class: the list
  std::vector<std::pair<int64_t, int>> class_least_;  // per class: (step, bin)
  // [class * bins + bin]: whether the class may use the bin; left empty when
  // it would exceed kMaxClassTable (MayPlace then searches the list).
  std::vector<char> class_has_;
  // Remembered pair evaluations: a bin's version changes with its contents.
  struct PairMemo {
    bool valid = false;
    uint64_t p_version = 0, q_version = 0;
    Candidate best;
  };
  std::vector<uint64_t> version_;
  uint64_t clock_ = 0;
  int64_t step_ = 0;
  std::unordered_map<int64_t, PairMemo> memo_;  // Key(p, q)
  // Scratch space reused by every step.
  std::vector<int> sources_, dests_, near_, partners_, extra_, all_;
};

}  // namespace

LocalSearchTrace RunLocalSearch(const PlacementProblem& problem,
                                const Assignment& start,
                                const LocalSearchOptions& options) {
  LocalSearchTrace trace;
  trace.start = start;
  trace.start_stddev = StddevOf(BinLoads(problem, start));
  trace.start_changes = CountChanges(problem, start);
  // Nothing to do: skip building the search's indexes.
  if (problem.bins() < 2 || trace.start_stddev <= options.stop_stddev) {
    return trace;
  }
  Searcher searcher(problem, start, options);
  const int max_steps = options.max_steps > 0
                            ? options.max_steps
                            : 2 * problem.items() + 2 * problem.bins() + 16;
  double stddev = trace.start_stddev;
  while (stddev > options.stop_stddev &&
         static_cast<int>(trace.steps.size()) < max_steps) {
    const Candidate best = searcher.Best();
    if (!best.found) break;
    LocalSearchStep step;
    step.items.push_back(best.item_a);
    step.to.push_back(best.to_a);
    searcher.Apply(best.item_a, best.to_a);
    if (best.item_b >= 0) {
      step.items.push_back(best.item_b);
      step.to.push_back(best.to_b);
      searcher.Apply(best.item_b, best.to_b);
    }
    stddev = searcher.Stddev();
    step.changes = searcher.changes();
    step.stddev = stddev;
    trace.steps.push_back(std::move(step));
  }
  return trace;
}

Assignment ReplaySteps(const LocalSearchTrace& trace, int steps) {
  Assignment assignment = trace.start;
  for (int s = 0; s < steps && s < static_cast<int>(trace.steps.size()); ++s) {
    const LocalSearchStep& step = trace.steps[s];
    for (size_t k = 0; k < step.items.size(); ++k) {
      assignment[step.items[k]] = step.to[k];
    }
  }
  return assignment;
}

}  // namespace vmbalance
