#include "controller/memory/reclaim.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace vmbalance {
namespace {

// Guests that may give: not grown in this plan; under pressure all of them,
// otherwise the calm ones. Most to spare above their floor (the squeeze
// floor or the aimed one) first, then sample order.
std::vector<size_t> Donors(const MemoryPolicyConfig& config,
                           const MemoryThresholds& limits,
                           const std::vector<GuestView>& views, int64_t tick,
                           bool pressure, bool squeeze,
                           const TargetPlan& plan) {
  std::vector<size_t> donors;
  std::vector<uint64_t> spare(views.size(), 0);
  for (size_t i = 0; i < views.size(); ++i) {
    const GuestView& v = views[i];
    if (plan.target_kib[i] > v.current_kib) continue;
    if (!pressure && !IsCalm(config, v, tick)) continue;
    donors.push_back(i);
    spare[i] = SatSub(plan.target_kib[i], ShrinkFloorKib(limits, v, squeeze));
  }
  std::sort(donors.begin(), donors.end(), [&](size_t a, size_t b) {
    if (spare[a] != spare[b]) return spare[a] > spare[b];
    return a < b;
  });
  return donors;
}

// What one step may still take from view i: a `fraction` of its actual,
// less what the plan already takes from it.
uint64_t StepCapKib(double fraction, const GuestView& v, uint64_t target_kib) {
  return SatSub(ToKib(fraction * v.actual_kib),
                SatSub(v.current_kib, target_kib));
}

// Takes from the donors, most to spare first, until needed_kib: down to the
// aimed free (squeeze false: their unused and page cache above it) or to the
// squeeze floor (need + low mark + one minimum change), a `fraction` step.
void TakeAboveFloor(const MemoryPolicyConfig& config,
                    const MemoryThresholds& limits,
                    const std::vector<GuestView>& views, int64_t tick,
                    bool pressure, bool squeeze, double fraction,
                    uint64_t needed_kib, const char* note,
                    ShrinkResult* result) {
  TargetPlan& plan = result->plan;
  for (size_t i :
       Donors(config, limits, views, tick, pressure, squeeze, plan)) {
    if (result->reclaimed_kib >= needed_kib) break;
    const GuestView& v = views[i];
    const uint64_t still = needed_kib - result->reclaimed_kib;
    const uint64_t cap = std::min(StepCapKib(fraction, v, plan.target_kib[i]),
                                  std::max(still, config.min_change_kib));
    const uint64_t from = plan.target_kib[i];
    const uint64_t to =
        ShrinkStep(config, from, ShrinkFloorKib(limits, v, squeeze), cap);
    if (to == from) continue;
    result->reclaimed_kib += from - to;
    plan.target_kib[i] = to;
    plan.note[i] = note;
  }
}

// Second pass, host short only: the rest is shared among all donors in
// proportion to what each holds above its squeeze floor (need + low mark +
// one minimum change), within one pressure step each.
void SqueezeFairly(const MemoryPolicyConfig& config,
                   const MemoryThresholds& limits,
                   const std::vector<GuestView>& views, int64_t tick,
                   uint64_t needed_kib, ShrinkResult* result) {
  TargetPlan& plan = result->plan;
  const std::vector<size_t> donors =
      Donors(config, limits, views, tick, true, true, plan);
  uint64_t total_spare = 0;
  for (size_t i : donors) {
    total_spare +=
        SatSub(plan.target_kib[i], ShrinkFloorKib(limits, views[i], true));
  }
  if (total_spare == 0) return;
  const double share = std::min(
      1.0, static_cast<double>(needed_kib) / static_cast<double>(total_spare));
  for (size_t i : donors) {
    const GuestView& v = views[i];
    const uint64_t from = plan.target_kib[i];
    const uint64_t floor = ShrinkFloorKib(limits, v, true);
    const uint64_t fair = std::max(
        ToKib(std::ceil(share * SatSub(from, floor))), config.min_change_kib);
    const uint64_t cap =
        std::min(fair, StepCapKib(config.pressure_shrink_fraction, v, from));
    const uint64_t to = ShrinkStep(config, from, floor, cap);
    if (to == from) continue;
    result->reclaimed_kib += from - to;
    plan.target_kib[i] = to;
    plan.note[i] = "squeeze (host short)";
  }
}

}  // namespace

bool IsCalm(const MemoryPolicyConfig& config, const GuestView& view,
            int64_t tick) {
  return !view.in_flight && view.pressure.empty() &&
         view.rate_kib_s < config.growing_rate_kib_s &&
         tick - view.last_grow_tick >= config.shrink_cooldown_intervals &&
         tick - view.first_seen_tick >= config.observe_before_shrink_intervals;
}

uint64_t ShrinkFloorKib(const MemoryThresholds& limits, const GuestView& view,
                        bool squeeze) {
  const uint64_t keep =
      squeeze ? limits.squeeze_unused_kib : limits.aim_unused_kib;
  return view.need_kib + keep + view.expected_kib;
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
  result.plan = std::move(plan);
  if (needed_kib == 0) return result;
  // First memory guests hold above the aimed free, not what they need.
  TakeAboveFloor(
      config, limits, views, tick, pressure, false,
      pressure ? config.pressure_shrink_fraction : config.max_shrink_fraction,
      needed_kib, pressure ? "reclaim (host short)" : "reclaim (for others)",
      &result);
  if (pressure && result.reclaimed_kib < needed_kib) {
    SqueezeFairly(config, limits, views, tick,
                  needed_kib - result.reclaimed_kib, &result);
  }
  return result;
}

ShrinkResult ReclaimForStarving(const MemoryPolicyConfig& config,
                                const MemoryThresholds& limits,
                                const std::vector<GuestView>& views,
                                int64_t tick, uint64_t needed_kib,
                                TargetPlan plan) {
  ShrinkResult result;
  result.plan = std::move(plan);
  if (needed_kib == 0) return result;
  TakeAboveFloor(config, limits, views, tick, false, true,
                 config.max_shrink_fraction, needed_kib,
                 "reclaim (a guest is below the low mark)", &result);
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
        v.projected_free_kib <= config.max_unused_kib) {
      continue;
    }
    const uint64_t cap = ToKib(config.max_shrink_fraction * v.actual_kib);
    const uint64_t from = plan.target_kib[i];
    const uint64_t to =
        ShrinkStep(config, from, ShrinkFloorKib(limits, v, false), cap);
    if (to == from) continue;
    result.reclaimed_kib += from - to;
    plan.target_kib[i] = to;
    // Free above the high mark only because of page cache: the guest drops
    // cache under the balloon, one gentle step at a time.
    plan.note[i] = v.unused_kib > config.max_unused_kib ? "release idle"
                                                        : "release page cache";
  }
  result.plan = std::move(plan);
  return result;
}

}  // namespace vmbalance
