// Phase 3 of a vCPU decision, plan: search for a placement that reaches the
// aim with the fewest pin changes (planner.h), spread busy vCPUs over cores
// before SMT threads (core_spread.h), and turn it into pins. Pure.
#ifndef VMBALANCE_CONTROLLER_CPU_VCPU_PLAN_H_
#define VMBALANCE_CONTROLLER_CPU_VCPU_PLAN_H_

#include <optional>
#include <string>
#include <vector>

#include "controller/cpu/planner.h"
#include "controller/cpu/topology_config.h"
#include "controller/cpu/vcpu_policy.h"
#include "controller/cpu/vcpu_problem.h"
#include "controller/cpu/vcpu_thresholds.h"
#include "exporter/core/usage.h"

namespace vmbalance {

// The planner's options for this decision: aim and target from `limits`,
// search limits from `config`.
PlanOptions PlanOptionsFor(const VcpuPolicyConfig& config,
                           const VcpuThresholds& limits);

// The planner's plan, then the core pass: busy vCPUs that share a core while
// a core they may use idles are spread, keeping the std-dev at or below the
// larger of the plan's and the threshold it had to reach. When that plan
// gains less than limits.min_gain on the per-pCPU balance, the spread of
// the current placement alone if it needs fewer changes (method
// "current+cores"): the cores are then all the plan can earn its pins by.
// On a flat host (no bin_core) the planner's plan as it is.
PlanResult PlanVcpuPlacement(const VcpuPolicyConfig& config,
                             const VcpuThresholds& limits,
                             const VcpuProblem& problem,
                             const TopologyConfig& topology = TopologyConfig());

// Why `assignment` (e.g. the current placement) is not balanced per core:
// "pCPU 3 shares a core with another busy vCPU while the core of pCPU 10
// idles (2 such vCPUs)"; nullopt when no busy vCPU could move to an idle core.
std::optional<std::string> CoreCrowdingReason(const TopologyConfig& topology,
                                              const VcpuProblem& problem,
                                              const Assignment& assignment);

// The pins that turn the current placement into `plan`: one per vCPU that
// moves, and with `pin_unpinned` one for each unpinned vCPU that stays
// (pinned where it runs).
std::vector<PinChange> PinsFor(const Usage& usage, const VcpuProblem& problem,
                               const Plan& plan, bool pin_unpinned);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_VCPU_PLAN_H_
