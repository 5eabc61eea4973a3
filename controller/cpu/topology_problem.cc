#include "controller/cpu/topology_problem.h"

namespace vmbalance {

void AddTopology(const Usage& usage, VcpuProblem* problem) {
  if (usage.topology.empty()) return;
  PlacementProblem& placement = problem->placement;
  placement.bin_core.clear();
  placement.bin_cell.clear();
  for (int pcpu : problem->bin_pcpu) {
    placement.bin_core.push_back(usage.topology.CoreOf(pcpu));
    placement.bin_cell.push_back(usage.topology.CellOf(pcpu));
  }
}

}  // namespace vmbalance
