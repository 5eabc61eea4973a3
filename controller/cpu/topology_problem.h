// Adds the host's topology to a vCPU placement problem: each bin's core and
// NUMA cell, and the cells each guest's vCPUs may use (cell_rules.h: the
// cells its memory is bound to, else a home cell when the balance allows).
// Pure.
#ifndef VMBALANCE_CONTROLLER_CPU_TOPOLOGY_PROBLEM_H_
#define VMBALANCE_CONTROLLER_CPU_TOPOLOGY_PROBLEM_H_

#include "controller/cpu/cell_rules.h"
#include "controller/cpu/topology_config.h"
#include "controller/cpu/vcpu_problem.h"
#include "exporter/core/usage.h"

namespace vmbalance {

// Fills problem->placement.bin_core and bin_cell from usage.topology (left
// empty when the topology is unknown: a flat host), then narrows
// problem->placement.allowed by the cell rules. The report counts what the
// rules did and says which bindings could not be honoured as written.
CellReport AddTopology(const Usage& usage, VcpuProblem* problem,
                       const TopologyConfig& config = TopologyConfig());

// The NUMA cells a domain's memory is bound to by its <numatune> (any mode
// with a nodeset: strict, restrictive, preferred, interleave), ascending;
// empty when unbound or its config is unknown.
std::vector<int> MemoryCells(const DomainUsage& domain);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_TOPOLOGY_PROBLEM_H_
