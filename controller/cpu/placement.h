// PlacementProblem: the vCPU scheduler's decision reduced to numbers. Items
// (movable vCPUs) with a demand sit in bins (usable pCPUs) that also carry a
// load nobody can move; an Assignment gives each item its bin (plans place
// every item; only the current placement may leave one in none). Plain values
// and pure helpers, safe to share between threads.
#ifndef VMBALANCE_CONTROLLER_CPU_PLACEMENT_H_
#define VMBALANCE_CONTROLLER_CPU_PLACEMENT_H_

#include <vector>

namespace vmbalance {

struct PlacementProblem {
  std::vector<double> base_load;  // per bin: load that cannot move
  std::vector<double> demand;     // per item, fraction of one pCPU
  // Per item: the bin it is on now, or -1 when it is in no bin (it then
  // counts as a change wherever it goes, and adds to no bin's load now).
  std::vector<int> current;
  // Per item: which guest it belongs to, so siblings can be spread. Optional:
  // empty means every item is its own guest.
  std::vector<int> group;
  // Per item: the bins it may be placed in, ascending (the operator's
  // affinity narrowed to the usable pCPUs, the cell that holds the guest's
  // memory). Empty overall, or an empty list for an item: any bin.
  std::vector<std::vector<int>> allowed;
  // Per bin: its core index (bins that share one are SMT siblings of one
  // core) and its NUMA cell. Empty: every bin a core of its own, one cell.
  std::vector<int> bin_core;
  std::vector<int> bin_cell;

  int bins() const { return static_cast<int>(base_load.size()); }
  int items() const { return static_cast<int>(demand.size()); }
};

// Per item: its bin.
using Assignment = std::vector<int>;

// Whether `item` may be placed in `bin` (see PlacementProblem::allowed).
bool MayPlace(const PlacementProblem& problem, int item, int bin);

// True when some item has a list of allowed bins: the searches then check
// MayPlace; without, they take their unconstrained fast paths.
bool Constrained(const PlacementProblem& problem);

// Whether every item of `assignment` is in a bin it may use (bin -1 fails).
bool Respects(const PlacementProblem& problem, const Assignment& assignment);

// Whether `item`'s current bin is one a plan may keep it in.
inline bool CurrentAllowed(const PlacementProblem& problem, int item) {
  return problem.current[item] >= 0 &&
         MayPlace(problem, item, problem.current[item]);
}

// Std-devs within this of a threshold count as meeting it: loads are sums of
// doubles, and ties with the threshold are common on round demands.
inline constexpr double kStddevEpsilon = 1e-9;
inline bool AtOrBelow(double stddev, double threshold) {
  return stddev <= threshold + kStddevEpsilon;
}

// Loads per bin under `assignment` (items with bin -1 count nowhere).
std::vector<double> BinLoads(const PlacementProblem& problem,
                             const Assignment& assignment);

// Population mean and std-dev of `loads`; 0 for an empty vector.
double MeanOf(const std::vector<double>& loads);
double StddevOf(const std::vector<double>& loads);

// The mean bin load once every item is in a bin: it does not depend on the
// assignment, so it fixes the balance target.
double PlacedMean(const PlacementProblem& problem);

// True when some group holds two or more items (siblings worth spreading).
bool HasSiblings(const PlacementProblem& problem);

// Items whose bin in `assignment` differs from their current one.
int CountChanges(const PlacementProblem& problem, const Assignment& assignment);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_PLACEMENT_H_
