#include "controller/cpu/demand_smoother.h"

#include <cmath>

namespace vmbalance {
namespace {

// The vCPU's state after `reading`, given its state before (null when it
// had none).
SmoothedVcpu Fold(double reading, const SmoothedVcpu* before,
                  const DemandSmoothing& options) {
  SmoothedVcpu after;
  after.known = true;
  after.demand = reading;
  if (before == nullptr || !before->known) return after;
  const double gap = reading - before->demand;
  after.noise_variance = before->noise_variance;
  if (std::fabs(gap) <= options.jump) {
    after.demand =
        options.weight * reading + (1 - options.weight) * before->demand;
    after.noise_variance = options.noise_weight * gap * gap +
                           (1 - options.noise_weight) * before->noise_variance;
  }
  return after;
}

}  // namespace

SmoothedDemand SmoothDemand(const Usage& usage, const DemandSmoothing& options,
                            DemandMemory* memory) {
  DemandMemory next;
  SmoothedDemand out;
  out.demand.reserve(usage.domains.size());
  out.noise_variance.reserve(usage.domains.size());
  for (const DomainUsage& domain : usage.domains) {
    const auto previous = memory->find(domain.uuid);
    std::map<int, SmoothedVcpu>& vcpus = next[domain.uuid];
    std::vector<double>& demands = out.demand.emplace_back();
    std::vector<double>& variances = out.noise_variance.emplace_back();
    for (const VcpuUsage& vcpu : domain.vcpus) {
      SmoothedVcpu& smoothed = vcpus[vcpu.index];
      if (!vcpu.valid) {
        // Stays unknown: the next valid reading starts afresh.
        demands.push_back(0);
        variances.push_back(0);
        continue;
      }
      const SmoothedVcpu* before = nullptr;
      if (previous != memory->end()) {
        const auto old = previous->second.find(vcpu.index);
        if (old != previous->second.end()) before = &old->second;
      }
      smoothed = Fold(vcpu.demand, before, options);
      demands.push_back(smoothed.demand);
      variances.push_back(smoothed.noise_variance);
    }
  }
  *memory = std::move(next);
  return out;
}

}  // namespace vmbalance
