// The simulator's guest memory model as one pure step function: the balloon
// moves toward its target at a bounded speed, a guest squeezed below what
// its kernel and workload use dies (OOM), and a workload that wants more
// than the guest has fails to allocate.
#ifndef VMBALANCE_CONTROLLER_SIM_MEMORY_MODEL_H_
#define VMBALANCE_CONTROLLER_SIM_MEMORY_MODEL_H_

#include <cstdint>

#include "controller/sim/scenario.h"

namespace vmbalance {
namespace sim {

struct GuestMemoryParams {
  int64_t kernel_kib = 0;        // used by the guest besides the workload
  int64_t balloon_step_kib = 0;  // how far the balloon moves in one tick
  bool balloon_driver = true;    // false: the balloon never moves
  MemWorkload workload = MemWorkload::kProfile;
  int64_t grow_step_kib = 0;  // kGrow: growth per tick
};

// A guest's memory state, carried from tick to tick.
struct GuestMemory {
  int64_t actual_kib = 0;   // balloon size: what the guest has
  int64_t target_kib = 0;   // where the balloon is heading
  int64_t in_use_kib = 0;   // held by the workload
  int64_t touched_kib = 0;  // pages the guest has touched: the host's RSS
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
// is gone (in_use 0) and the balloon keeps its size, as a guest rebooting
// with panic=-1 does.
GuestMemoryEvents StepGuestMemory(const GuestMemoryParams& params,
                                  int64_t want_kib, GuestMemory* m);

// What the guest's own statistics report as unused: never below 0.
inline int64_t UnusedKib(const GuestMemoryParams& params,
                         const GuestMemory& m) {
  int64_t unused = m.actual_kib - params.kernel_kib - m.in_use_kib;
  return unused > 0 ? unused : 0;
}

// The truth behind it: what the guest has beyond what its kernel and
// workload asked for this tick. Negative when the workload asked for more
// than the guest had (the unmet part) or the balloon squeezed the kernel.
inline int64_t TrueUnusedKib(const GuestMemoryParams& params,
                             const GuestMemory& m,
                             const GuestMemoryEvents& events) {
  if (events.unmet_kib > 0) return -events.unmet_kib;
  return m.actual_kib - params.kernel_kib - m.in_use_kib;
}

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_MEMORY_MODEL_H_
