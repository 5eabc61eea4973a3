#include "controller/cpu/vcpu_gate.h"

#include <algorithm>
#include <string>

#include "controller/cpu/core_spread.h"
#include "controller/cpu/format.h"

namespace vmbalance {
namespace {

// An imbalance far above the target counts as urgent only when the guests'
// side confirms it (capacity idles while pinned vCPUs wait), or when it has
// no host figures at all (the per-pCPU rules alone, as before): host load
// stealing CPU makes single readings look urgent too. With host figures
// but too few delay figures, nothing is unambiguous at once.
bool Urgent(const VcpuThresholds& limits, const VcpuAssessment& now) {
  if (now.stddev <= limits.urgent_stddev) return false;
  return !now.guests.host_known || now.guests.stranded;
}

// Whether `plan` earns its pins by the cores alone: it leaves fewer busy
// vCPUs sharing a core while a core idles (CrowdingOf) and costs no more pin
// changes than the core spread of the current placement alone would. A plan
// that also moves vCPUs for a per-pCPU gain too small to earn them is churn;
// unchanged crowding earns nothing.
bool CrowdingFixEarnsPins(const VcpuThresholds& limits,
                          const VcpuAssessment& now, const PlanResult& plan) {
  const PlacementProblem& placement = now.problem.placement;
  const Assignment& current = placement.current;
  const Assignment& planned = plan.chosen.assignment;
  if (planned.size() != current.size()) return false;
  const int before = now.crowding.busy_items;
  if (before == 0 || CrowdingOf(now, planned).busy_items >= before) {
    return false;
  }
  Assignment fix = current;
  SpreadCores(placement, now.topology,
              std::max(now.stddev, limits.target_stddev), &fix);
  return CountChanges(placement, planned) <= CountChanges(placement, fix);
}

// The verdict on the per-pCPU gain alone: nullopt when it earns the pins.
std::optional<VcpuVerdict> JudgeBalanceGain(const VcpuThresholds& limits,
                                            const VcpuAssessment& now,
                                            const PlanResult& plan) {
  const bool reachable = plan.chosen.stddev <= limits.target_stddev;
  if (!reachable && now.stddev - plan.best_stddev < limits.min_gain) {
    return VcpuVerdict{
        true, true,
        FormatReason(
            "best reachable: std-dev %.3f, nothing reachable better than %.3f",
            now.stddev, plan.best_stddev)};
  }
  if (reachable && now.stddev - plan.chosen.stddev < limits.min_gain) {
    return VcpuVerdict{
        true, true,
        FormatReason("within noise: std-dev %.3f, a plan would only reach %.3f",
                     now.stddev, plan.chosen.stddev)};
  }
  return std::nullopt;
}

}  // namespace

std::optional<VcpuVerdict> JudgePlanGain(const VcpuThresholds& limits,
                                         const VcpuAssessment& now,
                                         const PlanResult& plan) {
  if (now.problem.unplaced > 0) return std::nullopt;
  std::optional<VcpuVerdict> verdict = JudgeBalanceGain(limits, now, plan);
  if (verdict && CrowdingFixEarnsPins(limits, now, plan)) return std::nullopt;
  return verdict;
}

bool BalanceEarnsPins(const VcpuThresholds& limits, const VcpuAssessment& now,
                      const PlanResult& plan) {
  return !JudgeBalanceGain(limits, now, plan).has_value();
}

bool CoolingDown(const VcpuPolicyConfig& config, const VcpuPolicyState& state) {
  return state.last_pins_interval > 0 &&
         state.intervals - state.last_pins_interval <=
             config.cooldown_intervals;
}

std::optional<std::string> WaitBeforeActing(const VcpuPolicyConfig& config,
                                            const VcpuThresholds& limits,
                                            const VcpuAssessment& now,
                                            VcpuPolicyState* state) {
  if (CoolingDown(config, *state)) {
    return FormatReason("cooling down after pins: std-dev %.3f, target %.3f",
                        now.stddev, limits.target_stddev);
  }
  if (now.problem.invalid > 0 &&
      state->unknown_streak <= config.unknown_wait_intervals) {
    return "imbalanced, but " + std::to_string(now.problem.invalid) +
           " vCPU(s) have no reading yet: waiting for them";
  }
  ++state->imbalanced_streak;
  const bool urgent = now.problem.unplaced > 0 || Urgent(limits, now);
  if (!urgent && state->imbalanced_streak < config.imbalanced_intervals) {
    const int crowded = now.crowding.busy_items;
    if (crowded > 0 && now.stddev <= limits.target_stddev) {
      return std::to_string(crowded) +
             " busy vCPU(s) share a core while a core idles, waiting to see "
             "it again";
    }
    return FormatReason(
        "imbalanced (std-dev %.3f > %.3f), waiting to see it "
        "again",
        now.stddev, limits.target_stddev);
  }
  return std::nullopt;
}

}  // namespace vmbalance
