// The memory policy's thresholds: every number DecideBalloons acts on, each
// with the reason for it, and the operator's --exclude. A plain value; the
// flags of the binaries fill it.
#ifndef VMBALANCE_CONTROLLER_MEMORY_MEMORY_POLICY_CONFIG_H_
#define VMBALANCE_CONTROLLER_MEMORY_MEMORY_POLICY_CONFIG_H_

#include <cstdint>

#include "controller/domain_filter.h"

namespace vmbalance {

// Defaults follow the course rules (100 MiB unused, 200 MiB host reserve).
struct MemoryPolicyConfig {
  // A guest's need is actual - usable (its MemAvailable: page cache is not
  // need) when the guest reports usable, else actual - unused; "free" below
  // is actual - need. So a guest whose unused is low only because of page
  // cache is not grown, and one with free (cache included) above the high
  // mark is shrunk gently (the guest drops cache under balloon pressure).
  // Low mark: keep at least this free in every guest.
  uint64_t min_unused_kib = 100 * 1024;
  // High mark: free above this is idle and may come back to the host.
  uint64_t max_unused_kib = 300 * 1024;
  // Where a resized guest's unused memory is aimed: between the marks, so a
  // grow does not invite a shrink and a shrink does not invite a grow.
  uint64_t target_unused_kib = 200 * 1024;
  // Never give the host's memory away below this...
  uint64_t host_reserve_kib = 200 * 1024;
  // ...or this fraction of host memory, whichever is larger.
  double host_reserve_fraction = 0.02;
  // Commitment accounting. Host available memory (MemAvailable when the
  // sample has it, else free) must stay above the reserve even if every
  // guest touches everything it was granted: a granted page costs the host
  // nothing until the guest touches it, so an untouched grant is still owed.
  // A guest's unbacked grant = max(actual, in-flight target) - backed, over
  // every guest (stale ones too). backed = rss - QEMU's own overhead; the
  // overhead is estimated high (a low estimate would hide unbacked memory):
  // the smallest rss - used (actual - unused) seen for the guest in fresh
  // reports made at no lower actual (a used guest page is resident, so that
  // gap is never below the true overhead, barring host swap), capped at this
  // assumed upper bound (the gap also holds pages the guest touched and
  // freed). Learning it beats a fixed guess, which would either hide memory
  // (too low) or block grants (too high); the cap keeps a long-running
  // guest first seen with much touched-but-free memory from counting all
  // of it. Raise it for guests with large device state. backed is never
  // taken below used from such a fresh report; with neither rss nor a fresh
  // report, 0 (all of actual may be touched). When available - Σ unbacked
  // falls below the reserve the host is short: guests give back unused
  // memory first, then are squeezed in proportion to what each holds above
  // need + low mark (reclaim.h).
  uint64_t qemu_overhead_kib = 256 * 1024;
  // Once short, reclaim until the host has reserve + this free (hysteresis).
  uint64_t host_recover_kib = 64 * 1024;
  // Never shrink a guest below this.
  uint64_t guest_floor_kib = 256 * 1024;
  // Release gradually: at most this fraction of actual per step...
  double max_shrink_fraction = 0.10;
  // ...or this larger fraction while the host is short (the host first).
  double pressure_shrink_fraction = 0.25;
  // Changes smaller than this are not made (except reaching max memory): a
  // resize call costs more than it moves.
  uint64_t min_change_kib = 16 * 1024;
  // A guest is grown when its unused memory is predicted to fall below the
  // low mark within this many intervals at its recent consumption rate (to
  // the next decision; the balloon's travel is covered by the grow's headroom
  // above the low mark). The same prediction is kept free when shrinking.
  double trigger_lookahead_intervals = 1.0;
  // A grown guest gets enough headroom to last this many intervals at its
  // recent consumption rate (fewer grows for a steady consumer)...
  double grow_lookahead_intervals = 4.0;
  // ...but rate-based predictions are capped here (a spike is not a trend).
  uint64_t max_lookahead_kib = 512 * 1024;
  // Guest pressure: a guest reading evicted pages back from disk (major
  // faults) or from swap faster than these is short of memory even when its
  // unused looks fine (the kernel keeps free memory up by evicting). Either
  // signal makes it needy (grown by at least pressure_grow_kib, with the
  // signal as the reason) and never calm (not released or reclaimed from
  // while the host is not short). Rates come from successive reports.
  double major_fault_rate_per_s = 100.0;  // a few hundred KiB/s of page-ins
  double swap_in_kib_s = 1024.0;          // 1 MiB/s from swap is thrashing
  uint64_t pressure_grow_kib = 128 * 1024;
  // A guest consuming faster than this is "still growing": never shrunk
  // except under host pressure.
  double growing_rate_kib_s = 1024.0;
  // How much of a guest's consumption rate survives one report without
  // growth (rates fall fast: a spike is not extrapolated for long).
  double rate_decay_per_report = 0.5;
  // Intervals after a grow during which the guest is not shrunk (a grow
  // right after a shrink, or the reverse, is a wasted pair of calls).
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
  // --exclude (shared with the vCPU scheduler): domains whose name matches
  // are never resized, as are those whose XML says
  // <vmbalance:policy memory="off"/> (backing_rule.h says how they count).
  DomainFilter exclude;
};

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_MEMORY_MEMORY_POLICY_CONFIG_H_
