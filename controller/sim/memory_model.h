// The simulator's guest memory model as one pure step function: the balloon
// moves toward its target at a bounded speed, a guest squeezed below what
// its kernel and workload use dies (OOM), a workload that wants more than
// the guest has swaps (when the guest has swap) or fails to allocate, a
// file-reading workload fills the page cache with what is free, and the
// guest drops that cache first when memory runs short. The host backs only
// the pages a guest has touched (GuestMemory::touched_kib).
#ifndef VMBALANCE_CONTROLLER_SIM_MEMORY_MODEL_H_
#define VMBALANCE_CONTROLLER_SIM_MEMORY_MODEL_H_

#include <cstdint>
#include <optional>

#include "controller/sim/scenario.h"

namespace vmbalance {
namespace sim {

// Guest pages are 4 KiB: fault counters count pages.
constexpr int64_t kPageKib = 4;

struct GuestMemoryParams {
  int64_t kernel_kib = 0;        // used by the guest besides the workload
  int64_t balloon_step_kib = 0;  // how far the balloon moves in one tick
  bool balloon_driver = true;    // false: the balloon never moves
  MemWorkload workload = MemWorkload::kProfile;
  int64_t grow_step_kib = 0;        // kGrow: growth per tick
  int64_t file_read_step_kib = 0;   // read into the page cache per tick
  std::optional<int64_t> file_kib;  // distinct file data; none: unbounded
  int64_t swap_kib = 0;             // guest swap space
};

// A guest's memory state, carried from tick to tick.
struct GuestMemory {
  int64_t actual_kib = 0;   // balloon size: what the guest has
  int64_t target_kib = 0;   // where the balloon is heading
  int64_t in_use_kib = 0;   // held by the workload (resident + swapped)
  int64_t cache_kib = 0;    // page cache: reclaimable, dropped first
  int64_t swapped_kib = 0;  // the part of in_use in guest swap
  // Pages the guest has touched and still has: what the host backs (never
  // more than actual; a balloon inflating below it releases the rest).
  int64_t touched_kib = 0;
  // Cumulative, as the guest's statistics report them.
  int64_t major_faults = 0;
  int64_t swap_in_kib = 0;
  int64_t swap_out_kib = 0;
};

struct GuestMemoryEvents {
  bool oom_killed = false;  // squeezed below its use: the guest died
  int alloc_failures = 0;   // the workload could not get what it wanted
  // How much more than the guest had the workload asked for this tick
  // (0 when it fit): the referee's measure of an overcommitted guest.
  int64_t unmet_kib = 0;
};

// Advances one tick. `want_kib` is the workload's mem(t): what it holds
// (kProfile) or the cap it grows toward (kGrow). On an OOM kill the workload
// is gone (in_use 0, cache and swap empty) and the balloon keeps its size,
// as a guest rebooting with panic=-1 does.
//
// Pressure, a simple model: a workload that holds swapped memory touches
// all of it every tick, so what was swapped at the start of the tick is
// paged in (swap_in, one major fault per page) and what does not fit at
// the end is paged out (swap_out). Page cache the guest had to drop to
// make room (balloon inflating, workload growing) while its file workload
// still reads counts one major fault per page, as mapped file pages
// faulted back in would.
GuestMemoryEvents StepGuestMemory(const GuestMemoryParams& params,
                                  int64_t want_kib, GuestMemory* m);

// What the guest's own statistics report as unused (free, without page
// cache): never below 0.
inline int64_t UnusedKib(const GuestMemoryParams& params,
                         const GuestMemory& m) {
  int64_t unused = m.actual_kib - params.kernel_kib -
                   (m.in_use_kib - m.swapped_kib) - m.cache_kib;
  return unused > 0 ? unused : 0;
}

// What the guest could use without swapping: unused plus its page cache.
inline int64_t UsableKib(const GuestMemoryParams& params,
                         const GuestMemory& m) {
  return UnusedKib(params, m) + m.cache_kib;
}

// The truth behind it: what the guest has beyond what its kernel and
// workload asked for this tick (page cache counts as free). Negative when
// the workload asked for more than the guest had (the unmet part, or what
// it had to swap) or the balloon squeezed the kernel.
inline int64_t TrueUnusedKib(const GuestMemoryParams& params,
                             const GuestMemory& m,
                             const GuestMemoryEvents& events) {
  if (events.unmet_kib > 0) return -events.unmet_kib;
  return m.actual_kib - params.kernel_kib - m.in_use_kib;
}

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_MEMORY_MODEL_H_
