// The host-budget phase of a memory decision: from host free memory, the
// reserve and the targets already in flight, what may be granted to guests
// and what must come back to the host. Pure; plain values.
#ifndef VMBALANCE_CONTROLLER_MEMORY_HOST_BUDGET_H_
#define VMBALANCE_CONTROLLER_MEMORY_HOST_BUDGET_H_

#include <cstdint>

#include "controller/memory/memory_policy_config.h"
#include "controller/memory/memory_thresholds.h"
#include "exporter/core/sample.h"

namespace vmbalance {

struct HostBudget {
  uint64_t free_kib = 0;            // host free memory in the sample
  uint64_t pending_grow_kib = 0;    // in-flight grows not reached yet
  uint64_t pending_shrink_kib = 0;  // in-flight shrinks not reached yet
  // Host free at or below the reserve: no grants at all.
  bool host_short = false;
  // Free memory once every in-flight target is reached is below the reserve:
  // the host takes memory back (squeezing guests if it must).
  bool pressure = false;
  uint64_t grant_budget_kib = 0;  // what may be granted this decision
  // What the host itself needs back: reserve + recover - projected free.
  uint64_t host_reclaim_kib = 0;
};

HostBudget AssessHost(const MemoryPolicyConfig& config,
                      const MemoryThresholds& limits, const HostSample& host,
                      uint64_t pending_grow_kib, uint64_t pending_shrink_kib);

// What the reclaim phase must take from guests: the host's own need plus the
// grants that could not be met, less the shrinks already under way (under
// pressure those are already counted in the host's need).
uint64_t ReclaimNeeded(const HostBudget& budget, uint64_t unmet_kib);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_MEMORY_HOST_BUDGET_H_
