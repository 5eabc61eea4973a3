// The NUMA rule of vCPU placement: a guest's vCPUs stay within the cells
// that hold its memory. A guest whose memory is bound (<numatune>) may use
// only those cells' pCPUs; a guest without a binding gets a home cell on a
// multi-cell host when the balance allows it (Linux places an unbound
// guest's memory where its vCPUs ran, so moving them away makes it remote).
// Narrows PlacementProblem::allowed; pure.
#ifndef VMBALANCE_CONTROLLER_CPU_CELL_RULES_H_
#define VMBALANCE_CONTROLLER_CPU_CELL_RULES_H_

#include <functional>
#include <string>
#include <vector>

#include "controller/cpu/placement.h"
#include "controller/cpu/topology_config.h"

namespace vmbalance {

// One guest (a PlacementProblem group) as the cell rules see it.
struct GuestCells {
  std::string name;               // for the notes
  std::vector<int> memory_cells;  // cells its memory is bound to; empty: none
  std::string memory_mode;        // <numatune> mode, for the notes
};

struct CellReport {
  int bound_vcpus = 0;      // vCPUs kept within their memory's cells
  int homed_guests = 0;     // guests without a binding given a home cell
  int homeless_guests = 0;  // of those with a binding-free choice, none fit
  // One line per guest whose binding could not be honoured as written (no
  // usable pCPU of its cells that its vCPUs may use), saying what was done.
  std::vector<std::string> notes;
};

// ACPI distance between two cells, -1 when unknown (HostTopology::Distance).
using CellDistance = std::function<int(int from, int to)>;

// Narrows problem->allowed by the cell rules. `guests` is indexed by
// problem->group; problem->bin_cell must be filled (nothing happens on a
// host whose bins span fewer than two cells). A bound guest whose vCPUs could
// use no pCPU of its cells is kept in the nearest cells they may use, or left
// as it was when distances are unknown, and a note says so: a constraint
// never makes a vCPU unplaceable.
CellReport ApplyCellRules(const std::vector<GuestCells>& guests,
                          const CellDistance& distance,
                          const TopologyConfig& config,
                          PlacementProblem* problem);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_CELL_RULES_H_
