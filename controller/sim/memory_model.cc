#include "controller/sim/memory_model.h"

#include <algorithm>

namespace vmbalance {
namespace sim {
namespace {

void MoveBalloon(const GuestMemoryParams& params, GuestMemory* m) {
  if (!params.balloon_driver || m->actual_kib == m->target_kib) return;
  const int64_t gap = m->target_kib - m->actual_kib;
  const int64_t step = std::min(std::max<int64_t>(gap, -gap),
                                std::max<int64_t>(params.balloon_step_kib, 1));
  m->actual_kib += gap > 0 ? step : -step;
}

// What the workload holds after this tick, given what the guest can hold
// for it (RAM beyond the kernel, plus swap).
int64_t NextInUse(const GuestMemoryParams& params, int64_t want_kib,
                  int64_t capacity, GuestMemory* m, GuestMemoryEvents* events) {
  want_kib = std::max<int64_t>(0, want_kib);
  if (params.workload == MemWorkload::kProfile) {
    if (want_kib <= capacity) return want_kib;
    events->alloc_failures = 1;
    events->unmet_kib = want_kib - capacity;
    return capacity;
  }
  // Freed memory is returned at once when the cap drops.
  const int64_t next = std::min(m->in_use_kib + params.grow_step_kib, want_kib);
  if (next <= capacity) return next;
  events->alloc_failures = 1;
  events->unmet_kib = next - capacity;
  return 0;  // the course's workload frees everything and starts again
}

// Swapped pages are touched again (paged in), what does not fit in RAM is
// paged out; see StepGuestMemory.
void Swap(int64_t room_kib, GuestMemory* m) {
  const int64_t swapped = std::max<int64_t>(0, m->in_use_kib - room_kib);
  m->swap_in_kib += m->swapped_kib;
  m->major_faults += m->swapped_kib / kPageKib;
  m->swap_out_kib += swapped;
  m->swapped_kib = swapped;
}

// Drops the cache that no longer fits, then lets the file workload read
// into what is free.
void RunPageCache(const GuestMemoryParams& params, int64_t room_kib,
                  GuestMemory* m) {
  const int64_t free_kib =
      std::max<int64_t>(0, room_kib - (m->in_use_kib - m->swapped_kib));
  if (m->cache_kib > free_kib) {
    if (params.file_read_step_kib > 0) {
      m->major_faults += (m->cache_kib - free_kib) / kPageKib;
    }
    m->cache_kib = free_kib;
  }
  int64_t limit = free_kib;
  if (params.file_kib) limit = std::min(limit, *params.file_kib);
  m->cache_kib = std::max(
      m->cache_kib, std::min(limit, m->cache_kib + params.file_read_step_kib));
}

}  // namespace

GuestMemoryEvents StepGuestMemory(const GuestMemoryParams& params,
                                  int64_t want_kib, GuestMemory* m) {
  GuestMemoryEvents events;
  MoveBalloon(params, m);
  const int64_t room = m->actual_kib - params.kernel_kib;
  if (room < m->in_use_kib - params.swap_kib || room < 0) {
    events.oom_killed = true;
    m->in_use_kib = m->cache_kib = m->swapped_kib = 0;
    m->touched_kib = std::min(m->actual_kib, params.kernel_kib);
    return events;
  }
  m->in_use_kib =
      NextInUse(params, want_kib, room + params.swap_kib, m, &events);
  Swap(room, m);
  RunPageCache(params, room, m);
  const int64_t resident =
      params.kernel_kib + m->in_use_kib - m->swapped_kib + m->cache_kib;
  m->touched_kib = std::min(m->actual_kib, std::max(m->touched_kib, resident));
  return events;
}

}  // namespace sim
}  // namespace vmbalance
