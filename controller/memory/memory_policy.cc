#include "controller/memory/memory_policy.h"

#include <sstream>
#include <utility>

#include "controller/memory/grant.h"
#include "controller/memory/guest_views.h"
#include "controller/memory/host_budget.h"
#include "controller/memory/memory_thresholds.h"
#include "controller/memory/reclaim.h"
#include "controller/memory/target_plan.h"

namespace vmbalance {
namespace {

// The interval between this sample and the previous one (monotonic clock,
// else wall clock); the last one measured when this one cannot be.
double MeasureInterval(const Sample& sample, MemoryPolicyState* state) {
  double interval = 0;
  if (state->prev_monotonic_ns > 0 &&
      sample.monotonic_ns > state->prev_monotonic_ns) {
    interval = (sample.monotonic_ns - state->prev_monotonic_ns) / 1e9;
  } else if (state->prev_wall_time_s > 0 &&
             sample.wall_time_s > state->prev_wall_time_s) {
    interval =
        static_cast<double>(sample.wall_time_s - state->prev_wall_time_s);
  }
  if (interval > 0) state->interval_s = interval;
  state->prev_monotonic_ns = sample.monotonic_ns;
  state->prev_wall_time_s = sample.wall_time_s;
  return state->interval_s;
}

std::vector<GuestMemoryStatus> StatusesOf(const Sample& sample,
                                          ObservedGuests* observed) {
  std::vector<GuestMemoryStatus> statuses;
  statuses.reserve(observed->seen.size());
  for (size_t i = 0; i < observed->seen.size(); ++i) {
    GuestObservation& seen = observed->seen[i];
    GuestMemoryStatus status;
    status.uuid = sample.domains[i].uuid;
    status.domain = sample.domains[i].name;
    status.stale = seen.stale;
    status.why_skipped = std::move(seen.why_skipped);
    status.left_alone = std::move(seen.left_alone);
    status.actual_kib = seen.actual_kib;
    status.unused_kib = seen.unused_kib;
    status.consumption_kib_s = seen.consumption_kib_s;
    status.in_flight = seen.target_kib.has_value();
    status.target_kib = seen.target_kib.value_or(seen.actual_kib);
    statuses.push_back(std::move(status));
  }
  return statuses;
}

std::string Reason(const MemoryThresholds& limits, const HostBudget& host,
                   uint64_t granted_kib, uint64_t reclaimed_kib,
                   uint64_t unmet_kib) {
  std::ostringstream reason;
  reason << (host.pressure     ? "host under reserve"
             : host.host_short ? "host at reserve"
                               : "host ok")
         << ": available " << host.free_kib / 1024 << " MiB, unbacked "
         << host.unbacked_kib / 1024 << " MiB, reserve "
         << limits.host_reserve_kib / 1024 << " MiB, in flight +"
         << host.pending_grow_kib / 1024 << "/-"
         << host.pending_shrink_kib / 1024 << " MiB";
  if (host.host_page_cache_kib > 0) {
    reason << ", file-backed guest RAM in host page cache "
           << host.host_page_cache_kib / 1024 << " MiB (not available)";
  }
  reason << "; granted " << granted_kib / 1024 << " MiB, reclaimed "
         << reclaimed_kib / 1024 << " MiB";
  if (unmet_kib > 0) reason << ", unmet " << unmet_kib / 1024 << " MiB";
  return reason.str();
}

}  // namespace

MemoryDecision DecideBalloons(const MemoryPolicyConfig& config,
                              const Sample& sample, MemoryPolicyState* state) {
  const int64_t tick = ++state->tick;
  const MemoryThresholds limits =
      ComputeThresholds(config, sample, MeasureInterval(sample, state));
  ObservedGuests observed =
      ObserveGuests(config, limits, sample, tick, &state->guests);
  const std::vector<GuestView>& views = observed.views;
  const HostBudget host =
      AssessHost(config, limits, sample.host,
                 {observed.unbacked_kib, observed.pending_grow_kib,
                  observed.pending_shrink_kib, observed.host_page_cache_kib});

  GrantResult grants =
      GrantMemory(config, limits, views, host, StartPlan(views));
  ShrinkResult reclaim =
      Reclaim(config, limits, views, tick, host.pressure,
              ReclaimNeeded(host, grants.unmet_kib), std::move(grants.plan));
  // Under pressure the host comes first (Reclaim squeezes everyone);
  // otherwise a starving guest's lack comes from the others' headroom.
  const uint64_t starving =
      host.pressure ? 0
                    : SatSub(grants.starving_kib,
                             host.pending_shrink_kib + reclaim.reclaimed_kib);
  ShrinkResult rescue = ReclaimForStarving(config, limits, views, tick,
                                           starving, std::move(reclaim.plan));
  ShrinkResult idle =
      ReleaseIdle(config, limits, views, tick, std::move(rescue.plan));

  MemoryDecision decision;
  decision.guests = StatusesOf(sample, &observed);
  decision.changes = EmitChanges(views, idle.plan, &decision.guests);
  decision.host_reserve_kib = limits.host_reserve_kib;
  decision.grants_in_flight_kib = host.pending_grow_kib;
  decision.unbacked_kib = host.unbacked_kib;
  decision.grant_budget_kib = host.grant_budget_kib;
  decision.host_short = host.host_short;
  decision.reason =
      Reason(limits, host, grants.granted_kib,
             reclaim.reclaimed_kib + rescue.reclaimed_kib + idle.reclaimed_kib,
             grants.unmet_kib);
  return decision;
}

void CommitBalloons(const std::vector<BalloonChange>& applied,
                    MemoryPolicyState* state) {
  for (const BalloonChange& change : applied) {
    auto it = state->guests.find(change.uuid);
    if (it == state->guests.end()) continue;  // gone since the decision
    GuestMemoryHistory& history = it->second;
    // A grow is one above where the balloon was heading, not just above
    // actual: lowering an in-flight grow is no grow.
    const uint64_t heading = history.target_kib.value_or(change.from_kib);
    if (change.to_kib > heading) history.last_grow_tick = state->tick;
    history.target_kib = change.to_kib;
    history.target_set_tick = state->tick;
  }
}

}  // namespace vmbalance
