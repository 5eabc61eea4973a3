#include "controller/cpu/core_spread.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

namespace vmbalance {
namespace {

// An assignment seen by core: what each bin and core carries, kept up to
// date as items move.
class CoreView {
 public:
  CoreView(const PlacementProblem& problem, const TopologyConfig& config,
           const Assignment& assignment)
      : problem_(problem), config_(config), assignment_(assignment) {
    std::map<int, int> dense;  // bin_core value -> core index here
    core_of_.resize(problem.bins());
    for (int b = 0; b < problem.bins(); ++b) {
      auto [it, added] =
          dense.emplace(problem.bin_core[b], static_cast<int>(dense.size()));
      if (added) core_bins_.emplace_back();
      core_of_[b] = it->second;
      core_bins_[it->second].push_back(b);
    }
    loads_ = problem.base_load;
    items_in_.resize(problem.bins());
    for (int i = 0; i < problem.items(); ++i) {
      const int bin = assignment[i];
      if (bin < 0) continue;
      loads_[bin] += problem.demand[i];
      items_in_[bin].push_back(i);
    }
    core_load_.assign(core_bins_.size(), 0.0);
    core_busy_.assign(core_bins_.size(), 0);
    for (int b = 0; b < problem.bins(); ++b) {
      core_load_[core_of_[b]] += loads_[b];
      for (int i : items_in_[b]) core_busy_[core_of_[b]] += Busy(i);
      // Fixed load as heavy as a busy vCPU (an opted-out guest's vCPUs, a
      // vCPU pinned there by its config) takes its thread's share of the
      // core just the same: a busy item on the sibling is crowded too.
      core_busy_[core_of_[b]] +=
          problem.base_load[b] >= config.busy_vcpu_demand;
    }
  }

  bool Busy(int item) const {
    return problem_.demand[item] >= config_.busy_vcpu_demand;
  }
  // No busy item and little load: a busy item moved there would have the
  // core nearly to itself.
  bool Idle(int core) const {
    return core_busy_[core] == 0 && core_load_[core] < config_.idle_core_load;
  }
  int cores() const { return static_cast<int>(core_bins_.size()); }
  int busy(int core) const { return core_busy_[core]; }
  const std::vector<int>& bins_of(int core) const { return core_bins_[core]; }
  const std::vector<int>& items_in(int bin) const { return items_in_[bin]; }
  double load(int bin) const { return loads_[bin]; }
  const std::vector<double>& loads() const { return loads_; }
  const Assignment& assignment() const { return assignment_; }

  std::vector<int> IdleCores() const {
    std::vector<int> idle;
    for (int k = 0; k < cores(); ++k) {
      if (Idle(k)) idle.push_back(k);
    }
    return idle;
  }

  // A bin of `core` that `item` may use, or -1.
  int AllowedBin(int item, int core) const {
    for (int b : core_bins_[core]) {
      if (MayPlace(problem_, item, b)) return b;
    }
    return -1;
  }

  void Move(int item, int to) {
    const int from = assignment_[item];
    const double d = problem_.demand[item];
    std::vector<int>& out = items_in_[from];
    out.erase(std::find(out.begin(), out.end(), item));
    items_in_[to].push_back(item);
    loads_[from] -= d;
    loads_[to] += d;
    core_load_[core_of_[from]] -= d;
    core_load_[core_of_[to]] += d;
    core_busy_[core_of_[from]] -= Busy(item);
    core_busy_[core_of_[to]] += Busy(item);
    assignment_[item] = to;
  }

