// Phase 4 of a vCPU decision, gate: is the plan worth its pins (its gain
// against what noise can explain), and is now the time (cooldown after
// applied pins, vCPUs still unread, a second imbalanced reading unless the
// imbalance is urgent: far above the target and, where the guests' side is
// known, capacity idling while pinned vCPUs wait). Pure but for the
// imbalanced streak it counts.
#ifndef VMBALANCE_CONTROLLER_CPU_VCPU_GATE_H_
#define VMBALANCE_CONTROLLER_CPU_VCPU_GATE_H_

#include <optional>
#include <string>

#include "controller/cpu/planner.h"
#include "controller/cpu/vcpu_assessment.h"
#include "controller/cpu/vcpu_policy.h"
#include "controller/cpu/vcpu_thresholds.h"
#include "controller/cpu/vcpu_verdict.h"

namespace vmbalance {

// nullopt when `plan` lowers the std-dev by at least limits.min_gain, or
// leaves fewer busy vCPUs sharing a core while a core idles (CrowdingOf)
// for no more pin changes than that fix alone costs, or a vCPU must be
// placed; otherwise the verdict that the current placement is the best
// reachable.
std::optional<VcpuVerdict> JudgePlanGain(const VcpuThresholds& limits,
                                         const VcpuAssessment& now,
                                         const PlanResult& plan);

// True when the plan's per-pCPU gain alone earns its pins (JudgePlanGain
// may also let a plan through for the cores or a vCPU to place).
bool BalanceEarnsPins(const VcpuThresholds& limits, const VcpuAssessment& now,
                      const PlanResult& plan);

// True while the pins last applied (CommitPins) are within the cooldown:
// this interval's Usage may still straddle the old placement.
bool CoolingDown(const VcpuPolicyConfig& config, const VcpuPolicyState& state);

// Why to hold a worthwhile plan back this interval (one line for the log),
// or nullopt to act now. Counts this interval into state->imbalanced_streak
// once neither the cooldown nor unread vCPUs hold it back.
std::optional<std::string> WaitBeforeActing(const VcpuPolicyConfig& config,
                                            const VcpuThresholds& limits,
                                            const VcpuAssessment& now,
                                            VcpuPolicyState* state);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_VCPU_GATE_H_
