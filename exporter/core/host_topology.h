// HostTopology: where a host's pCPUs sit (NUMA cell, socket, die, core, SMT
// siblings) and how much memory each cell has, as libvirt's capabilities
// report them. A plain value, read once per connection and again when it
// changes; placement uses it to spread busy vCPUs over cores before threads
// and to keep a guest in the cell that holds its memory.
#ifndef VMBALANCE_EXPORTER_CORE_HOST_TOPOLOGY_H_
#define VMBALANCE_EXPORTER_CORE_HOST_TOPOLOGY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "exporter/core/cpu_set.h"
#include "exporter/core/status.h"

namespace vmbalance {

// One logical CPU (a pCPU in vmbalance's words) as the host lists it.
struct TopologyCpu {
  int id = -1;
  int cell = -1;    // NUMA cell id
  int socket = -1;  // -1: not reported (an offline CPU, an old libvirt)
  int die = -1;
  int core_id = -1;  // as the kernel numbers it: unique within a socket/die
  CpuSet siblings;   // SMT threads sharing its core, itself included
  bool online = true;
};

struct TopologyCell {
  int id = -1;
  uint64_t memory_kib = 0;
  std::map<int, int> distances;  // cell id -> ACPI SLIT distance (10 = local)
};

class HostTopology {
 public:
  HostTopology() = default;  // empty: nothing known

  // The topology vmbalance assumes when the host says nothing: one cell, and
  // every online pCPU a core of its own (no SMT).
  static HostTopology Flat(const CpuSet& online);

  // Validates and indexes what the host listed: unique CPU and cell ids,
  // every CPU in a listed cell, SMT sibling sets that agree with each other.
  static StatusOr<HostTopology> Build(std::vector<TopologyCell> cells,
                                      std::vector<TopologyCpu> cpus);

  bool empty() const { return cpus_.empty(); }
  const std::vector<TopologyCell>& cells() const { return cells_; }
  const std::vector<TopologyCpu>& cpus() const { return cpus_; }  // by id
  CpuSet online() const { return online_; }

  // -1 when the pCPU is unknown (or offline, for CoreOf).
  int CellOf(int pcpu) const;
  // Host-wide core index in [0, core_count()): pCPUs with the same index
  // share one core's execution units.
  int CoreOf(int pcpu) const;
  int core_count() const { return static_cast<int>(cores_.size()); }
  const CpuSet& CoreCpus(int core) const { return cores_[core]; }
  // Online pCPUs of a cell; empty for a memory-only cell.
  CpuSet CellCpus(int cell) const;
  // ACPI distance between two cells; 10 for a cell to itself, -1 unknown.
  int Distance(int from_cell, int to_cell) const;
  int max_threads_per_core() const;

  // "2 cells, 2 sockets, 40 cores, 80 pCPUs online (2 threads per core)".
  std::string Summary() const;

  bool operator==(const HostTopology& other) const;

 private:
  Status Index();

  std::vector<TopologyCell> cells_;  // ascending id
  std::vector<TopologyCpu> cpus_;    // ascending id
  CpuSet online_;
  std::vector<CpuSet> cores_;   // online pCPUs per core, by first pCPU
  std::map<int, int> core_of_;  // online pCPU -> core index
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_CORE_HOST_TOPOLOGY_H_
