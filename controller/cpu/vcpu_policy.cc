#include "controller/cpu/vcpu_policy.h"

#include <optional>
#include <string>
#include <utility>

#include "controller/cpu/format.h"
#include "controller/cpu/reading_trust.h"
#include "controller/cpu/vcpu_assessment.h"
#include "controller/cpu/vcpu_gate.h"
#include "controller/cpu/vcpu_plan.h"
#include "controller/cpu/vcpu_thresholds.h"

namespace vmbalance {
namespace {

// A decision on untrusted readings: the Usage's own figures, judged nothing.
VcpuDecision Skipped(const Usage& usage, std::string reason) {
  VcpuDecision decision;
  decision.skipped = true;
  decision.reason = std::move(reason);
  decision.pcpu_demand = usage.pcpu_demand;
  decision.mean = usage.demand_mean;
  decision.stddev = decision.planned_stddev = usage.demand_stddev;
  return decision;
}

// The figures every decision on trusted readings reports.
VcpuDecision Described(const VcpuAssessment& now) {
  VcpuDecision decision;
  decision.pcpu_demand = now.pcpu_demand;
  decision.mean = now.mean;
  decision.stddev = decision.planned_stddev = now.stddev;
  return decision;
}

VcpuDecision Concluded(VcpuDecision decision, VcpuVerdict verdict) {
  decision.balanced = verdict.balanced;
  decision.at_optimum = verdict.at_optimum;
  decision.reason = std::move(verdict.reason);
  return decision;
}

// Why a plan is applied, for the log: its per-pCPU gain when that earns its
// pins, else the vCPUs it places or the cores it frees.
std::string ActReason(const VcpuAssessment& now, const VcpuThresholds& limits,
                      const Plan& plan, bool for_balance) {
  if (for_balance) {
    return FormatReason("imbalanced: std-dev %.3f -> %.3f planned", now.stddev,
                        plan.stddev) +
           FormatReason(", target %.3f", limits.target_stddev);
  }
  if (now.problem.unplaced > 0) {
    return std::to_string(now.problem.unplaced) +
           " vCPU(s) outside the pCPUs they may use";
  }
  return std::to_string(now.crowding.busy_items) +
         " busy vCPU(s) share a core while a core idles";
}

// The decision that applies `plan`. Unpinned vCPUs that stay are pinned
// (config.pin_unpinned) only when the plan is for the per-pCPU balance: its
// sums count on them staying. A plan earned by the cores or by a vCPU to
// place fixes neither with them, and the kernel keeps serving them.
VcpuDecision Act(const VcpuPolicyConfig& config, const Usage& usage,
                 const VcpuAssessment& now, const VcpuThresholds& limits,
                 const Plan& plan, bool for_balance, VcpuDecision decision) {
  decision.pins =
      PinsFor(usage, now.problem, plan, config.pin_unpinned && for_balance);
  decision.migrations = plan.changes;
  decision.planned_stddev = plan.stddev;
  decision.method = plan.method;
  decision.reason = ActReason(now, limits, plan, for_balance) + ", " +
                    std::to_string(decision.migrations) + " moves, " +
                    std::to_string(decision.pins.size()) + " pins (" +
                    plan.method + ")";
  return decision;
}

// SmoothDemand forgets every domain `actionable` carries no vCPUs for; an
// unreadable domain's smoothed demand is kept as it was, to resume from
// (its readings are not folded in: they are not this interval's whole
// picture).
SmoothedDemand SmoothActionable(const VcpuPolicyConfig& config,
                                const Usage& usage, const Usage& actionable,
                                DemandMemory* memory) {
  DemandMemory held;
  for (const DomainUsage& domain : usage.domains) {
    if (domain.read == DomainRead::kComplete) continue;
    auto it = memory->find(domain.uuid);
    if (it != memory->end()) held.insert(*it);
  }
  SmoothedDemand smoothed = SmoothDemand(
      actionable,
      {config.demand_smoothing, config.demand_jump, config.noise_weight},
      memory);
  for (auto& [uuid, vcpus] : held) (*memory)[uuid] = std::move(vcpus);
  return smoothed;
}

// The decision on the vCPUs that may be acted on (`actionable`), with the
// unreadable domains' load held where it sits.
VcpuDecision DecideActionable(const VcpuPolicyConfig& config,
                              const Usage& usage, const Usage& actionable,
                              const HeldVcpus& held, VcpuPolicyState* state) {
  // Trust: untrusted readings touch neither the smoothed demand nor streaks.
  std::string distrust = DistrustReason(config, actionable);
  if (!distrust.empty()) return Skipped(usage, std::move(distrust));

  // Assess.
  const SmoothedDemand smoothed =
      SmoothActionable(config, usage, actionable, &state->demand);
  const VcpuAssessment now =
      Assess(config, actionable, smoothed, held.pcpu_demand, config.fairness);
  state->unknown_streak =
      now.problem.invalid > 0 ? state->unknown_streak + 1 : 0;
  VcpuDecision decision = Described(now);
  decision.vcpus_without_delay = now.problem.without_delay;
  decision.notice = DelayNotice(now.problem, &state->delay_missing);
  if (std::optional<VcpuVerdict> verdict = Unjudgeable(config, now.problem)) {
    return Concluded(std::move(decision), std::move(*verdict));
  }
  const VcpuThresholds limits =
      ForMissingDelay(config, now.problem, ThresholdsFor(config, now));
  decision.target_stddev = limits.target_stddev;
  decision.noise_margin = limits.noise_margin;
  if (std::optional<VcpuVerdict> verdict = JudgeCurrent(config, limits, now)) {
    state->imbalanced_streak = 0;
    return Concluded(std::move(decision), std::move(*verdict));
  }

  // Plan.
  const PlanResult plan =
      PlanVcpuPlacement(config, limits, now.problem, config.topology);
  decision.best_stddev = plan.best_stddev;

  // Gate: worth it, and now?
  if (std::optional<VcpuVerdict> verdict = JudgePlanGain(limits, now, plan)) {
    state->imbalanced_streak = 0;
    return Concluded(std::move(decision), std::move(*verdict));
  }
  if (std::optional<std::string> wait =
          WaitBeforeActing(config, limits, now, state)) {
    decision.reason = std::move(*wait);
    return decision;
  }
  decision = Act(config, actionable, now, limits, plan.chosen,
                 BalanceEarnsPins(limits, now, plan), std::move(decision));
  // A plan without pins (only possible when every minimum gain is 0) has
  // nothing for CommitPins to see: the imbalance counts as answered now.
  if (decision.pins.empty()) state->imbalanced_streak = 0;
  return decision;
}

}  // namespace

VcpuDecision DecideVcpuPins(const VcpuPolicyConfig& config, const Usage& usage,
                            VcpuPolicyState* state) {
  ++state->intervals;
  HeldVcpus held;
  const Usage actionable = ActionableUsage(config, usage, &held);
  VcpuDecision decision =
      DecideActionable(config, usage, actionable, held, state);
  decision.excluded_domains = held.excluded;
  decision.policy_off_domains = held.policy_off;
  if (!held.domains.empty()) {
    decision.reason += "; left alone, unreadable:";
    for (const std::string& name : held.domains) decision.reason += " " + name;
  }
  return decision;
}

void CommitPins(const std::vector<PinChange>& applied, VcpuPolicyState* state) {
  if (applied.empty()) return;
  // The next Usage straddles the old placement: cool down from this call.
  state->last_pins_interval = state->intervals;
  // The imbalance was acted on; a new one must be seen afresh.
  state->imbalanced_streak = 0;
  ++state->actions;
}

}  // namespace vmbalance
