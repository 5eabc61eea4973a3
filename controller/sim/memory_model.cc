#include "controller/sim/memory_model.h"

#include <algorithm>

namespace vmbalance {
namespace sim {

GuestMemoryEvents StepGuestMemory(const GuestMemoryParams& params,
                                  int64_t want_kib, GuestMemory* m) {
  GuestMemoryEvents events;
  if (params.balloon_driver && m->actual_kib != m->target_kib) {
    int64_t gap = m->target_kib - m->actual_kib;
    int64_t step = std::min(std::max<int64_t>(gap, -gap),
                            std::max<int64_t>(params.balloon_step_kib, 1));
    m->actual_kib += gap > 0 ? step : -step;
  }
  if (m->actual_kib < params.kernel_kib + m->in_use_kib) {
    events.oom_killed = true;
    m->in_use_kib = 0;
    m->touched_kib = std::min(m->actual_kib, params.kernel_kib);
    return events;
  }

  int64_t capacity = std::max<int64_t>(0, m->actual_kib - params.kernel_kib);
  want_kib = std::max<int64_t>(0, want_kib);
  if (params.workload == MemWorkload::kProfile) {
    if (want_kib > capacity) {
      events.alloc_failures = 1;
      events.unmet_kib = want_kib - capacity;
      m->in_use_kib = capacity;
    } else {
      m->in_use_kib = want_kib;
    }
  } else {
    // Freed memory is returned at once when the cap drops.
    int64_t next = std::min(m->in_use_kib + params.grow_step_kib, want_kib);
    if (next > capacity) {
      events.alloc_failures = 1;
      events.unmet_kib = next - capacity;
      next = 0;  // the course's workload frees everything and starts again
    }
    m->in_use_kib = next;
  }
  m->touched_kib =
      std::min(m->actual_kib,
               std::max(m->touched_kib, params.kernel_kib + m->in_use_kib));
  return events;
}

}  // namespace sim
}  // namespace vmbalance
