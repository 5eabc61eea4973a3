#include "controller/cpu/vcpu_plan.h"

#include <algorithm>
#include <utility>

#include "controller/cpu/core_spread.h"

namespace vmbalance {

PlanOptions PlanOptionsFor(const VcpuPolicyConfig& config,
                           const VcpuThresholds& limits) {
  PlanOptions options;
  options.aim_stddev = limits.aim_stddev;
  options.target_stddev = limits.target_stddev;
  options.optimum_tolerance = config.optimum_tolerance;
  options.search.candidate_bins = config.candidate_bins;
  options.search.full_scan = config.search_full_scan;
  options.search.neighbours = config.search_neighbours;
  options.search.swap_samples = config.search_swap_samples;
  options.sticky_slacks = config.sticky_slacks;
  options.exact_budget = config.exact_budget;
  return options;
}

namespace {

// The core spread of the current placement alone, when it costs fewer
// changes than `plan` and `plan` gains less than limits.min_gain on the
// per-pCPU balance: the gate holds such a plan back on the balance, and its
// pins can then only be earned by the cores, at no more than what fixing
// them alone costs (JudgePlanGain). nullopt otherwise.
std::optional<Plan> CoresAlone(const PlacementProblem& placement,
                               const TopologyConfig& topology,
                               const VcpuThresholds& limits,
                               const PlanResult& result) {
  const Plan& plan = result.chosen;
  if (result.start_stddev - plan.stddev >= limits.min_gain) return std::nullopt;
  // A vCPU to place or to move into its allowed pCPUs: the planner's job.
  if (!Respects(placement, placement.current)) return std::nullopt;
  Plan fix{placement.current, result.start_stddev, 0, "current+cores"};
  SpreadCores(placement, topology,
              std::max(result.start_stddev, limits.target_stddev),
              &fix.assignment);
  fix.changes = CountChanges(placement, fix.assignment);
  if (fix.changes == 0 || fix.changes >= plan.changes) return std::nullopt;
  fix.stddev = StddevOf(BinLoads(placement, fix.assignment));
  return fix;
}

}  // namespace

PlanResult PlanVcpuPlacement(const VcpuPolicyConfig& config,
                             const VcpuThresholds& limits,
                             const VcpuProblem& problem,
                             const TopologyConfig& topology) {
  const PlacementProblem& placement = problem.placement;
  PlanResult result = PlanPlacement(placement, PlanOptionsFor(config, limits));
  if (placement.bin_core.empty()) return result;
  Plan& plan = result.chosen;
  const CoreSpreadResult spread =
      SpreadCores(placement, topology, std::max(plan.stddev, result.threshold),
                  &plan.assignment);
  if (spread.steps == 0) return result;
  plan.stddev = StddevOf(BinLoads(placement, plan.assignment));
  plan.changes = CountChanges(placement, plan.assignment);
  plan.method += "+cores";
  if (std::optional<Plan> alone =
          CoresAlone(placement, topology, limits, result)) {
    plan = std::move(*alone);
  }
  return result;
}

std::optional<std::string> CoreCrowdingReason(const TopologyConfig& topology,
                                              const VcpuProblem& problem,
                                              const Assignment& assignment) {
  const CoreCrowding crowding =
      FindCoreCrowding(problem.placement, assignment, topology);
  if (!crowding.crowded()) return std::nullopt;
  return "pCPU " + std::to_string(problem.bin_pcpu[crowding.crowded_bin]) +
         " shares a core with another busy vCPU while the core of pCPU " +
         std::to_string(problem.bin_pcpu[crowding.idle_bin]) + " idles (" +
         std::to_string(crowding.busy_items) + " such vCPUs)";
}

std::vector<PinChange> PinsFor(const Usage& usage, const VcpuProblem& problem,
                               const Plan& plan, bool pin_unpinned) {
  std::vector<PinChange> pins;
  for (size_t i = 0; i < problem.items.size(); ++i) {
    const VcpuRef& ref = problem.items[i];
    const int bin = plan.assignment[i];
    const bool moves = bin != problem.placement.current[i];
    if (!moves && (ref.pinned || !pin_unpinned)) continue;
    const DomainUsage& domain = usage.domains[ref.domain];
    const VcpuUsage& vcpu = domain.vcpus[ref.vcpu];
    PinChange pin;
    pin.uuid = domain.uuid;
    pin.domain = domain.name;
    pin.vcpu = vcpu.index;
    pin.from = vcpu.affinity;
    pin.to_pcpu = problem.bin_pcpu[bin];
    pins.push_back(std::move(pin));
  }
  return pins;
}

}  // namespace vmbalance
