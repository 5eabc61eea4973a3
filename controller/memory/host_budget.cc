#include "controller/memory/host_budget.h"

namespace vmbalance {

HostBudget AssessHost(const MemoryPolicyConfig& config,
                      const MemoryThresholds& limits, const HostSample& host,
                      const GuestCommitments& guests) {
  HostBudget b;
  const uint64_t reserve = limits.host_reserve_kib;
  b.host_page_cache_kib = guests.host_page_cache_kib;
  b.free_kib = SatSub(host.memory_available_kib.value_or(host.memory_free_kib),
                      guests.host_page_cache_kib);
  b.unbacked_kib = guests.unbacked_kib;
  b.pending_grow_kib = guests.pending_grow_kib;
  b.pending_shrink_kib = guests.pending_shrink_kib;
  // What stays available if every guest touches all it was granted (an
  // in-flight grow is in its guest's unbacked grant already).
  const uint64_t committed_free = SatSub(b.free_kib, b.unbacked_kib);
  // Unknown host memory: grant nothing and take nothing for the host's sake.
  b.host_short = limits.host_known && committed_free <= reserve;
  b.grant_budget_kib = (!limits.host_known || b.host_short)
                           ? 0
                           : SatSub(committed_free, reserve);
  // Below the reserve once in-flight shrinks land (a shrink of actual - to
  // gives that much back, touched or not), the host takes memory back, with
  // some hysteresis. Exactly at it, grants stop but nothing is taken: our
  // own grants may have brought it there.
  const uint64_t projected_free =
      SatSub(b.free_kib + b.pending_shrink_kib, b.unbacked_kib);
  b.pressure = limits.host_known && projected_free < reserve;
  b.host_reclaim_kib =
      b.pressure ? reserve + config.host_recover_kib - projected_free : 0;
  return b;
}

uint64_t ReclaimNeeded(const HostBudget& budget, uint64_t unmet_kib) {
  return budget.host_reclaim_kib +
         (budget.pressure ? unmet_kib
                          : SatSub(unmet_kib, budget.pending_shrink_kib));
}

}  // namespace vmbalance
