#include "controller/cpu/vcpu_problem.h"

#include <vector>

#include "controller/cpu/topology_problem.h"

namespace vmbalance {

CpuSet UsablePcpus(const Usage& usage, const CpuSet& allowed) {
  return allowed.Empty() ? usage.online_pcpus
                         : usage.online_pcpus.Intersection(allowed);
}

VcpuProblem BuildVcpuProblem(const Usage& usage, const CpuSet& usable,
                             const std::vector<std::vector<double>>& demand) {
  VcpuProblem problem;
  problem.bin_pcpu = usable.ToVector();
  // pCPU number -> bin, -1 where unusable: an array, pCPU numbers are dense.
  std::vector<int> bin_of(
      problem.bin_pcpu.empty() ? 0 : problem.bin_pcpu.back() + 1, -1);
  for (size_t b = 0; b < problem.bin_pcpu.size(); ++b) {
    bin_of[problem.bin_pcpu[b]] = static_cast<int>(b);
  }
  auto bin_for = [&](int pcpu) {
    return pcpu >= 0 && pcpu < static_cast<int>(bin_of.size()) ? bin_of[pcpu]
                                                               : -1;
  };
  PlacementProblem& placement = problem.placement;
  // Unreadable vCPUs add nothing: their demand is unknown, not zero, but
  // guessing would be acting on data we do not have.
  placement.base_load.assign(problem.bin_pcpu.size(), 0.0);
  for (size_t d = 0; d < usage.domains.size(); ++d) {
    const DomainUsage& domain = usage.domains[d];
    for (size_t v = 0; v < domain.vcpus.size(); ++v) {
      const VcpuUsage& vcpu = domain.vcpus[v];
      // An empty affinity means the host did not say: it may run anywhere.
      // One pCPU (the usual case once pinned) is checked without a new set.
      const int width = vcpu.affinity.Size();
      const bool reaches =
          width == 0
              ? !problem.bin_pcpu.empty()
              : (width == 1 ? bin_for(vcpu.affinity.First()) >= 0
                            : !vcpu.affinity.Intersection(usable).Empty());
      if (!reaches) continue;  // not ours to place
      ++problem.managed;
      if (!vcpu.valid) {
        ++problem.invalid;
        continue;
      }
      VcpuRef ref;
      ref.domain = static_cast<int>(d);
      ref.vcpu = static_cast<int>(v);
      ref.pinned = width == 1;
      const int current =
          ref.pinned ? bin_for(vcpu.affinity.First()) : bin_for(vcpu.pcpu);
      if (current < 0) ++problem.unplaced;
      placement.current.push_back(current);
      placement.demand.push_back(demand[d][v]);
      placement.group.push_back(static_cast<int>(d));
      problem.items.push_back(ref);
    }
  }
  AddTopology(usage, &problem);
  return problem;
}

}  // namespace vmbalance
