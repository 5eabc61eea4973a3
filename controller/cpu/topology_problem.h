// Adds the host's topology to a vCPU placement problem: each bin's core and
// NUMA cell, and the cell a guest's memory binds its vCPUs to. Pure.
#ifndef VMBALANCE_CONTROLLER_CPU_TOPOLOGY_PROBLEM_H_
#define VMBALANCE_CONTROLLER_CPU_TOPOLOGY_PROBLEM_H_

#include "controller/cpu/vcpu_problem.h"
#include "exporter/core/usage.h"

namespace vmbalance {

// Fills problem->placement.bin_core and bin_cell from usage.topology (left
// empty when the topology is unknown).
void AddTopology(const Usage& usage, VcpuProblem* problem);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_TOPOLOGY_PROBLEM_H_