 private:
  const PlacementProblem& problem_;
  const TopologyConfig& config_;
  Assignment assignment_;
  std::vector<int> core_of_;
  std::vector<std::vector<int>> core_bins_;
  std::vector<std::vector<int>> items_in_;
  std::vector<double> loads_, core_load_;
  std::vector<int> core_busy_;
};

// One candidate step: `items` go to `to`, parallel.
struct Step {
  std::vector<int> items, to;
  int cost = 0;        // changes it adds (negative: it undoes some)
  double squares = 0;  // sum of squared bin loads after it
};

bool Cheaper(const Step& a, const Step& b) {
  return std::tie(a.cost, a.squares) < std::tie(b.cost, b.squares);
}

// Finds the cheapest step that takes a busy item off crowded core `k`.
class StepFinder {
 public:
  StepFinder(const PlacementProblem& problem, const CoreView& view,
             double max_stddev)
      : problem_(problem), view_(view) {
    double sum = 0;
    for (double load : view.loads()) sum += load;
    const double n = problem.bins();
    const double mean = sum / n;
    const double limit = max_stddev + kStddevEpsilon;
    max_squares_ = n * (limit * limit + mean * mean);
    squares_ = 0;
    for (double load : view.loads()) squares_ += load * load;
  }

  // The best step found so far over every call, if any.
  const std::optional<Step>& best() const { return best_; }

  void TryCore(int k, const std::vector<int>& idle) {
    for (int a : view_.bins_of(k)) {
      for (int m : idle) {
        for (int b : view_.bins_of(m)) {
          TryExchange(k, a, b);
          for (int i : view_.items_in(a)) {
            if (!view_.Busy(i) || !MayPlace(problem_, i, b)) continue;
            TryMove(i, a, b);
            TryTrade(i, a, b);
            for (int j : view_.items_in(b)) {
              if (!view_.Busy(j)) TrySwap(i, a, j, b);
            }
          }
        }
      }
    }
  }

 private:
  int Change(int item, int bin) const {
    return bin != problem_.current[item] ? 1 : 0;
  }

  // Sum of squares once bin a carries `load_a` and bin b `load_b`.
  double SquaresWith(int a, double load_a, int b, double load_b) const {
    return squares_ - view_.load(a) * view_.load(a) -
           view_.load(b) * view_.load(b) + load_a * load_a + load_b * load_b;
  }

  void Offer(Step step) {
    if (step.squares > max_squares_) return;
    if (!best_ || Cheaper(step, *best_)) best_ = std::move(step);
  }

  // The busy item alone: the idle core gains one busy item, the crowded
  // core keeps at least one.
  void TryMove(int i, int a, int b) {
    const double d = problem_.demand[i];
    Offer({{i},
           {b},
           Change(i, b) - Change(i, a),
           SquaresWith(a, view_.load(a) - d, b, view_.load(b) + d)});
  }

  // The busy item, and back from its new thread the light items (largest
  // first) whose move lowers the sum of squares: a swap for one or several.
  void TryTrade(int i, int a, int b) {
    double load_a = view_.load(a) - problem_.demand[i];
    double load_b = view_.load(b) + problem_.demand[i];
    std::vector<int> light;
    for (int j : view_.items_in(b)) {
      if (!view_.Busy(j) && MayPlace(problem_, j, a)) light.push_back(j);
    }
    std::stable_sort(light.begin(), light.end(), [&](int x, int y) {
      return problem_.demand[x] > problem_.demand[y];
    });
    Step step{{i}, {b}, Change(i, b) - Change(i, a), 0};
    for (int j : light) {
      const double d = problem_.demand[j];
      if (load_a + d >= load_b) continue;
      load_a += d;
      load_b -= d;
      step.items.push_back(j);
      step.to.push_back(a);
      step.cost += Change(j, a) - Change(j, b);
    }
    if (step.items.size() < 2) return;  // TryMove has it
    step.squares = SquaresWith(a, load_a, b, load_b);
    Offer(std::move(step));
  }

  // The busy item for one (not busy) item of the idle core's thread.
  void TrySwap(int i, int a, int j, int b) {
    if (!MayPlace(problem_, j, a)) return;
    const double shift = problem_.demand[i] - problem_.demand[j];
    Offer({{i, j},
           {b, a},
           Change(i, b) - Change(i, a) + Change(j, a) - Change(j, b),
           SquaresWith(a, view_.load(a) - shift, b, view_.load(b) + shift)});
  }

