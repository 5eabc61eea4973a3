#include "exporter/core/host_topology.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

namespace vmbalance {
namespace {

constexpr int kMaxId = 1 << 16;  // guards against absurd ids in the XML

// Online pCPUs sharing a core with `cpu`, itself included. The kernel's
// sibling list is the authority; without it, the (socket, die, core) triple;
// without that, the pCPU is a core of its own.
CpuSet CoreSetOf(const TopologyCpu& cpu, const std::vector<TopologyCpu>& all,
                 const CpuSet& online) {
  if (!cpu.siblings.Empty()) {
    return cpu.siblings.Intersection(online).Union(CpuSet{cpu.id});
  }
  if (cpu.socket < 0 || cpu.core_id < 0) return CpuSet{cpu.id};
  std::vector<int> members;
  for (const TopologyCpu& other : all) {
    if (other.online && other.cell == cpu.cell &&
        std::tie(other.socket, other.die, other.core_id) ==
            std::tie(cpu.socket, cpu.die, cpu.core_id)) {
      members.push_back(other.id);
    }
  }
  return CpuSet(members);
}

Status CheckIds(const std::vector<TopologyCell>& cells,
                const std::vector<TopologyCpu>& cpus) {
  std::set<int> cell_ids;
  for (const TopologyCell& cell : cells) {
    if (cell.id < 0 || cell.id >= kMaxId) {
      return Status::Error("cell id " + std::to_string(cell.id) +
                           " out of range");
    }
    if (!cell_ids.insert(cell.id).second) {
      return Status::Error("cell " + std::to_string(cell.id) + " listed twice");
    }
  }
  for (size_t i = 0; i < cpus.size(); ++i) {
    const TopologyCpu& cpu = cpus[i];
    if (cpu.id < 0 || cpu.id >= kMaxId) {
      return Status::Error("CPU id " + std::to_string(cpu.id) +
                           " out of range");
    }
    if (i > 0 && cpus[i - 1].id == cpu.id) {
      return Status::Error("CPU " + std::to_string(cpu.id) + " listed twice");
    }
    if (cell_ids.count(cpu.cell) == 0) {
      return Status::Error("CPU " + std::to_string(cpu.id) +
                           " is in unknown cell " + std::to_string(cpu.cell));
    }
  }
  return Status::Ok();
}

}  // namespace

HostTopology HostTopology::Flat(const CpuSet& online) {
  HostTopology topology;
  TopologyCell cell;
  cell.id = 0;
  cell.distances[0] = 10;
  topology.cells_.push_back(cell);
  for (int id : online.ToVector()) {
    TopologyCpu cpu;
    cpu.id = id;
    cpu.cell = 0;
    topology.cpus_.push_back(cpu);
  }
  topology.Index();  // cannot fail: ids come from a CpuSet
  return topology;
}

StatusOr<HostTopology> HostTopology::Build(std::vector<TopologyCell> cells,
                                           std::vector<TopologyCpu> cpus) {
  std::sort(cells.begin(), cells.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  std::sort(cpus.begin(), cpus.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  Status ids = CheckIds(cells, cpus);
  if (!ids.ok()) return ids;
  HostTopology topology;
  topology.cells_ = std::move(cells);
  topology.cpus_ = std::move(cpus);
  Status indexed = topology.Index();
  if (!indexed.ok()) return indexed;
  return topology;
}

// Groups the online pCPUs into cores and checks that every member of a core
// sees the same core and sits in the same cell: a core cannot span cells.
Status HostTopology::Index() {
  std::vector<int> online_ids;
  for (const TopologyCpu& cpu : cpus_) {
    if (cpu.online) online_ids.push_back(cpu.id);
  }
  online_ = CpuSet(online_ids);
  std::map<int, CpuSet> core_set;
  for (const TopologyCpu& cpu : cpus_) {
    if (cpu.online) core_set[cpu.id] = CoreSetOf(cpu, cpus_, online_);
  }
  for (const auto& [id, members] : core_set) {
    for (int member : members.ToVector()) {
      if (core_set[member] != members || CellOf(member) != CellOf(id)) {
        return Status::Error("CPU " + std::to_string(id) + " lists " +
                             members.ToString() + " as its core, but CPU " +
                             std::to_string(member) + " does not agree");
      }
    }
  }
  for (const auto& [id, members] : core_set) {
    if (members.First() != id) continue;  // indexed by its first pCPU
    for (int member : members.ToVector()) {
      core_of_[member] = static_cast<int>(cores_.size());
    }
    cores_.push_back(members);
  }
  return Status::Ok();
}

int HostTopology::CellOf(int pcpu) const {
  auto it = std::lower_bound(
      cpus_.begin(), cpus_.end(), pcpu,
      [](const TopologyCpu& cpu, int id) { return cpu.id < id; });
  return it != cpus_.end() && it->id == pcpu ? it->cell : -1;
}

int HostTopology::CoreOf(int pcpu) const {
  auto it = core_of_.find(pcpu);
  return it == core_of_.end() ? -1 : it->second;
}

CpuSet HostTopology::CellCpus(int cell) const {
  std::vector<int> ids;
  for (const TopologyCpu& cpu : cpus_) {
    if (cpu.online && cpu.cell == cell) ids.push_back(cpu.id);
  }
  return CpuSet(ids);
}

int HostTopology::Distance(int from_cell, int to_cell) const {
  for (const TopologyCell& cell : cells_) {
    if (cell.id != from_cell) continue;
    auto it = cell.distances.find(to_cell);
    if (it != cell.distances.end()) return it->second;
  }
  return from_cell == to_cell ? 10 : -1;
}

int HostTopology::max_threads_per_core() const {
  int most = 0;
  for (const CpuSet& core : cores_) most = std::max(most, core.Size());
  return most;
}

std::string HostTopology::Summary() const {
  std::set<int> sockets;
  for (const TopologyCpu& cpu : cpus_) {
    if (cpu.online && cpu.socket >= 0) sockets.insert(cpu.socket);
  }
  std::string text = std::to_string(cells_.size()) + " cells, ";
  if (!sockets.empty()) {
    text += std::to_string(sockets.size()) + " sockets, ";
  }
  text += std::to_string(cores_.size()) + " cores, " +
          std::to_string(online_.Size()) + " pCPUs online";
  const int offline = static_cast<int>(cpus_.size()) - online_.Size();
  if (offline > 0) text += " (" + std::to_string(offline) + " offline)";
  text += ", " + std::to_string(max_threads_per_core()) + " threads per core";
  return text;
}

bool HostTopology::operator==(const HostTopology& other) const {
  if (cells_.size() != other.cells_.size() ||
      cpus_.size() != other.cpus_.size() || cores_ != other.cores_) {
    return false;
  }
  for (size_t i = 0; i < cells_.size(); ++i) {
    const TopologyCell& a = cells_[i];
    const TopologyCell& b = other.cells_[i];
    if (a.id != b.id || a.memory_kib != b.memory_kib ||
        a.distances != b.distances) {
      return false;
    }
  }
  for (size_t i = 0; i < cpus_.size(); ++i) {
    const TopologyCpu& a = cpus_[i];
    const TopologyCpu& b = other.cpus_[i];
    if (std::tie(a.id, a.cell, a.socket, a.die, a.core_id, a.online) !=
            std::tie(b.id, b.cell, b.socket, b.die, b.core_id, b.online) ||
        a.siblings != b.siblings) {
      return false;
    }
  }
  return true;
}

}  // namespace vmbalance
