// Phase 3 of a vCPU decision, plan: search for a placement that reaches the
// aim with the fewest pin changes (planner.h), and turn it into pins. Pure.
#ifndef VMBALANCE_CONTROLLER_CPU_VCPU_PLAN_H_
#define VMBALANCE_CONTROLLER_CPU_VCPU_PLAN_H_

#include <vector>

#include "controller/cpu/planner.h"
#include "controller/cpu/vcpu_policy.h"
#include "controller/cpu/vcpu_problem.h"
#include "controller/cpu/vcpu_thresholds.h"
#include "exporter/core/usage.h"

namespace vmbalance {

// The planner's options for this decision: aim and target from `limits`,
// search limits from `config`.
PlanOptions PlanOptionsFor(const VcpuPolicyConfig& config,
                           const VcpuThresholds& limits);

PlanResult PlanVcpuPlacement(const VcpuPolicyConfig& config,
                             const VcpuThresholds& limits,
                             const VcpuProblem& problem);

// The pins that turn the current placement into `plan`: one per vCPU that
// moves, and with `pin_unpinned` one for each unpinned vCPU that stays
// (pinned where it runs).
std::vector<PinChange> PinsFor(const Usage& usage, const VcpuProblem& problem,
                               const Plan& plan, bool pin_unpinned);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_VCPU_PLAN_H_
