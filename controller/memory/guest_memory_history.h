// What the memory policy remembers about one guest between intervals (its
// last balloon report, consumption rate, in-flight target) and ObserveGuest(),
// which folds a new DomainSample into it and says whether the figures can be
// acted on. Plain values; not thread-safe.
#ifndef VMBALANCE_CONTROLLER_MEMORY_GUEST_MEMORY_HISTORY_H_
#define VMBALANCE_CONTROLLER_MEMORY_GUEST_MEMORY_HISTORY_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "controller/memory/memory_policy_config.h"
#include "exporter/core/sample.h"

namespace vmbalance {

struct GuestMemoryHistory {
  int id = -1;  // a new id means the domain restarted: history is reset
  bool has_report = false;
  int64_t last_update_s = 0;     // the guest's last balloon report
  int unchanged_samples = 0;     // consecutive samples with that same report
  uint64_t need_kib = 0;         // the guest's need at that report
  double consumption_kib_s = 0;  // sustained growth of need: fast up, slow down
  double last_growth_kib_s = 0;  // growth between the last two reports
  // Cumulative pressure counters at that report, and their rates over the
  // last two reports (0 until two reports carried the counter).
  std::optional<uint64_t> major_faults;
  std::optional<uint64_t> swap_in_kib;
  double major_fault_rate_per_s = 0;
  double swap_in_kib_s = 0;
  // Balloon stats are not simultaneous: actual is live, unused is from the
  // guest's last report. actual - unused bounds what is backed only while
  // actual is no higher than when that report came (a grow since would be
  // counted as used). The lower of actual at the sample that brought the
  // report and at the sample before; and actual at the last sample.
  uint64_t report_actual_kib = 0;
  std::optional<uint64_t> last_actual_kib;
  // Smallest rss - (actual - unused) seen in fresh reports since the domain
  // started: an upper bound on QEMU's own overhead (see
  // MemoryPolicyConfig::qemu_overhead_kib).
  std::optional<uint64_t> min_rss_gap_kib;
  // What the host backed of this guest at the last observation that could
  // tell: a guest that stops answering keeps this commitment (see
  // ObserveGuest on DomainRead::kTimedOut).
  std::optional<uint64_t> backed_kib;
  // A target the actuator applied (CommitBalloons) and the balloon has not
  // reached yet; ObserveGuest clears it when reached or timed out.
  std::optional<uint64_t> target_kib;
  int64_t target_set_tick = 0;  // decision that applied target_kib
  int64_t last_grow_tick = std::numeric_limits<int32_t>::min();  // applied
  int64_t first_seen_tick = -1;  // -1 until ObserveGuest has seen it
};

// One guest as the policy sees it this interval.
struct GuestObservation {
  bool usable = false;  // false: skip, and why_skipped says why
  bool stale = false;
  std::string why_skipped;
  // Set by ObserveGuests (guest_views.h) for a guest whose figures are fine
  // but that the coordinator leaves alone: BackingRule::kind ("hugepages",
  // "locked", "exclude", "policy"). Empty otherwise.
  std::string left_alone;
  uint64_t actual_kib = 0;
  uint64_t unused_kib = 0;
  // What the guest cannot give back without swapping: actual - usable when
  // the guest reports usable (page cache is not need), else actual - unused.
  uint64_t need_kib = 0;
  double consumption_kib_s = 0;
  // Why the guest is under memory pressure (major faults or swap-ins above
  // the config's rates); empty when it is not.
  std::string pressure;
  // What the guest may still touch without asking, at the host's cost:
  // max(actual, in-flight target) - backed. Set for every guest, stale or not.
  uint64_t unbacked_kib = 0;
  // The in-flight target after this sample (cleared when reached/expired).
  std::optional<uint64_t> target_kib;
};

// Updates *history with `domain` (seen at wall_time_s, decision number
// `tick`) and returns what can be relied on. Uses config's freshness, balloon
// tolerance, in-flight timeout and rate decay.
//
// A domain read with DomainRead::kTimedOut (a hung QEMU, a job held by a
// migration) is never usable and folds nothing into *history: its report,
// rates and in-flight target stay as they were, and its in-flight time does
// not run (its balloon cannot move while QEMU is stopped). Its unbacked grant
// is the policy's own remembered commitment, max(last actual, figure read in
// time, in-flight target) - last backed, never 0 for want of figures.
GuestObservation ObserveGuest(const MemoryPolicyConfig& config,
                              const DomainSample& domain, int64_t wall_time_s,
                              int64_t tick, GuestMemoryHistory* history);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_MEMORY_GUEST_MEMORY_HISTORY_H_
