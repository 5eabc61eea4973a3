// Test helpers: hand-built Usage values, and applying a decision's pins to a
// Usage the way the host would (the next interval sees the vCPU pinned and
// attributed to its new pCPU), committing them as the loop would.
// Header-only; for tests and benchmarks.
#ifndef VMBALANCE_CONTROLLER_CPU_USAGE_BUILDER_H_
#define VMBALANCE_CONTROLLER_CPU_USAGE_BUILDER_H_

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "controller/cpu/vcpu_policy.h"
#include "exporter/core/usage.h"

namespace vmbalance {
namespace testing_usage {

struct VcpuSpec {
  double demand = 0;
  int pcpu = 0;     // where it runs (last ran, for an unpinned one)
  CpuSet affinity;  // empty: every online pCPU
  bool valid = true;
};

// Pinned to exactly `pcpu`.
inline VcpuSpec Pinned(double demand, int pcpu) {
  return {demand, pcpu, CpuSet{pcpu}, true};
}
// Free to run anywhere online, last seen on `pcpu`.
inline VcpuSpec Floating(double demand, int pcpu) {
  return {demand, pcpu, CpuSet(), true};
}
// No usable reading this interval (new or restarted domain).
inline VcpuSpec Unknown(int pcpu, CpuSet affinity = CpuSet()) {
  return {0, pcpu, std::move(affinity), false};
}

struct DomainSpec {
  std::string name;
  std::vector<VcpuSpec> vcpus;
};

inline std::string UuidOf(const std::string& name) { return "uuid-" + name; }

// Per-pCPU load as the exporter reports it: utilisation where attributed.
inline void RecomputeLoads(Usage* usage) {
  int width = usage->online_pcpus.Last() + 1;
  for (const DomainUsage& d : usage->domains) {
    for (const VcpuUsage& v : d.vcpus) width = std::max(width, v.pcpu + 1);
  }
  usage->pcpu_load.assign(width, 0.0);
  for (const DomainUsage& d : usage->domains) {
    for (const VcpuUsage& v : d.vcpus) {
      if (v.valid && v.pcpu >= 0) usage->pcpu_load[v.pcpu] += v.utilization;
    }
  }
  double sum = 0, squares = 0;
  const std::vector<int> online = usage->online_pcpus.ToVector();
  for (int p : online) sum += usage->pcpu_load[p];
  usage->load_mean = online.empty() ? 0 : sum / online.size();
  for (int p : online) {
    const double diff = usage->pcpu_load[p] - usage->load_mean;
    squares += diff * diff;
  }
  usage->load_stddev = online.empty() ? 0 : std::sqrt(squares / online.size());
}

inline Usage MakeUsage(const CpuSet& online,
                       const std::vector<DomainSpec>& domains) {
  Usage usage;
  usage.interval_s = 1;
  usage.online_pcpus = online;
  for (const DomainSpec& spec : domains) {
    DomainUsage domain;
    domain.uuid = UuidOf(spec.name);
    domain.name = spec.name;
    for (size_t i = 0; i < spec.vcpus.size(); ++i) {
      const VcpuSpec& v = spec.vcpus[i];
      VcpuUsage vcpu;
      vcpu.index = static_cast<int>(i);
      vcpu.valid = v.valid;
      vcpu.demand = v.valid ? v.demand : 0;
      vcpu.runnable = vcpu.demand;
      vcpu.utilization = v.valid ? std::min(v.demand, 1.0) : 0;
      vcpu.has_delay = true;
      vcpu.pcpu = v.pcpu;
      vcpu.affinity = v.affinity.Empty() ? online : v.affinity;
      domain.vcpus.push_back(vcpu);
    }
    usage.domains.push_back(domain);
  }
  std::sort(usage.domains.begin(), usage.domains.end(),
            [](const DomainUsage& a, const DomainUsage& b) {
              return a.uuid < b.uuid;
            });
  RecomputeLoads(&usage);
  return usage;
}

inline Usage MakeUsage(int pcpus, const std::vector<DomainSpec>& domains) {
  return MakeUsage(CpuSet::Range(0, pcpus - 1), domains);
}

// One single-vCPU domain per entry, named vm0, vm1, ...
inline std::vector<DomainSpec> OneVcpuEach(const std::vector<VcpuSpec>& v) {
  std::vector<DomainSpec> domains;
  for (size_t i = 0; i < v.size(); ++i) {
    domains.push_back({"vm" + std::to_string(i), {v[i]}});
  }
  return domains;
}

inline void ApplyPins(const std::vector<PinChange>& pins, Usage* usage) {
  std::unordered_map<std::string, DomainUsage*> by_uuid;
  for (DomainUsage& domain : usage->domains) by_uuid[domain.uuid] = &domain;
  for (const PinChange& pin : pins) {
    auto it = by_uuid.find(pin.uuid);
    if (it == by_uuid.end()) continue;
    for (VcpuUsage& vcpu : it->second->vcpus) {
      if (vcpu.index != pin.vcpu) continue;
      vcpu.affinity = CpuSet{pin.to_pcpu};
      vcpu.pcpu = pin.to_pcpu;
    }
  }
  RecomputeLoads(usage);
}

// What the loop does on a host that obeys: the pins take effect in the next
// Usage, and the policy is told they were applied.
inline void ApplyAndCommit(const std::vector<PinChange>& pins, Usage* usage,
                           VcpuPolicyState* state) {
  ApplyPins(pins, usage);
  CommitPins(pins, state);
}

// Demand per pCPU of the valid vCPUs, by where they run.
inline std::vector<double> DemandByPcpu(const Usage& usage) {
  std::vector<double> demand(usage.pcpu_load.size(), 0.0);
  for (const DomainUsage& d : usage.domains) {
    for (const VcpuUsage& v : d.vcpus) {
      if (v.valid && v.pcpu >= 0) demand[v.pcpu] += v.demand;
    }
  }
  return demand;
}

// A one-cell SMT host of `cores` cores, pCPUs 2k and 2k+1 sharing core k.
// Aborts when HostTopology rejects it: that is a fault of this builder, and
// a test silently run without topology would prove nothing.
inline HostTopology SmtHost(int cores) {
  TopologyCell cell;
  cell.id = 0;
  cell.distances[0] = 10;
  std::vector<TopologyCpu> cpus;
  for (int id = 0; id < 2 * cores; ++id) {
    TopologyCpu cpu;
    cpu.id = id;
    cpu.cell = cpu.socket = cpu.die = 0;
    cpu.core_id = id / 2;
    cpu.siblings = CpuSet{id - id % 2, id - id % 2 + 1};
    cpus.push_back(cpu);
  }
  StatusOr<HostTopology> host = HostTopology::Build({cell}, cpus);
  if (!host.ok()) {
    std::fprintf(stderr, "SmtHost(%d): %s\n", cores,
                 host.status().message().c_str());
    std::abort();
  }
  return *host;
}

}  // namespace testing_usage
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_USAGE_BUILDER_H_
