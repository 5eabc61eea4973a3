// The grant phase of a memory decision: which guests need memory (free,
// page cache included, below the low mark now or by the next decision, or
// under pressure), and how the host's grant budget is
// shared among them, most urgent first. Pure.
#ifndef VMBALANCE_CONTROLLER_MEMORY_GRANT_H_
#define VMBALANCE_CONTROLLER_MEMORY_GRANT_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "controller/memory/guest_views.h"
#include "controller/memory/host_budget.h"
#include "controller/memory/memory_policy_config.h"
#include "controller/memory/memory_thresholds.h"
#include "controller/memory/target_plan.h"

namespace vmbalance {

// One guest that needs memory.
struct MemoryNeed {
  size_t view = 0;
  uint64_t urgent_kib = 0;  // back to the low mark (plus what it will use)
  uint64_t want_kib = 0;    // to the aimed unused plus headroom, within max
};

// The needy guests, most urgent first (then in sample order). A needy guest
// already at its ceiling gets a note in *plan instead.
std::vector<MemoryNeed> FindNeeds(const MemoryPolicyConfig& config,
                                  const MemoryThresholds& limits,
                                  const std::vector<GuestView>& views,
                                  TargetPlan* plan);

// Shares budget_kib: first every need's urgent part, then its want, in
// order. Returns the share of each need.
std::vector<uint64_t> ShareBudget(const std::vector<MemoryNeed>& needs,
                                  uint64_t budget_kib);

struct GrantResult {
  TargetPlan plan;           // grown targets for the guests granted memory
  uint64_t granted_kib = 0;  // given
  uint64_t unmet_kib = 0;    // wanted but not given (the host had no budget)
  // Of that, what the guests below the low mark still lack to get back above
  // it (urgent part + one minimum change), host short or not: a guest may not
  // starve while others hold headroom (reclaim.h's ReclaimForStarving).
  uint64_t starving_kib = 0;
};

// Nothing is granted while the host is short, nor a share below
// min_change_kib (unless it reaches the ceiling): not worth a call. Either
// way an ungranted urgent need is reported in starving_kib.
GrantResult GrantMemory(const MemoryPolicyConfig& config,
                        const MemoryThresholds& limits,
                        const std::vector<GuestView>& views,
                        const HostBudget& budget, TargetPlan plan);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_MEMORY_GRANT_H_
