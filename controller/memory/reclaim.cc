#include "controller/memory/reclaim.h"

#include <algorithm>

namespace vmbalance {
namespace {

// Guests that may give: not granted memory in this plan; under pressure all
// of them, otherwise the calm ones. Most to spare first, then sample order.
std::vector<size_t> Donors(const MemoryPolicyConfig& config,
                           const MemoryThresholds& limits,
                           const std::vector<GuestView>& views, int64_t tick,
                           bool pressure, const TargetPlan& plan) {
  std::vector<size_t> donors;
  std::vector<uint64_t> spare(views.size(), 0);
  for (size_t i = 0; i < views.size(); ++i) {
    const GuestView& v = views[i];
    if (plan.target_kib[i] != v.current_kib) continue;
    if (!pressure && !IsCalm(config, v, tick)) continue;
    donors.push_back(i);
    spare[i] = SatSub(v.current_kib, ShrinkFloorKib(limits, v, pressure));
  }
  std::sort(donors.begin(), donors.end(), [&](size_t a, size_t b) {
    if (spare[a] != spare[b]) return spare[a] > spare[b];
    return a < b;
  });
  return donors;
}

}  // namespace

bool IsCalm(const MemoryPolicyConfig& config, const GuestView& view,
            int64_t tick) {
  return !view.in_flight && view.rate_kib_s < config.growing_rate_kib_s &&
         tick - view.last_grow_tick >= config.shrink_cooldown_intervals &&
         tick - view.first_seen_tick >= config.observe_before_shrink_intervals;
}

uint64_t ShrinkFloorKib(const MemoryThresholds& limits, const GuestView& view,
                        bool squeeze) {
  const uint64_t keep =
      squeeze ? limits.squeeze_unused_kib : limits.aim_unused_kib;
  return view.used_kib + keep + view.expected_kib;
}

uint64_t ShrinkStep(const MemoryPolicyConfig& config, uint64_t from_kib,
                    uint64_t lower_kib, uint64_t step_cap_kib) {
  lower_kib = std::max(lower_kib, config.guest_floor_kib);
  if (from_kib <= lower_kib) return from_kib;
  const uint64_t to = std::max(lower_kib, SatSub(from_kib, step_cap_kib));
  return from_kib - to < config.min_change_kib ? from_kib : to;
}

ShrinkResult Reclaim(const MemoryPolicyConfig& config,
                     const MemoryThresholds& limits,
                     const std::vector<GuestView>& views, int64_t tick,
                     bool pressure, uint64_t needed_kib, TargetPlan plan) {
  ShrinkResult result;
  if (needed_kib > 0) {
    const double fraction =
        pressure ? config.pressure_shrink_fraction : config.max_shrink_fraction;
    for (size_t i : Donors(config, limits, views, tick, pressure, plan)) {
      if (result.reclaimed_kib >= needed_kib) break;
      const GuestView& v = views[i];
      const uint64_t still = needed_kib - result.reclaimed_kib;
      const uint64_t cap = std::min(ToKib(fraction * v.actual_kib),
                                    std::max(still, config.min_change_kib));
      const uint64_t from = plan.target_kib[i];
      const uint64_t to =
          ShrinkStep(config, from, ShrinkFloorKib(limits, v, pressure), cap);
      if (to == from) continue;
      result.reclaimed_kib += from - to;
      plan.target_kib[i] = to;
      plan.note[i] = pressure ? "reclaim (host short)" : "reclaim (for others)";
    }
  }
  result.plan = std::move(plan);
  return result;
}

ShrinkResult ReleaseIdle(const MemoryPolicyConfig& config,
                         const MemoryThresholds& limits,
                         const std::vector<GuestView>& views, int64_t tick,
                         TargetPlan plan) {
  ShrinkResult result;
  for (size_t i = 0; i < views.size(); ++i) {
    const GuestView& v = views[i];
    if (plan.target_kib[i] != v.current_kib || !IsCalm(config, v, tick) ||
        v.projected_unused_kib <= config.max_unused_kib) {
      continue;
    }
    const uint64_t cap = ToKib(config.max_shrink_fraction * v.actual_kib);
    const uint64_t from = plan.target_kib[i];
    const uint64_t to =
        ShrinkStep(config, from, ShrinkFloorKib(limits, v, false), cap);
    if (to == from) continue;
    result.reclaimed_kib += from - to;
    plan.target_kib[i] = to;
    plan.note[i] = "release idle";
  }
  result.plan = std::move(plan);
  return result;
}

}  // namespace vmbalance
