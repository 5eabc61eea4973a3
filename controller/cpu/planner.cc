#include "controller/cpu/planner.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "controller/cpu/few_changes.h"
#include "controller/cpu/from_scratch.h"
#include "controller/cpu/local_search.h"

namespace vmbalance {
namespace {

// The least-loaded of the bins `item` may use (the lowest on ties).
int LeastLoadedFor(const PlacementProblem& problem,
                   const std::vector<double>& loads, int item) {
  if (problem.allowed.empty() || problem.allowed[item].empty()) {
    return static_cast<int>(std::min_element(loads.begin(), loads.end()) -
                            loads.begin());
  }
  int best = -1;
  for (int bin : problem.allowed[item]) {
    if (best < 0 || loads[bin] < loads[best]) best = bin;
  }
  return best;
}

// The current placement, with items that are in no bin, or in one they may
// not use, put in the least-loaded bins they may use (largest first): they
// must go somewhere.
Assignment PlaceUnplaced(const PlacementProblem& problem) {
  Assignment assignment = problem.current;
  std::vector<int> unplaced;
  for (int i = 0; i < problem.items(); ++i) {
    if (!CurrentAllowed(problem, i)) {
      unplaced.push_back(i);
      assignment[i] = -1;
    }
  }
  std::vector<double> loads = BinLoads(problem, assignment);
  std::stable_sort(unplaced.begin(), unplaced.end(), [&](int a, int b) {
    return problem.demand[a] > problem.demand[b];
  });
  for (int item : unplaced) {
    const int bin = LeastLoadedFor(problem, loads, item);
    assignment[item] = bin;
    loads[bin] += problem.demand[item];
  }
  return assignment;
}

Plan MakePlan(const PlacementProblem& problem, Assignment assignment,
              const char* method) {
  Plan plan;
  plan.stddev = StddevOf(BinLoads(problem, assignment));
  plan.changes = CountChanges(problem, assignment);
  plan.assignment = std::move(assignment);
  plan.method = method;
  return plan;
}

// Sends moved items back to their current bin, smallest first, whenever the
// std-dev stays at or below `threshold`.
// `ascending`: every item by increasing demand, then index.
void UndoNeedlessChanges(const PlacementProblem& problem,
                         const std::vector<int>& ascending, double threshold,
                         Plan* plan) {
  std::vector<int> moved;
  for (int i : ascending) {
    if (CurrentAllowed(problem, i) &&
        plan->assignment[i] != problem.current[i]) {
      moved.push_back(i);
    }
  }
  std::vector<double> loads = BinLoads(problem, plan->assignment);
  const double mean = MeanOf(loads);
  double squares = 0;
  for (double load : loads) squares += load * load;
  for (int item : moved) {
    const int from = plan->assignment[item];
    const int back = problem.current[item];
    const double d = problem.demand[item];
    // A cheap estimate rejects clear failures; the exact std-dev decides.
    const double estimate = squares + 2 * d * (loads[back] - loads[from] + d);
    if (std::sqrt(std::max(0.0, estimate / loads.size() - mean * mean)) >
        threshold + 1e-6) {
      continue;
    }
    loads[from] -= d;
    loads[back] += d;
    if (AtOrBelow(StddevOf(loads), threshold)) {
      plan->assignment[item] = back;
      squares = 0;
      for (double load : loads) squares += load * load;
    } else {
      loads[from] += d;
      loads[back] -= d;
    }
  }
  *plan = MakePlan(problem, std::move(plan->assignment), plan->method.c_str());
}

// From-scratch placements, each also polished by local search (which changes
// nothing when it already meets the aim). Every one is tried while they have
// placed fewer than options.scratch_budget items in all, the most useful on a
// big host first: LPT (the best balance, which sets the optimum estimate),
// then keep (fewest changes), then sticky. Listed as LPT, sticky, keep, so
// that on ties the older methods win.
std::vector<Plan> FromScratchPlans(const PlacementProblem& problem,
                                   const ScratchPlacer& placer,
                                   const PlanOptions& options,
                                   const LocalSearchOptions& search) {
  const double mean = PlacedMean(problem);
  long long placed = 0;
  auto affordable = [&] {
    if (placed >= options.scratch_budget) return false;
    placed += problem.items();
    return true;
  };
  std::vector<Plan> lpt, sticky, keep;
  if (affordable()) lpt.push_back(MakePlan(problem, placer.Lpt(), "lpt"));
  if (Constrained(problem) && affordable()) {
    lpt.push_back(MakePlan(problem, placer.LptRestrictedFirst(), "lpt"));
  }
  for (double slack : options.sticky_slacks) {
    if (!affordable()) break;
    keep.push_back(MakePlan(
        problem, placer.Keep(mean + slack * options.aim_stddev), "keep"));
  }
  for (double slack : options.sticky_slacks) {
    if (!affordable()) break;
    sticky.push_back(MakePlan(
        problem, placer.Sticky(mean + slack * options.aim_stddev), "sticky"));
  }
  std::vector<Plan> scratch = std::move(lpt);
  for (Plan& plan : sticky) scratch.push_back(std::move(plan));
  for (Plan& plan : keep) scratch.push_back(std::move(plan));
  const size_t unpolished = scratch.size();
  for (size_t k = 0; k < unpolished; ++k) {
    const LocalSearchTrace polish =
        RunLocalSearch(problem, scratch[k].assignment, search);
    if (!polish.steps.empty()) {
      scratch.push_back(MakePlan(problem,
                                 ReplaySteps(polish, polish.steps.size()),
                                 scratch[k].method.c_str()));
    }
  }
  return scratch;
}

// True when no run of `max_steps` local search steps from `start` can reach
// `stddev`: a step shifts at most the largest demand d between two bins, so
// it lowers the sum over bins of |load - mean| by at most 2d, and a std-dev s
// allows at most bins x s of it (margins for rounding as in few_changes.cc).
bool OutOfReach(const PlacementProblem& problem, const Assignment& start,
                double stddev, int max_steps) {
  const double mean = PlacedMean(problem);
  double deviation = 0;
  for (double load : BinLoads(problem, start)) {
    deviation += std::fabs(load - mean);
  }
  const double s = stddev + kStddevEpsilon;
  const double allowed =
      problem.bins() * std::sqrt(s * s + 1e-6) + 1e-9 * deviation;
  double largest = 0;
  for (double demand : problem.demand) largest = std::max(largest, demand);
  return deviation - allowed > 2 * largest * max_steps;
}

// Local search from the current placement (unplaced items placed first), up
// to options.local_max_steps steps. Not run when it provably cannot reach the
// aim in that many steps while a from-scratch plan already has: it could
// then add no candidate and no lower std-dev.
LocalSearchTrace SearchFromCurrent(const PlacementProblem& problem,
                                   const PlanOptions& options,
                                   LocalSearchOptions search,
                                   const std::vector<Plan>& scratch) {
  const Assignment start = PlaceUnplaced(problem);
  const int full = 2 * problem.items() + 2 * problem.bins() + 16;
  search.max_steps = options.local_max_steps > 0
                         ? std::min(full, options.local_max_steps)
                         : full;
  const bool aim_reached =
      std::any_of(scratch.begin(), scratch.end(), [&](const Plan& plan) {
        return AtOrBelow(plan.stddev, options.aim_stddev);
      });
  if (aim_reached &&
      OutOfReach(problem, start, options.aim_stddev, search.max_steps)) {
    search.stop_stddev = std::numeric_limits<double>::infinity();
  }
  return RunLocalSearch(problem, start, search);
}

// The std-dev a plan must reach: the aim when some method reached it, else
// the target when some method reached that, else near the best found.
double ThresholdFor(double best, const PlanOptions& options) {
  if (AtOrBelow(best, options.aim_stddev)) return options.aim_stddev;
  if (AtOrBelow(best, options.target_stddev)) return options.target_stddev;
  return best + options.optimum_tolerance;
}

// Of the plans that reach `threshold` (the shortest prefix of the local
// search, and the from-scratch plans), each with its needless changes undone:
// the one with the fewest changes, then the lowest std-dev.
Plan FewestChangesAmong(const PlacementProblem& problem,
                        const std::vector<int>& ascending,
                        const LocalSearchTrace& trace,
                        std::vector<Plan> scratch, double threshold) {
  std::vector<Plan> candidates;
  if (AtOrBelow(trace.start_stddev, threshold)) {
    candidates.push_back(MakePlan(problem, trace.start, "local"));
  } else {
    for (size_t s = 0; s < trace.steps.size(); ++s) {
      if (AtOrBelow(trace.steps[s].stddev, threshold)) {
        candidates.push_back(
            MakePlan(problem, ReplaySteps(trace, s + 1), "local"));
        break;
      }
    }
  }
  for (Plan& plan : scratch) {
    if (AtOrBelow(plan.stddev, threshold))
      candidates.push_back(std::move(plan));
  }
  for (Plan& plan : candidates) {
    UndoNeedlessChanges(problem, ascending, threshold, &plan);
  }
  return *std::min_element(candidates.begin(), candidates.end(),
                           [](const Plan& a, const Plan& b) {
                             if (a.changes != b.changes)
                               return a.changes < b.changes;
                             return a.stddev < b.stddev;
                           });
}

// Exact search: is a stricter threshold reachable after all, or this one
// with fewer changes? Small instances end up at the true minimum.
void RefineExactly(const PlacementProblem& problem, const PlanOptions& options,
                   PlanResult* result) {
  FewChangesOptions exact;
  exact.budget = options.exact_budget;
  for (double stricter : {options.aim_stddev, options.target_stddev}) {
    if (AtOrBelow(result->threshold, stricter)) continue;
    exact.threshold = stricter;
    exact.max_changes = problem.items();
    if (auto found = FewestChanges(problem, exact)) {
      result->chosen = MakePlan(problem, std::move(*found), "exact");
      result->threshold = stricter;
      result->best_stddev =
          std::min(result->best_stddev, result->chosen.stddev);
      return;
    }
  }
  // Fewer changes, or as many with a lower std-dev (the exact search returns
  // the lowest std-dev among the fewest changes it finds).
  exact.threshold = result->threshold;
  exact.max_changes = result->chosen.changes;
  if (auto found = FewestChanges(problem, exact)) {
    Plan plan = MakePlan(problem, std::move(*found), "exact");
    if (plan.changes < result->chosen.changes ||
        plan.stddev < result->chosen.stddev) {
      result->chosen = std::move(plan);
    }
  }
  if (result->chosen.changes == 0) result->chosen.method = "current";
}

}  // namespace

PlanResult PlanPlacement(const PlacementProblem& problem,
                         const PlanOptions& options) {
  PlanResult result;
  result.start_stddev = StddevOf(BinLoads(problem, problem.current));
  if (problem.bins() == 0) {
    result.chosen.assignment = problem.current;
    result.chosen.method = "current";
    return result;
  }
  LocalSearchOptions search = options.search;
  search.stop_stddev = options.aim_stddev;
  const ScratchPlacer placer(problem);
  std::vector<Plan> scratch =
      FromScratchPlans(problem, placer, options, search);
  const LocalSearchTrace trace =
      SearchFromCurrent(problem, options, search, scratch);

  double best =
      trace.steps.empty() ? trace.start_stddev : trace.steps.back().stddev;
  for (const Plan& plan : scratch) best = std::min(best, plan.stddev);
  result.best_stddev = best;
  result.threshold = ThresholdFor(best, options);
  result.chosen = FewestChangesAmong(problem, placer.Ascending(), trace,
                                     std::move(scratch), result.threshold);
  RefineExactly(problem, options, &result);
  return result;
}

}  // namespace vmbalance
