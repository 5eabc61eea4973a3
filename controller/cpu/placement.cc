#include "controller/cpu/placement.h"

#include <algorithm>
#include <cmath>

namespace vmbalance {

bool MayPlace(const PlacementProblem& problem, int item, int bin) {
  if (problem.allowed.empty()) return true;
  const std::vector<int>& bins = problem.allowed[item];
  return bins.empty() || std::binary_search(bins.begin(), bins.end(), bin);
}

bool Constrained(const PlacementProblem& problem) {
  for (const std::vector<int>& bins : problem.allowed) {
    if (!bins.empty()) return true;
  }
  return false;
}

bool Respects(const PlacementProblem& problem, const Assignment& assignment) {
  for (int i = 0; i < problem.items(); ++i) {
    if (assignment[i] < 0 || !MayPlace(problem, i, assignment[i])) {
      return false;
    }
  }
  return true;
}

std::vector<double> BinLoads(const PlacementProblem& problem,
                             const Assignment& assignment) {
  std::vector<double> loads = problem.base_load;
  for (int i = 0; i < problem.items(); ++i) {
    if (assignment[i] >= 0) loads[assignment[i]] += problem.demand[i];
  }
  return loads;
}

double MeanOf(const std::vector<double>& loads) {
  if (loads.empty()) return 0;
  double sum = 0;
  for (double load : loads) sum += load;
  return sum / loads.size();
}

double StddevOf(const std::vector<double>& loads) {
  if (loads.empty()) return 0;
  const double mean = MeanOf(loads);
  double squares = 0;
  for (double load : loads) squares += (load - mean) * (load - mean);
  return std::sqrt(squares / loads.size());
}

double PlacedMean(const PlacementProblem& problem) {
  if (problem.bins() == 0) return 0;
  double sum = 0;
  for (double load : problem.base_load) sum += load;
  for (double demand : problem.demand) sum += demand;
  return sum / problem.bins();
}

bool HasSiblings(const PlacementProblem& problem) {
  // Groups usually come in order (the vCPUs of one guest together): then
  // siblings are neighbours, and one pass tells.
  if (std::is_sorted(problem.group.begin(), problem.group.end())) {
    return std::adjacent_find(problem.group.begin(), problem.group.end()) !=
           problem.group.end();
  }
  std::vector<int> sorted = problem.group;
  std::sort(sorted.begin(), sorted.end());
  return std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end();
}

int CountChanges(const PlacementProblem& problem,
                 const Assignment& assignment) {
  int changes = 0;
  for (int i = 0; i < problem.items(); ++i) {
    if (assignment[i] != problem.current[i]) ++changes;
  }
  return changes;
}

}  // namespace vmbalance
