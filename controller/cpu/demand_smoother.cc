#include "controller/cpu/demand_smoother.h"

#include <cmath>

namespace vmbalance {

std::vector<std::vector<double>> SmoothDemand(const Usage& usage, double weight,
                                              double jump,
                                              DemandMemory* memory) {
  DemandMemory next;
  std::vector<std::vector<double>> out;
  out.reserve(usage.domains.size());
  for (const DomainUsage& domain : usage.domains) {
    auto previous = memory->find(domain.uuid);
    std::map<int, SmoothedVcpu>& vcpus = next[domain.uuid];
    std::vector<double>& demands = out.emplace_back();
    for (const VcpuUsage& vcpu : domain.vcpus) {
      SmoothedVcpu& smoothed = vcpus[vcpu.index];
      if (!vcpu.valid) {
        demands.push_back(0);
        continue;  // stays unknown: the next valid reading starts afresh
      }
      smoothed.known = true;
      smoothed.demand = vcpu.demand;
      if (previous != memory->end()) {
        auto old = previous->second.find(vcpu.index);
        if (old != previous->second.end() && old->second.known &&
            std::fabs(vcpu.demand - old->second.demand) <= jump) {
          smoothed.demand =
              weight * vcpu.demand + (1 - weight) * old->second.demand;
        }
      }
      demands.push_back(smoothed.demand);
    }
  }
  *memory = std::move(next);
  return out;
}

}  // namespace vmbalance
