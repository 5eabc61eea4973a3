// The memory coordinator's policy: a pure function from (config, previous
// state, one Sample) to balloon changes, and CommitBalloons, which records
// the changes the actuator really applied. No libvirt, clocks or metrics; the
// caller owns the state and applies the changes. Not thread-safe per state.
//
// One decision runs in phases (each in its own file, with its own tests):
// observe (guest_views.h: need, pressure, each guest's unbacked grant), host
// budget (host_budget.h: available less reserve less Σ unbacked), grant
// (grant.h), reclaim, reclaim for a starving guest and release idle
// (reclaim.h), emit (target_plan.h), all
// sharing one MemoryThresholds (memory_thresholds.h) computed once per
// decision.
#ifndef VMBALANCE_CONTROLLER_MEMORY_MEMORY_POLICY_H_
#define VMBALANCE_CONTROLLER_MEMORY_MEMORY_POLICY_H_

#include <cstdint>
#include <map>
#include <vector>

#include "controller/memory/guest_memory_history.h"
#include "controller/memory/memory_decision.h"
#include "controller/memory/memory_policy_config.h"
#include "exporter/core/sample.h"

namespace vmbalance {

// Carried between calls. Start with a default-constructed one.
struct MemoryPolicyState {
  int64_t tick = 0;  // number of decisions made
  int64_t prev_monotonic_ns = 0;
  int64_t prev_wall_time_s = 0;
  double interval_s = 0;  // last measured interval between samples
  std::map<DomainKey, GuestMemoryHistory> guests;
};

// Decides this interval's balloon targets. Updates only what it observed in
// *state (interval, per-guest reports and rates, in-flight targets reached
// or timed out, guests gone); what it decides enters the state only through
// CommitBalloons.
MemoryDecision DecideBalloons(const MemoryPolicyConfig& config,
                              const Sample& sample, MemoryPolicyState* state);

// Records the changes the actuator really applied as in-flight targets: the
// only way a target enters the state. Refused or dry-run changes are never
// passed here, so they leave the state as it was.
void CommitBalloons(const std::vector<BalloonChange>& applied,
                    MemoryPolicyState* state);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_MEMORY_MEMORY_POLICY_H_
