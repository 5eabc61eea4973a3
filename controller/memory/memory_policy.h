// The memory coordinator's policy: a pure function from (config, previous
// state, one Sample) to balloon changes. No libvirt, clocks or metrics; the
// caller owns the state and applies the changes. Not thread-safe per state.
#ifndef VMBALANCE_CONTROLLER_MEMORY_MEMORY_POLICY_H_
#define VMBALANCE_CONTROLLER_MEMORY_MEMORY_POLICY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "controller/memory/guest_memory_history.h"
#include "exporter/core/sample.h"

namespace vmbalance {

// Defaults follow the course rules (100 MiB unused, 200 MiB host reserve);
// every field is meant to be a flag of the binary.
struct MemoryPolicyConfig {
  // Low mark: keep at least this unused in every guest.
  uint64_t min_unused_kib = 100 * 1024;
  // High mark: unused above this is idle and may come back to the host.
  uint64_t max_unused_kib = 300 * 1024;
  // Where a resized guest's unused memory is aimed: between the marks, so a
  // grow does not invite a shrink and a shrink does not invite a grow.
  uint64_t target_unused_kib = 200 * 1024;
  // Never give the host's memory away below this...
  uint64_t host_reserve_kib = 200 * 1024;
  // ...or this fraction of host memory, whichever is larger.
  double host_reserve_fraction = 0.02;
  // Once short, reclaim until the host has reserve + this free (hysteresis).
  uint64_t host_recover_kib = 64 * 1024;
  // Never shrink a guest below this.
  uint64_t guest_floor_kib = 256 * 1024;
  // Release gradually: at most this fraction of actual per step...
  double max_shrink_fraction = 0.10;
  // ...or this larger fraction while the host is short (the host first).
  double pressure_shrink_fraction = 0.25;
  // Changes smaller than this are not made (except reaching max memory).
  uint64_t min_change_kib = 16 * 1024;
  // A guest is grown when its unused memory is predicted to fall below the
  // low mark within this many intervals at its recent consumption rate (one
  // to the next decision, one more for the balloon to get there)...
  double trigger_lookahead_intervals = 2.0;
  // ...and with enough headroom to last this many intervals at its
  // recent consumption rate...
  double grow_lookahead_intervals = 4.0;
  // ...but the rate-based headroom is capped here (a spike is not a trend).
  uint64_t max_lookahead_kib = 512 * 1024;
  // A guest consuming faster than this is "still growing": never shrunk
  // except under host pressure.
  double growing_rate_kib_s = 1024.0;
  // Intervals after a grow during which the guest is not shrunk.
  int shrink_cooldown_intervals = 5;
  // A newly seen guest is watched this long before it is shrunk (outside
  // host pressure), so its consumption rate is known first.
  int observe_before_shrink_intervals = 3;
  // A balloon within this of its target has reached it.
  uint64_t balloon_tolerance_kib = 2 * 1024;
  // A target not reached after this many intervals is forgotten (the guest
  // refused or the balloon stalled): actual is then the truth again.
  int inflight_timeout_intervals = 10;
  // last_update older than this (vs. sample.wall_time_s) => stale.
  int64_t stale_after_s = 10;
  // last_update unchanged over this many consecutive samples => stale.
  int stale_after_samples = 5;
  // Interval assumed before two samples have been seen.
  double default_interval_s = 1.0;
};

// Carried between calls. Start with a default-constructed one.
struct MemoryPolicyState {
  int64_t tick = 0;  // number of decisions made
  int64_t prev_monotonic_ns = 0;
  int64_t prev_wall_time_s = 0;
  double interval_s = 0;  // last measured interval between samples
  std::map<DomainKey, GuestMemoryHistory> guests;
};

struct BalloonChange {
  DomainKey uuid;
  std::string domain;
  uint64_t from_kib = 0;  // actual when decided
  uint64_t to_kib = 0;    // new balloon target
};

struct GuestMemoryStatus {
  DomainKey uuid;
  std::string domain;
  bool stale = false;       // stats missing or stale: not acted on
  std::string why_skipped;  // non-empty when not acted on
  uint64_t target_kib = 0;  // target after this decision (actual if none)
  uint64_t actual_kib = 0;
  uint64_t unused_kib = 0;
  double consumption_kib_s = 0;  // smoothed growth of used memory
  bool in_flight = false;        // a target the balloon has not reached yet
  std::string note;              // what happened, e.g. "grow", "at max"
};

struct MemoryDecision {
  std::vector<BalloonChange> changes;     // shrinks first, then grows
  std::vector<GuestMemoryStatus> guests;  // every domain in the sample
  uint64_t host_reserve_kib = 0;          // effective reserve
  uint64_t grants_in_flight_kib = 0;      // grown targets not reached yet
  uint64_t grant_budget_kib = 0;          // what could be granted this step
  bool host_short = false;                // host free at or below reserve
  std::string reason;
};

// Decides this interval's balloon targets and updates *state.
MemoryDecision DecideBalloons(const MemoryPolicyConfig& config,
                              const Sample& sample, MemoryPolicyState* state);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_MEMORY_MEMORY_POLICY_H_