  // The two threads trade everything they carry. Only when it lowers the
  // busy items beyond the first per core: a thread carrying all of its
  // core's busy items would just take the crowding along.
  void TryExchange(int k, int a, int b) {
    int busy_a = 0;
    double demand_a = 0, demand_b = 0;
    Step step;
    for (int i : view_.items_in(a)) {
      if (!MayPlace(problem_, i, b)) return;
      busy_a += view_.Busy(i);
      demand_a += problem_.demand[i];
      step.items.push_back(i);
      step.to.push_back(b);
      step.cost += Change(i, b) - Change(i, a);
    }
    for (int j : view_.items_in(b)) {
      if (!MayPlace(problem_, j, a)) return;
      demand_b += problem_.demand[j];
      step.items.push_back(j);
      step.to.push_back(a);
      step.cost += Change(j, a) - Change(j, b);
    }
    const int rest = view_.busy(k) - busy_a;
    const int excess_after = std::max(0, rest - 1) + std::max(0, busy_a - 1);
    if (busy_a == 0 || excess_after >= view_.busy(k) - 1) return;
    const double shift = demand_a - demand_b;
    step.squares =
        SquaresWith(a, view_.load(a) - shift, b, view_.load(b) + shift);
    Offer(std::move(step));
  }

  const PlacementProblem& problem_;
  const CoreView& view_;
  double max_squares_ = 0, squares_ = 0;
  std::optional<Step> best_;
};

}  // namespace

CoreCrowding FindCoreCrowding(const PlacementProblem& problem,
                              const Assignment& assignment,
                              const TopologyConfig& config,
                              const std::vector<bool>& counted) {
  CoreCrowding crowding;
  if (problem.bin_core.empty()) return crowding;
  const CoreView view(problem, config, assignment);
  const std::vector<int> idle = view.IdleCores();
  if (idle.empty()) return crowding;
  const auto counts = [&](int item) {
    return view.Busy(item) && (counted.empty() || counted[item]);
  };
  for (int k = 0; k < view.cores(); ++k) {
    int busy = 0;
    for (int a : view.bins_of(k)) {
      for (int i : view.items_in(a)) busy += counts(i);
    }
    if (busy < 2) continue;
    for (int a : view.bins_of(k)) {
      for (int i : view.items_in(a)) {
        if (!counts(i)) continue;
        for (int m : idle) {
          const int b = view.AllowedBin(i, m);
          if (b < 0) continue;
          if (crowding.busy_items++ == 0) {
            crowding.crowded_bin = a;
            crowding.idle_bin = b;
          }
          break;
        }
      }
    }
  }
  return crowding;
}

CoreSpreadResult SpreadCores(const PlacementProblem& problem,
                             const TopologyConfig& config, double max_stddev,
                             Assignment* assignment) {
  CoreSpreadResult result;
  if (problem.bin_core.empty() || problem.bins() == 0) return result;
  CoreView view(problem, config, *assignment);
  const int before = CountChanges(problem, *assignment);
  // Each step lowers the busy items beyond the first per core by at least
  // one, so there are at most as many steps as busy items.
  while (true) {
    const std::vector<int> idle = view.IdleCores();
    if (idle.empty()) break;
    StepFinder finder(problem, view, max_stddev);
    for (int k = 0; k < view.cores(); ++k) {
      if (view.busy(k) >= 2) finder.TryCore(k, idle);
    }
    if (!finder.best()) break;
    const Step& step = *finder.best();
    for (size_t s = 0; s < step.items.size(); ++s) {
      view.Move(step.items[s], step.to[s]);
    }
    ++result.steps;
  }
  *assignment = view.assignment();
  result.extra_changes = CountChanges(problem, *assignment) - before;
  return result;
}

}  // namespace vmbalance
