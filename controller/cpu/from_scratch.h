// Placements built from scratch rather than by moving items one at a time:
// LPT (longest processing time first), a "sticky" LPT that keeps items in
// place while their bin has room, and a "keep" placement that keeps the most
// items in place. Pure functions over a PlacementProblem; each costs
// O(items log items + items log bins), plus a scan of an item's allowed
// bins for each item restricted to some (PlacementProblem::allowed): no
// placement puts an item in a bin it may not use.
#ifndef VMBALANCE_CONTROLLER_CPU_FROM_SCRATCH_H_
#define VMBALANCE_CONTROLLER_CPU_FROM_SCRATCH_H_

#include <vector>

#include "controller/cpu/placement.h"

namespace vmbalance {

// The placements below for one problem, sharing the work they have in common
// (the demand order). Holds a reference: `problem` must outlive it.
class ScratchPlacer {
 public:
  explicit ScratchPlacer(const PlacementProblem& problem);
  Assignment Lpt() const;
  // LPT with the items restricted to the fewest bins placed first (then by
  // decreasing demand): for constrained problems.
  Assignment LptRestrictedFirst() const;
  Assignment Sticky(double cap) const;
  Assignment Keep(double cap) const;
  // Every item by increasing demand, then index.
  std::vector<int> Ascending() const;

 private:
  Assignment LptIn(const std::vector<int>& order) const;

  const PlacementProblem& problem_;
  std::vector<int> order_;    // by decreasing demand, then index
  bool siblings_ = false;     // HasSiblings(problem)
  bool constrained_ = false;  // Constrained(problem)
};

// LPT: items by decreasing demand, each to the least-loaded bin (siblings
// spread on ties). When every bin has the same base load the bins are then
// relabelled so that as many items as possible keep their current bin.
Assignment LptPlacement(const PlacementProblem& problem);

// LPT order, but an item stays in its current bin while that bin's load stays
// at or below `cap`; the others go to the least-loaded bin.
Assignment StickyPlacement(const PlacementProblem& problem, double cap);

// Fewest items off their bin for a given cap: each bin keeps its smallest
// items while its load stays at or below `cap` (keeping small ones keeps the
// most of them); the rest, largest first, go to the least-loaded bin. One
// pass, where moving items one at a time takes a step per change.
Assignment KeepPlacement(const PlacementProblem& problem, double cap);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_FROM_SCRATCH_H_
