#include "controller/cpu/local_search.h"

#include <random>
#include <vector>

#include "controller/cpu/placement.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

// A host cut into cells whose vCPUs are restricted the ways operators and
// NUMA homes restrict them: to a cell, to an arbitrary set, to one pCPU, or
// not at all; a few pCPUs carry load nobody can move, and many vCPUs start
// crowded on the first quarter of the pCPUs, so the most loaded bins often
// hold nothing that may go anywhere lighter.
PlacementProblem ConstrainedHost(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  PlacementProblem p;
  const int cells = 1 + rng() % 4;
  const int per_cell = 4 + 2 * (rng() % 6);
  const int bins = cells * per_cell;
  const int items = bins * (1 + 2 * unit(rng));
  p.base_load.assign(bins, 0);
  for (double& load : p.base_load) {
    if (unit(rng) < 0.1) load = 2 * unit(rng);
  }
  p.allowed.resize(items);
  for (int i = 0; i < items; ++i) {
    p.demand.push_back(unit(rng) < 0.3 ? 0.6 + 0.4 * unit(rng)
                                       : 0.3 * unit(rng));
    p.group.push_back(i / 3);
    const double kind = unit(rng);
    std::vector<int>& allowed = p.allowed[i];
    if (kind < 0.4) {
      const int cell = rng() % cells;
      for (int b = cell * per_cell; b < (cell + 1) * per_cell; ++b) {
        allowed.push_back(b);
      }
    } else if (kind < 0.5) {
      for (int b = 0; b < bins; ++b) {
        if (unit(rng) < 0.3) allowed.push_back(b);
      }
    } else if (kind < 0.55) {
      allowed.push_back(rng() % bins);
    }
    p.current.push_back(allowed.empty()
                            ? static_cast<int>(rng() % (bins / 4 + 1))
                            : allowed[rng() % allowed.size()]);
  }
  return p;
}

LocalSearchOptions PolicyBreadth() {
  LocalSearchOptions options;
  options.stop_stddev = 0.04;
  options.candidate_bins = 4;
  options.full_scan = 24;
  options.neighbours = 4;
  options.swap_samples = 64;
  return options;
}

// Remembering each pair of bins' best step is only a saving: the search must
// take exactly the steps it takes when every pair is evaluated afresh.
TEST(LocalSearchTest, RememberedPairsTakeTheSameSteps) {
  int steps = 0;
  for (unsigned seed = 1; seed <= 40; ++seed) {
    const PlacementProblem problem = ConstrainedHost(seed);
    LocalSearchOptions fresh = PolicyBreadth();
    fresh.remember_pairs = false;
    const LocalSearchTrace a =
        RunLocalSearch(problem, problem.current, PolicyBreadth());
    const LocalSearchTrace b = RunLocalSearch(problem, problem.current, fresh);
    ASSERT_EQ(a.steps.size(), b.steps.size()) << "seed " << seed;
    for (size_t s = 0; s < a.steps.size(); ++s) {
      ASSERT_EQ(a.steps[s].items, b.steps[s].items)
          << "seed " << seed << " step " << s;
      ASSERT_EQ(a.steps[s].to, b.steps[s].to)
          << "seed " << seed << " step " << s;
    }
    const Assignment end = ReplaySteps(a, a.steps.size());
    EXPECT_TRUE(Respects(problem, end)) << "seed " << seed;
    steps += a.steps.size();
  }
  EXPECT_GT(steps, 1000);  // the searches did real work
}

}  // namespace
}  // namespace vmbalance
