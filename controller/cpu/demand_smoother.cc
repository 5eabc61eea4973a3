#include "controller/cpu/demand_smoother.h"

#include <cmath>

namespace vmbalance {

std::vector<std::vector<double>> SmoothDemand(
    const Usage& usage, double weight, double jump, DemandMemory* memory,
    std::vector<std::vector<double>>* noise_variance) {
  // Share of the newest squared gap in the noise estimate: slower than the
  // demand average, so a few quiet readings do not talk the noise down.
  constexpr double kNoiseWeight = 0.3;
  if (noise_variance != nullptr) noise_variance->clear();
  DemandMemory next;
  std::vector<std::vector<double>> out;
  out.reserve(usage.domains.size());
  for (const DomainUsage& domain : usage.domains) {
    auto previous = memory->find(domain.uuid);
    std::map<int, SmoothedVcpu>& vcpus = next[domain.uuid];
    std::vector<double>& demands = out.emplace_back();
    std::vector<double>* variances =
        noise_variance != nullptr ? &noise_variance->emplace_back() : nullptr;
    for (const VcpuUsage& vcpu : domain.vcpus) {
      SmoothedVcpu& smoothed = vcpus[vcpu.index];
      if (!vcpu.valid) {
        demands.push_back(0);
        if (variances != nullptr) variances->push_back(0);
        continue;  // stays unknown: the next valid reading starts afresh
      }
      smoothed.known = true;
      smoothed.demand = vcpu.demand;
      if (previous != memory->end()) {
        auto old = previous->second.find(vcpu.index);
        if (old != previous->second.end() && old->second.known) {
          const double gap = vcpu.demand - old->second.demand;
          smoothed.noise_variance = old->second.noise_variance;
          if (std::fabs(gap) <= jump) {
            smoothed.demand =
                weight * vcpu.demand + (1 - weight) * old->second.demand;
            smoothed.noise_variance =
                kNoiseWeight * gap * gap +
                (1 - kNoiseWeight) * smoothed.noise_variance;
          }
        }
      }
      demands.push_back(smoothed.demand);
      if (variances != nullptr) variances->push_back(smoothed.noise_variance);
    }
  }
  *memory = std::move(next);
  return out;
}

}  // namespace vmbalance
