#include "controller/cpu/topology_problem.h"

#include <vector>

namespace vmbalance {

std::vector<int> MemoryCells(const DomainUsage& domain) {
  if (!domain.config) return {};
  const OperatorPlacement& placement = domain.config->placement;
  if (placement.memory_mode.empty() || !placement.memory_cells) return {};
  return placement.memory_cells->ToVector();
}

CellReport AddTopology(const Usage& usage, VcpuProblem* problem,
                       const TopologyConfig& config) {
  if (usage.topology.empty()) return CellReport();
  const HostTopology& topology = usage.topology;
  PlacementProblem& placement = problem->placement;
  placement.bin_core.clear();
  placement.bin_cell.clear();
  for (size_t b = 0; b < problem->bin_pcpu.size(); ++b) {
    const int pcpu = problem->bin_pcpu[b];
    // A pCPU the topology does not know (it came online since it was read)
    // is taken as a core of its own, in no cell.
    const int core = topology.CoreOf(pcpu);
    placement.bin_core.push_back(
        core >= 0 ? core : topology.core_count() + static_cast<int>(b));
    placement.bin_cell.push_back(topology.CellOf(pcpu));
  }
  std::vector<GuestCells> guests(usage.domains.size());
  for (size_t d = 0; d < usage.domains.size(); ++d) {
    const DomainUsage& domain = usage.domains[d];
    guests[d].name = domain.name;
    guests[d].memory_cells = MemoryCells(domain);
    if (domain.config)
      guests[d].memory_mode = domain.config->placement.memory_mode;
  }
  const CellDistance distance = [&topology](int from, int to) {
    return topology.Distance(from, to);
  };
  return ApplyCellRules(guests, distance, config, &placement);
}

}  // namespace vmbalance
