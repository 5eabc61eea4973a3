#include "controller/cpu/planner.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "controller/cpu/few_changes.h"
#include "controller/cpu/from_scratch.h"
#include "controller/cpu/local_search.h"

namespace vmbalance {
namespace {

// The current placement, with items that are in no bin put in the
// least-loaded bins (largest first): they must go somewhere.
Assignment PlaceUnplaced(const PlacementProblem& problem) {
  Assignment assignment = problem.current;
  std::vector<double> loads = BinLoads(problem, assignment);
  std::vector<int> unplaced;
  for (int i = 0; i < problem.items(); ++i) {
    if (assignment[i] < 0) unplaced.push_back(i);
  }
  std::stable_sort(unplaced.begin(), unplaced.end(), [&](int a, int b) {
    return problem.demand[a] > problem.demand[b];
  });
  for (int item : unplaced) {
    const int bin = static_cast<int>(
        std::min_element(loads.begin(), loads.end()) - loads.begin());
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
void UndoNeedlessChanges(const PlacementProblem& problem, double threshold,
                         Plan* plan) {
  std::vector<int> moved;
  for (int i = 0; i < problem.items(); ++i) {
    if (problem.current[i] >= 0 && plan->assignment[i] != problem.current[i]) {
      moved.push_back(i);
    }
  }
  std::stable_sort(moved.begin(), moved.end(), [&](int a, int b) {
    return problem.demand[a] < problem.demand[b];
  });
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

// From-scratch placements (LPT, then sticky LPT for each slack), each also
// polished by local search (which changes nothing when it already meets the
// aim).
std::vector<Plan> FromScratchPlans(const PlacementProblem& problem,
                                   const PlanOptions& options,
                                   const LocalSearchOptions& search) {
  std::vector<Plan> scratch;
  scratch.push_back(MakePlan(problem, LptPlacement(problem), "lpt"));
  const double mean = PlacedMean(problem);
  for (double slack : options.sticky_slacks) {
    scratch.push_back(MakePlan(
        problem, StickyPlacement(problem, mean + slack * options.aim_stddev),
        "sticky"));
  }
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
  for (Plan& plan : candidates) UndoNeedlessChanges(problem, threshold, &plan);
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
  exact.threshold = result->threshold;
  exact.max_changes = result->chosen.changes - 1;
  if (auto found = FewestChanges(problem, exact)) {
    result->chosen = MakePlan(problem, std::move(*found), "exact");
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
  const LocalSearchTrace trace =
      RunLocalSearch(problem, PlaceUnplaced(problem), search);
  std::vector<Plan> scratch = FromScratchPlans(problem, options, search);

  double best =
      trace.steps.empty() ? trace.start_stddev : trace.steps.back().stddev;
  for (const Plan& plan : scratch) best = std::min(best, plan.stddev);
  result.best_stddev = best;
  result.threshold = ThresholdFor(best, options);
  result.chosen =
      FewestChangesAmong(problem, trace, std::move(scratch), result.threshold);
  RefineExactly(problem, options, &result);
  return result;
}

}  // namespace vmbalance
