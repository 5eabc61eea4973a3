#include "controller/memory/guest_memory_history.h"

#include <algorithm>
#include <string>

namespace vmbalance {
namespace {

// Drops the in-flight target once the balloon reached it, or once it has had
// long enough (a guest may refuse to give memory back).
void SettleTarget(const MemoryPolicyConfig& config, uint64_t actual_kib,
                  int64_t tick, GuestMemoryHistory* history) {
  if (!history->target_kib) return;
  const uint64_t target = *history->target_kib;
  const uint64_t gap =
      target > actual_kib ? target - actual_kib : actual_kib - target;
  if (gap <= config.balloon_tolerance_kib ||
      tick - history->target_set_tick > config.inflight_timeout_intervals) {
    history->target_kib.reset();
  }
}

// Folds one balloon report into the history: a repeated report counts as
// "not advancing"; a new one updates the consumption rate. A rate seen over
// two reports in a row is taken at once (a starving guest cannot wait); a
// one-off jump (a spike) is not a trend and is not extrapolated; a falling
// rate decays.
void RecordReport(const MemoryPolicyConfig& config, int64_t last_update_s,
                  uint64_t used_kib, GuestMemoryHistory* history) {
  if (history->has_report && last_update_s == history->last_update_s) {
    ++history->unchanged_samples;
    return;
  }
  if (history->has_report && last_update_s > history->last_update_s) {
    const double dt =
        static_cast<double>(last_update_s - history->last_update_s);
    const double growth = (static_cast<double>(used_kib) -
                           static_cast<double>(history->used_kib)) /
                          dt;
    const double sustained = std::min(growth, history->last_growth_kib_s);
    history->last_growth_kib_s = growth;
    const double old_rate = history->consumption_kib_s;
    history->consumption_kib_s =
        sustained >= old_rate
            ? sustained
            : config.rate_decay_per_report * old_rate +
                  (1 - config.rate_decay_per_report) * std::max(sustained, 0.0);
  }
  history->has_report = true;
  history->last_update_s = last_update_s;
  history->used_kib = used_kib;
  history->unchanged_samples = 0;
}

// Why a report is too old to act on; empty when it is fresh.
std::string Staleness(const MemoryPolicyConfig& config, int64_t wall_time_s,
                      int64_t last_update_s,
                      const GuestMemoryHistory& history) {
  const int64_t age_s = wall_time_s - last_update_s;
  if (age_s > config.stale_after_s) {
    return "stale: last_update " + std::to_string(age_s) + " s old";
  }
  if (history.unchanged_samples >= config.stale_after_samples) {
    return "stale: last_update not advancing for " +
           std::to_string(history.unchanged_samples) + " samples";
  }
  return "";
}

}  // namespace

GuestObservation ObserveGuest(const MemoryPolicyConfig& config,
                              const DomainSample& domain, int64_t wall_time_s,
                              int64_t tick, GuestMemoryHistory* history) {
  if (history->id != domain.id) {
    *history = GuestMemoryHistory();  // new domain or restart
    history->id = domain.id;
  }
  if (history->first_seen_tick < 0) history->first_seen_tick = tick;
  GuestObservation seen;
  const BalloonSample& balloon = domain.balloon;
  if (balloon.actual_kib) {
    seen.actual_kib = *balloon.actual_kib;
    SettleTarget(config, seen.actual_kib, tick, history);
  }
  seen.target_kib = history->target_kib;

  if (!balloon.actual_kib || !balloon.unused_kib) {
    seen.stale = true;
    seen.why_skipped = !balloon.actual_kib
                           ? "no balloon size (no balloon device?)"
                           : "no unused figure (no balloon driver or stats "
                             "period?)";
    return seen;
  }
  seen.unused_kib = *balloon.unused_kib;
  seen.used_kib =
      seen.actual_kib > seen.unused_kib ? seen.actual_kib - seen.unused_kib : 0;
  if (!balloon.last_update_s) {
    seen.stale = true;
    seen.why_skipped = "no last_update: freshness unknown";
    return seen;
  }
  const int64_t last_update = *balloon.last_update_s;
  RecordReport(config, last_update, seen.used_kib, history);
  seen.consumption_kib_s = history->consumption_kib_s;

  seen.why_skipped = Staleness(config, wall_time_s, last_update, *history);
  seen.stale = !seen.why_skipped.empty();
  seen.usable = !seen.stale;
  return seen;
}

}  // namespace vmbalance
