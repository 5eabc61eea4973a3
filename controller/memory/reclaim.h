// The shrink phases of a memory decision: reclaim (memory the host or the
// unmet grants need back, from the guests that can best spare it) and release
// idle (a bounded step off any calm guest above the high mark). Pure.
#ifndef VMBALANCE_CONTROLLER_MEMORY_RECLAIM_H_
#define VMBALANCE_CONTROLLER_MEMORY_RECLAIM_H_

#include <cstdint>
#include <vector>

#include "controller/memory/guest_views.h"
#include "controller/memory/memory_policy_config.h"
#include "controller/memory/memory_thresholds.h"
#include "controller/memory/target_plan.h"

namespace vmbalance {

// Not consuming, not heading anywhere, not grown lately, and watched long
// enough to know it: a guest that may be shrunk when the host is not short.
bool IsCalm(const MemoryPolicyConfig& config, const GuestView& view,
            int64_t tick);

// The lowest target a shrink may set: use, plus the unused it keeps (the low
// mark + one minimum change when squeezed for the host, else the aimed
// unused), plus what it will use before the next decision.
uint64_t ShrinkFloorKib(const MemoryThresholds& limits, const GuestView& view,
                        bool squeeze);

// from_kib lowered by at most step_cap_kib, never below lower_kib nor the
// guest floor; from_kib itself when that moves less than min_change_kib.
uint64_t ShrinkStep(const MemoryPolicyConfig& config, uint64_t from_kib,
                    uint64_t lower_kib, uint64_t step_cap_kib);

struct ShrinkResult {
  TargetPlan plan;
  uint64_t reclaimed_kib = 0;
};

// Takes needed_kib back (not much more) from guests not granted memory in
// `plan`, most to spare first. Under pressure every such guest may give,
// down to the squeeze floor, a pressure_shrink_fraction step; otherwise only
// calm ones, down to the aimed unused, a max_shrink_fraction step.
ShrinkResult Reclaim(const MemoryPolicyConfig& config,
                     const MemoryThresholds& limits,
                     const std::vector<GuestView>& views, int64_t tick,
                     bool pressure, uint64_t needed_kib, TargetPlan plan);

// Takes needed_kib (what guests below the low mark lack, GrantResult's
// starving_kib less what is already coming back) from calm guests not
// granted memory in `plan`, down to the squeeze floor (need + low mark + one
// minimum change), a max_shrink_fraction step each, most to spare first: a
// guest may not starve while others hold headroom above the low mark, even
// when the host has no budget to grant. The needy guest is granted on a
// later decision, out of what this frees.
ShrinkResult ReclaimForStarving(const MemoryPolicyConfig& config,
                                const MemoryThresholds& limits,
                                const std::vector<GuestView>& views,
                                int64_t tick, uint64_t needed_kib,
                                TargetPlan plan);

// A max_shrink_fraction step off every calm guest above the high mark whose
// target the plan has not changed.
ShrinkResult ReleaseIdle(const MemoryPolicyConfig& config,
                         const MemoryThresholds& limits,
                         const std::vector<GuestView>& views, int64_t tick,
                         TargetPlan plan);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_MEMORY_RECLAIM_H_
