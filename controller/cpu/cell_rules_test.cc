#include "controller/cpu/cell_rules.h"

#include <vector>

#include "gtest/gtest.h"

namespace vmbalance {
namespace {

// `cells` cells of `per_cell` bins each (bins of cell c: c*per_cell...);
// one item per entry of `current`, guest by `group`, demand 1 each unless
// given.
PlacementProblem CellProblem(int cells, int per_cell, std::vector<int> current,
                             std::vector<int> group,
                             std::vector<double> demand = {}) {
  PlacementProblem problem;
  problem.base_load.assign(cells * per_cell, 0.0);
  for (int b = 0; b < cells * per_cell; ++b) {
    problem.bin_core.push_back(b);
    problem.bin_cell.push_back(b / per_cell);
  }
  if (demand.empty()) demand.assign(current.size(), 1.0);
  problem.demand = std::move(demand);
  problem.current = std::move(current);
  problem.group = std::move(group);
  return problem;
}

// 10 to itself, 20 to a neighbour (|a - b| == 1), 30 further.
int LineDistance(int from, int to) {
  return from == to ? 10 : (from - to == 1 || to - from == 1 ? 20 : 30);
}

GuestCells Bound(std::vector<int> cells, std::string mode = "strict") {
  return {"bound", std::move(cells), std::move(mode)};
}
GuestCells Unbound() { return {"free", {}, ""}; }

// Home cells are off by default (topology_config.h); these tests turn
// them on where they are the subject.
TopologyConfig Homes() {
  TopologyConfig config;
  config.home_cells = true;
  return config;
}

TopologyConfig NoHomes() {
  TopologyConfig config;
  config.home_cells = false;
  return config;
}

TEST(CellRulesTest, BoundGuestMayUseOnlyItsCells) {
  PlacementProblem problem = CellProblem(2, 2, {0, 3}, {0, 0});
  const CellReport report =
      ApplyCellRules({Bound({1})}, LineDistance, NoHomes(), &problem);
  EXPECT_EQ(problem.allowed, (std::vector<std::vector<int>>{{2, 3}, {2, 3}}));
  EXPECT_EQ(report.bound_vcpus, 2);
  EXPECT_TRUE(report.notes.empty());
}

// "preferred" is taken as a constraint too: the kernel spills its memory
// elsewhere only when the cell is full, so the cell holds most of it.
TEST(CellRulesTest, PreferredIsAConstraintToo) {
  PlacementProblem problem = CellProblem(2, 2, {0}, {0});
  ApplyCellRules({Bound({1}, "preferred")}, LineDistance, NoHomes(), &problem);
  EXPECT_EQ(problem.allowed, (std::vector<std::vector<int>>{{2, 3}}));
}

TEST(CellRulesTest, IntersectsWithTheOperatorsSet) {
  PlacementProblem problem = CellProblem(2, 2, {0, 3}, {0, 0});
  problem.allowed = {{0, 3}, {}};
  ApplyCellRules({Bound({1})}, LineDistance, NoHomes(), &problem);
  EXPECT_EQ(problem.allowed, (std::vector<std::vector<int>>{{3}, {2, 3}}));
}

// The operator pinned vCPU 0 to cell 0's pCPUs while binding memory to
// cell 2: no bin satisfies both, so the guest goes to the nearest cell all
// its vCPUs may use (cell 0: vCPU 0 may use no other), and the note says so.
TEST(CellRulesTest, ContradictionFallsBackToTheNearestUsableCellAndSaysSo) {
  PlacementProblem problem = CellProblem(3, 2, {0, 4}, {0, 0});
  problem.allowed = {{0, 1}, {}};
  const CellReport report =
      ApplyCellRules({Bound({2})}, LineDistance, NoHomes(), &problem);
  EXPECT_EQ(problem.allowed, (std::vector<std::vector<int>>{{0, 1}, {0, 1}}));
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("nearest cell(s) 0"), std::string::npos)
      << report.notes[0];
}

// Memory in a cell without usable pCPUs (a memory-only cell, or one outside
// --pcpus): the nearest cell with pCPUs.
TEST(CellRulesTest, MemoryInACellWithoutPcpusGoesToTheNearest) {
  PlacementProblem problem = CellProblem(2, 2, {0}, {0});
  const CellReport report = ApplyCellRules(
      {Bound({2})}, LineDistance, NoHomes(), &problem);  // cell 2: no bins
  EXPECT_EQ(problem.allowed, (std::vector<std::vector<int>>{{2, 3}}));
  EXPECT_EQ(report.notes.size(), 1u);
}

// Without distances there is no nearest cell: the vCPUs keep what they had
// (never unplaceable), and the note says so.
TEST(CellRulesTest, WithoutDistancesTheGuestIsPlacedWithoutACellRule) {
  PlacementProblem problem = CellProblem(2, 2, {0}, {0});
  const CellReport report = ApplyCellRules(
      {Bound({2})}, [](int, int) { return -1; }, NoHomes(), &problem);
  EXPECT_EQ(problem.allowed, (std::vector<std::vector<int>>{{}}));
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("without a cell rule"), std::string::npos);
  EXPECT_EQ(report.bound_vcpus, 0);
}

