// The observe phase of a memory decision: folds one Sample into the per-guest
// history and gives every later phase a read-only view of each guest whose
// figures can be acted on. Stale or missing figures give no view.
#ifndef VMBALANCE_CONTROLLER_MEMORY_GUEST_VIEWS_H_
#define VMBALANCE_CONTROLLER_MEMORY_GUEST_VIEWS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "controller/memory/guest_memory_history.h"
#include "controller/memory/memory_policy_config.h"
#include "controller/memory/memory_thresholds.h"
#include "exporter/core/sample.h"

namespace vmbalance {

// One guest that can be acted on, as of this sample.
struct GuestView {
  size_t domain_index = 0;  // into sample.domains (and the decision's guests)
  uint64_t actual_kib = 0;
  uint64_t unused_kib = 0;
  uint64_t need_kib = 0;     // actual - usable, else actual - unused
  uint64_t max_kib = 0;      // ceiling: max memory, else the balloon's maximum
  uint64_t current_kib = 0;  // where the balloon is heading (target/actual)
  bool in_flight = false;    // an applied target not reached yet
  // Free (unused + reclaimable page cache) once current is reached.
  uint64_t projected_free_kib = 0;
  double rate_kib_s = 0;      // consumption rate
  uint64_t expected_kib = 0;  // consumption expected before the next decision
  std::string pressure;       // why the guest is under pressure; empty if not
  int64_t last_grow_tick = 0;
  int64_t first_seen_tick = 0;
};

struct ObservedGuests {
  std::vector<GuestObservation> seen;  // one per sample.domains entry
  std::vector<GuestView> views;        // the usable ones, in sample order
  // Over every guest (stale ones too: they can still touch what they were
  // given): what the guests may still touch at the host's cost, and their
  // in-flight targets against actual.
  // Hugepage-backed guests are left out of these three (BackingRule).
  uint64_t unbacked_kib = 0;
  uint64_t pending_grow_kib = 0;
  uint64_t pending_shrink_kib = 0;
  // What the host backs of file-backed guests: host page cache that
  // MemAvailable counts as available (BackingRule::host_page_cache).
  uint64_t host_page_cache_kib = 0;
};

// Forgets domains no longer in the sample, observes the others (decision
// number `tick`). A guest whose memory backing makes ballooning useless, or
// that the operator opted out (config.exclude, its policy switch;
// backing_rule.h), gets no view; its why_skipped and left_alone say why
// (not stale).
ObservedGuests ObserveGuests(const MemoryPolicyConfig& config,
                             const MemoryThresholds& limits,
                             const Sample& sample, int64_t tick,
                             std::map<DomainKey, GuestMemoryHistory>* guests);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_MEMORY_GUEST_VIEWS_H_
