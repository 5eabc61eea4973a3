#include "controller/cpu/vcpu_problem.h"

#include <algorithm>
#include <vector>

#include "controller/cpu/topology_problem.h"

namespace vmbalance {
namespace {

// pCPU number -> bin, -1 where unusable: an array, pCPU numbers are dense.
class BinIndex {
 public:
  explicit BinIndex(const std::vector<int>& bin_pcpu)
      : bin_of_(bin_pcpu.empty() ? 0 : bin_pcpu.back() + 1, -1) {
    for (size_t b = 0; b < bin_pcpu.size(); ++b) {
      bin_of_[bin_pcpu[b]] = static_cast<int>(b);
    }
  }
  int operator()(int pcpu) const {
    return pcpu >= 0 && pcpu < static_cast<int>(bin_of_.size()) ? bin_of_[pcpu]
                                                                : -1;
  }

 private:
  std::vector<int> bin_of_;
};

// Whether the policy may place a vCPU with this live affinity (see the
// header): within the usable pCPUs, or floating while nothing narrows them.
bool Manages(const CpuSet& affinity, const CpuSet& usable, bool narrowed,
             const BinIndex& bin_for, bool any_bins) {
  const int width = affinity.Size();
  if (width == 0) return any_bins;  // the host did not say: anywhere
  if (width == 1) return bin_for(affinity.First()) >= 0;
  if (!narrowed) return !affinity.Intersection(usable).Empty();
  return affinity.Intersection(usable) == affinity;
}

// Bins of `pcpus` (an operator's set) among the usable ones, ascending; an
// empty list when that is every bin.
std::vector<int> AllowedBins(const CpuSet& pcpus, const CpuSet& usable,
                             const BinIndex& bin_for, int bins) {
  std::vector<int> allowed;
  for (int pcpu : pcpus.Intersection(usable).ToVector()) {
    allowed.push_back(bin_for(pcpu));
  }
  if (static_cast<int>(allowed.size()) == bins) allowed.clear();
  return allowed;
}

// Each bin's host load: busy time not explained by the vCPUs attributed
// there, less the floor, never negative; 0 where the busy time is unknown.
std::vector<double> HostLoad(const Usage& usage,
                             const std::vector<int>& bin_pcpu, double floor) {
  std::vector<double> host(bin_pcpu.size(), 0.0);
  for (size_t b = 0; b < bin_pcpu.size(); ++b) {
    const int pcpu = bin_pcpu[b];
    if (pcpu >= static_cast<int>(usage.pcpu_busy_ratio.size())) continue;
    const double guests = pcpu < static_cast<int>(usage.pcpu_load.size())
                              ? usage.pcpu_load[pcpu]
                              : 0.0;
    host[b] = std::max(0.0, usage.pcpu_busy_ratio[pcpu] - guests - floor);
  }
  return host;
}

}  // namespace

CpuSet UsablePcpus(const Usage& usage, const CpuSet& allowed) {
  return allowed.Empty() ? usage.online_pcpus
                         : usage.online_pcpus.Intersection(allowed);
}

std::optional<CpuSet> OperatorSet(const Usage& usage, const DomainUsage& domain,
                                  const VcpuUsage& vcpu) {
  std::optional<CpuSet> configured;
  if (domain.config)
    configured = domain.config->placement.AllowedFor(vcpu.index);
  const CpuSet& live = vcpu.affinity;
  const bool live_restricted =
      live.Size() > 1 &&
      live.Intersection(usage.online_pcpus) != usage.online_pcpus;
  if (!live_restricted) return configured;
  if (!configured) return live;
  const CpuSet both = configured->Intersection(live);
  return both.Empty() ? configured : both;
}

VcpuProblem BuildVcpuProblem(const Usage& usage, const CpuSet& usable,
                             const std::vector<std::vector<double>>& demand,
                             const VcpuPolicyConfig& config) {
  VcpuProblem problem;
  problem.bin_pcpu = usable.ToVector();
  const BinIndex bin_for(problem.bin_pcpu);
  const int bins = static_cast<int>(problem.bin_pcpu.size());
  const bool narrowed = usable != usage.online_pcpus;
  PlacementProblem& placement = problem.placement;
  placement.base_load =
      HostLoad(usage, problem.bin_pcpu, config.host_load_floor);
  for (double load : placement.base_load) problem.host_load += load;
  // Load nobody moves, where it runs. Unreadable vCPUs add nothing: their
  // demand is unknown, not zero, but guessing would be acting on data we do
  // not have.
  auto hold = [&](const VcpuUsage& vcpu, double load) {
    const int bin =
        bin_for(vcpu.affinity.Size() == 1 ? vcpu.affinity.First() : vcpu.pcpu);
    if (vcpu.valid && bin >= 0) placement.base_load[bin] += load;
  };
  for (size_t d = 0; d < usage.domains.size(); ++d) {
    const DomainUsage& domain = usage.domains[d];
    for (size_t v = 0; v < domain.vcpus.size(); ++v) {
      const VcpuUsage& vcpu = domain.vcpus[v];
      const std::optional<CpuSet> operator_set =
          OperatorSet(usage, domain, vcpu);
      std::vector<int> allowed;
      if (operator_set) {
        allowed = AllowedBins(*operator_set, usable, bin_for, bins);
        const bool none =
            allowed.empty() && operator_set->Intersection(usable).Empty();
        // Held on one pCPU by the operator: fixed load, unless vmbalance's
        // own earlier pin put it elsewhere (then it must go back).
        const bool fixed =
            operator_set->Size() == 1 && vcpu.affinity == *operator_set;
        if (fixed) ++problem.fixed;
        if (none || fixed) {
          hold(vcpu, demand[d][v]);
          continue;
        }
      }
      if (!Manages(vcpu.affinity, usable, narrowed, bin_for, bins > 0)) {
        hold(vcpu, demand[d][v]);
        continue;
      }
      ++problem.managed;
      if (!vcpu.valid) {
        ++problem.invalid;
        continue;
      }
      VcpuRef ref;
      ref.domain = static_cast<int>(d);
      ref.vcpu = static_cast<int>(v);
      ref.pinned = vcpu.affinity.Size() == 1;
      const int current =
          ref.pinned ? bin_for(vcpu.affinity.First()) : bin_for(vcpu.pcpu);
      if (!allowed.empty()) {
        ++problem.constrained;
        placement.allowed.resize(problem.items.size());
        placement.allowed.push_back(std::move(allowed));
      } else if (!placement.allowed.empty()) {
        placement.allowed.emplace_back();
      }
      if (!vcpu.has_delay) ++problem.without_delay;
      placement.current.push_back(current);
      placement.demand.push_back(demand[d][v]);
      placement.group.push_back(static_cast<int>(d));
      problem.items.push_back(ref);
    }
  }
  // `allowed` is empty while no item is restricted, else one list per item.
  if (!placement.allowed.empty())
    placement.allowed.resize(problem.items.size());
  problem.cells = AddTopology(usage, &problem, config.topology);
  // Counted once every rule has added its constraints: a vCPU outside the
  // usable pCPUs, its operator's set or its guest's NUMA cells (e.g. bound
  // by <numatune> alone, started by the kernel in another cell) must move,
  // balanced or not.
  for (int i = 0; i < problem.placement.items(); ++i) {
    if (!CurrentAllowed(problem.placement, i)) ++problem.unplaced;
  }
  return problem;
}

}  // namespace vmbalance
