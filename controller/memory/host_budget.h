// The host-budget phase of a memory decision: from host available memory,
// the reserve and what the guests may still touch without asking (their
// unbacked grants, in-flight grows included), what may be granted to guests
// and what must come back to the host. Pure; plain values.
#ifndef VMBALANCE_CONTROLLER_MEMORY_HOST_BUDGET_H_
#define VMBALANCE_CONTROLLER_MEMORY_HOST_BUDGET_H_

#include <cstdint>

#include "controller/memory/memory_policy_config.h"
#include "controller/memory/memory_thresholds.h"
#include "exporter/core/sample.h"

namespace vmbalance {

struct HostBudget {
  // Host available memory in the sample: MemAvailable when the sample has
  // it, else free (+ buffers + cached); less the host page cache that holds
  // file-backed guests' RAM (host_page_cache_kib).
  uint64_t free_kib = 0;
  uint64_t host_page_cache_kib = 0;
  uint64_t unbacked_kib = 0;        // Σ unbacked grants, every guest
  uint64_t pending_grow_kib = 0;    // in-flight grows not reached yet
  uint64_t pending_shrink_kib = 0;  // in-flight shrinks not reached yet
  // Available once every guest touches all it was granted at or below the
  // reserve: no grants at all.
  bool host_short = false;
  // ...below the reserve even once in-flight shrinks land: the host takes
  // memory back (unused first, squeezing guests if it must).
  bool pressure = false;
  // available - reserve - Σ unbacked: what may be granted this decision.
  uint64_t grant_budget_kib = 0;
  // What the host itself needs back: reserve + recover - committed free.
  uint64_t host_reclaim_kib = 0;
};

// The guests' figures over all of them (ObservedGuests' sums).
struct GuestCommitments {
  uint64_t unbacked_kib = 0;
  uint64_t pending_grow_kib = 0;
  uint64_t pending_shrink_kib = 0;
  // File-backed guests' RAM in the host's page cache: counted as available
  // by the host, though it is guest memory (see backing_rule.h).
  uint64_t host_page_cache_kib = 0;
};

HostBudget AssessHost(const MemoryPolicyConfig& config,
                      const MemoryThresholds& limits, const HostSample& host,
                      const GuestCommitments& guests);

// What the reclaim phase must take from guests: the host's own need plus the
// grants that could not be met, less the shrinks already under way (under
// pressure those are already counted in the host's need).
uint64_t ReclaimNeeded(const HostBudget& budget, uint64_t unmet_kib);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_MEMORY_HOST_BUDGET_H_
