// Placements built from scratch rather than by moving items one at a time:
// LPT (longest processing time first) and a "sticky" LPT that keeps items in
// place while their bin has room. Pure functions over a PlacementProblem.
#ifndef VMBALANCE_CONTROLLER_CPU_FROM_SCRATCH_H_
#define VMBALANCE_CONTROLLER_CPU_FROM_SCRATCH_H_

#include "controller/cpu/placement.h"

namespace vmbalance {

// LPT: items by decreasing demand, each to the least-loaded bin (siblings
// spread on ties). When every bin has the same base load the bins are then
// relabelled so that as many items as possible keep their current bin.
Assignment LptPlacement(const PlacementProblem& problem);

// LPT order, but an item stays in its current bin while that bin's load stays
// at or below `cap`; the others go to the least-loaded bin.
Assignment StickyPlacement(const PlacementProblem& problem, double cap);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_FROM_SCRATCH_H_
