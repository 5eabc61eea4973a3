// Phase 2 of a vCPU decision, assess: the current placement seen through the
// smoothed demand (per-pCPU demand, mean, std-dev, measured noise) and from
// the guests' side (guest_fairness.h), and whether it can be judged and
// already is good enough. Pure.
#ifndef VMBALANCE_CONTROLLER_CPU_VCPU_ASSESSMENT_H_
#define VMBALANCE_CONTROLLER_CPU_VCPU_ASSESSMENT_H_

#include <optional>
#include <vector>

#include "controller/cpu/core_spread.h"
#include "controller/cpu/demand_smoother.h"
#include "controller/cpu/fairness_config.h"
#include "controller/cpu/guest_fairness.h"
#include "controller/cpu/topology_config.h"
#include "controller/cpu/vcpu_policy_config.h"
#include "controller/cpu/vcpu_problem.h"
#include "controller/cpu/vcpu_thresholds.h"
#include "controller/cpu/vcpu_verdict.h"
#include "exporter/core/usage.h"

namespace vmbalance {

struct VcpuAssessment {
  VcpuProblem problem;  // usable pCPUs as bins, movable vCPUs as items
  // Indexed by pCPU: the demand of the vCPUs placed there now (0 for pCPUs
  // that are not usable).
  std::vector<double> pcpu_demand;
  double mean = 0, stddev = 0;  // of that demand over the usable pCPUs
  double placed_mean = 0;       // once every vCPU is placed: fixes the target
  // Typical measured noise of one pCPU's demand: the root mean over pCPUs of
  // the summed noise variances of the vCPUs placed there now.
  double pcpu_noise = 0;
  // How far this interval's pCPU demands are likely off because each
  // domain's read window differs from the interval (Usage::window_skew).
  double window_margin = 0;
  // The same placement as the guests feel it this interval (raw readings:
  // run time, wait and the host's idle time are one window's facts).
  GuestFairness guests;
  // The core rules it was judged by (VcpuPolicyConfig::topology), for the
  // gate to judge a plan alike.
  TopologyConfig topology;
  // Per item: whether its current pCPU is a fact the core rules may act on
  // (PlacementKnown in vcpu_assessment.cc): pinned vCPUs always, floating
  // ones only when the guests' side shows the kernel is not serving them.
  std::vector<bool> placement_known;
  // CrowdingOf the current placement, found once: the judgement, the wait
  // before acting and the gate all read it.
  CoreCrowding crowding;
};

// `held_pcpu_demand` (indexed by pCPU, may be empty) is load that sits on
// its pCPU and cannot move (HeldVcpus in reading_trust.h): it counts in the
// pCPU demand and the balance, and the plan works around it. `fairness`
// sets the guests'-side judgement.
VcpuAssessment Assess(const VcpuPolicyConfig& config, const Usage& usage,
                      const SmoothedDemand& smoothed,
                      const std::vector<double>& held_pcpu_demand = {},
                      const FairnessConfig& fairness = FairnessConfig());

// The thresholds for this assessment (ComputeThresholds on its figures).
VcpuThresholds ThresholdsFor(const VcpuPolicyConfig& config,
                             const VcpuAssessment& now);

// Why the placement cannot be judged (no usable pCPU, nothing to place, too
// few valid readings), or nullopt when it can.
std::optional<VcpuVerdict> Unjudgeable(const VcpuPolicyConfig& config,
                                       const VcpuProblem& problem);

// Busy vCPUs sharing a core while a core they may use idles (core_spread.h)
// under `assignment`, counting only the vCPUs whose pCPU there is a fact:
// those with placement_known, and those `assignment` moves (a moved vCPU
// is pinned).
CoreCrowding CrowdingOf(const VcpuAssessment& now,
                        const Assignment& assignment);

// Whether the current placement is good enough without a plan: within the
// target, within noise of it, every vCPU floating and the kernel serving
// them fairly (do no harm: their per-pCPU sums only say where each last
// ran, and a pin cannot serve them better), or an idle host. nullopt when
// it is not: a vCPU sits outside the usable pCPUs and must be placed, or
// busy vCPUs share a core while a core idles (VcpuAssessment::crowding),
// which no per-pCPU figure shows.
std::optional<VcpuVerdict> JudgeCurrent(const VcpuPolicyConfig& config,
                                        const VcpuThresholds& limits,
                                        const VcpuAssessment& now);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_VCPU_ASSESSMENT_H_
