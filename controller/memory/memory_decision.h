// What one memory decision produces: the balloon changes to apply and, for
// every domain in the sample, what the policy saw and wants. Plain values.
#ifndef VMBALANCE_CONTROLLER_MEMORY_MEMORY_DECISION_H_
#define VMBALANCE_CONTROLLER_MEMORY_MEMORY_DECISION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "exporter/core/sample.h"

namespace vmbalance {

struct BalloonChange {
  DomainKey uuid;
  std::string domain;
  uint64_t from_kib = 0;  // actual when decided
  uint64_t to_kib = 0;    // new balloon target
};

struct GuestMemoryStatus {
  DomainKey uuid;
  std::string domain;
  bool stale = false;  // stats missing or stale: not acted on
  // Non-empty when not acted on: stale figures (stale), or a memory
  // backing that ballooning cannot help (hugepages, locked; not stale), or
  // the operator's opt-out (--exclude, memory="off"; not stale).
  std::string why_skipped;
  // Why the coordinator leaves this guest, whose figures are fine, alone:
  // "hugepages", "locked", "exclude" or "policy" (backing_rule.h); "" when
  // it is managed or stale. For a metric label.
  std::string left_alone;
  uint64_t target_kib = 0;  // target this decision wants (actual if none)
  uint64_t actual_kib = 0;
  uint64_t unused_kib = 0;
  double consumption_kib_s = 0;  // smoothed growth of used memory
  bool in_flight = false;  // the wanted target is not reached yet (whether
                           // applied before or asked for now)
  std::string note;        // what happened, e.g. "grow", "at max"
};

struct MemoryDecision {
  std::vector<BalloonChange> changes;     // shrinks first, then grows
  std::vector<GuestMemoryStatus> guests;  // every domain in the sample
  uint64_t host_reserve_kib = 0;          // effective reserve
  uint64_t grants_in_flight_kib = 0;      // applied grows not reached yet
  // What the guests may still touch at the host's cost (every guest's
  // max(actual, in-flight target) - backed); grants come out of available
  // less this and the reserve.
  uint64_t unbacked_kib = 0;
  uint64_t grant_budget_kib = 0;  // what could be granted this step
  bool host_short = false;        // available - unbacked at or below reserve
  std::string reason;
};

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_MEMORY_MEMORY_DECISION_H_