TEST(CellRulesTest, OneCellHostIsLeftAlone) {
  PlacementProblem problem = CellProblem(1, 4, {0, 1}, {0, 1});
  const CellReport report = ApplyCellRules(
      {Bound({0}), Unbound()}, LineDistance, Homes(), &problem);
  EXPECT_TRUE(problem.allowed.empty());
  EXPECT_EQ(report.bound_vcpus + report.homed_guests, 0);
}

// A guest without a binding is homed where most of its vCPUs are; each may
// stay where it is, and moves only into the home cell.
TEST(CellRulesTest, UnboundGuestIsHomedWhereMostOfItsVcpusAre) {
  // Guest 0: vCPUs on bins 0, 1 (cell 0) and 4 (cell 1); guest 1 on bin 5;
  // guest 2 confined by the operator to bin 6.
  PlacementProblem problem = CellProblem(2, 4, {0, 1, 4, 5, 6}, {0, 0, 0, 1, 2},
                                         {0.5, 0.5, 0.5, 0.5, 1.0});
  problem.allowed = {{}, {}, {}, {}, {6}};
  const CellReport report =
      ApplyCellRules({Unbound(), Unbound(), Unbound()}, LineDistance,
                     Homes(), &problem);
  EXPECT_EQ(report.homed_guests, 2);
  EXPECT_EQ(
      problem.allowed,
      (std::vector<std::vector<int>>{
          {0, 1, 2, 3}, {0, 1, 2, 3}, {0, 1, 2, 3, 4}, {4, 5, 6, 7}, {6}}));
}

// Cell 0 carries three guests of 0.5 on its 2 pCPUs, cell 1 one: each
// cell's share is 1.0, so the first two (largest first, then in order) stay
// homed in cell 0 and the third is homed in cell 1.
TEST(CellRulesTest, AFullCellSendsTheRestToTheCellWithMostRoom) {
  PlacementProblem problem =
      CellProblem(2, 2, {0, 1, 1, 2}, {0, 1, 2, 3}, {0.5, 0.5, 0.5, 0.5});
  const CellReport report =
      ApplyCellRules({Unbound(), Unbound(), Unbound(), Unbound()}, LineDistance,
                     Homes(), &problem);
  EXPECT_EQ(report.homed_guests, 4);
  EXPECT_EQ(problem.allowed[0], (std::vector<int>{0, 1}));
  EXPECT_EQ(problem.allowed[1], (std::vector<int>{0, 1}));
  EXPECT_EQ(problem.allowed[2], (std::vector<int>{1, 2, 3}));  // may stay
  EXPECT_EQ(problem.allowed[3], (std::vector<int>{2, 3}));
}

// A guest bigger than any cell's room fits nowhere: it keeps every cell.
TEST(CellRulesTest, AGuestThatFitsNoCellKeepsEveryCell) {
  PlacementProblem problem = CellProblem(2, 2, {0, 0, 1}, {0, 0, 0});
  const CellReport report =
      ApplyCellRules({Unbound()}, LineDistance, Homes(), &problem);
  EXPECT_EQ(report.homeless_guests, 1);
  EXPECT_EQ(problem.allowed, (std::vector<std::vector<int>>{{}, {}, {}}));
}

TEST(CellRulesTest, HomesCanBeSwitchedOff) {
  PlacementProblem problem = CellProblem(2, 2, {0}, {0}, {0.5});
  const CellReport report =
      ApplyCellRules({Unbound()}, LineDistance, NoHomes(), &problem);
  EXPECT_EQ(report.homed_guests, 0);
  EXPECT_EQ(problem.allowed, (std::vector<std::vector<int>>{{}}));
}

}  // namespace
}  // namespace vmbalance
