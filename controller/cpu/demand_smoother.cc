#include "controller/cpu/demand_smoother.h"

#include <cmath>
#include <iterator>

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
  // Domains usually come sorted by UUID, as the memory is: then walking
  // both in step finds each domain's history with one comparison, and each
  // insertion goes at the end (a hint, not an assumption).
  auto cursor = memory->begin();
  for (const DomainUsage& domain : usage.domains) {
    auto previous = memory->end();
    if (cursor != memory->end() && cursor->first == domain.uuid) {
      previous = cursor;
    } else {
      previous = memory->find(domain.uuid);
    }
    if (previous != memory->end()) cursor = std::next(previous);
    std::map<int, SmoothedVcpu>& vcpus =
        next.try_emplace(next.end(), domain.uuid)->second;
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
