#include "controller/memory/guest_memory_history.h"

#include <algorithm>
#include <cmath>
#include <optional>
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

// Events per second between two readings of a cumulative counter; 0 when
// either is missing or the counter went back (the guest restarted it).
double CounterRate(const std::optional<uint64_t>& before,
                   const std::optional<uint64_t>& now, double dt_s) {
  if (!before || !now || *now < *before || dt_s <= 0) return 0;
  return static_cast<double>(*now - *before) / dt_s;
}

// The consumption rate after a report `dt_s` after the previous one. A rate
// seen over two reports in a row is taken at once (a starving guest cannot
// wait); a one-off jump (a spike) is not a trend and is not extrapolated; a
// falling rate decays.
void UpdateConsumption(const MemoryPolicyConfig& config, double dt_s,
                       uint64_t need_kib, GuestMemoryHistory* history) {
  const double growth =
      (static_cast<double>(need_kib) - static_cast<double>(history->need_kib)) /
      dt_s;
  const double sustained = std::min(growth, history->last_growth_kib_s);
  history->last_growth_kib_s = growth;
  const double old_rate = history->consumption_kib_s;
  history->consumption_kib_s =
      sustained >= old_rate
          ? sustained
          : config.rate_decay_per_report * old_rate +
                (1 - config.rate_decay_per_report) * std::max(sustained, 0.0);
}

// Folds one balloon report into the history: a repeated report counts as
// "not advancing"; a new one updates the consumption and pressure rates.
void RecordReport(const MemoryPolicyConfig& config,
                  const BalloonSample& balloon, int64_t last_update_s,
                  uint64_t actual_kib, uint64_t need_kib,
                  GuestMemoryHistory* history) {
  if (history->has_report && last_update_s == history->last_update_s) {
    ++history->unchanged_samples;
    return;
  }
  if (history->has_report && last_update_s > history->last_update_s) {
    const double dt =
        static_cast<double>(last_update_s - history->last_update_s);
    UpdateConsumption(config, dt, need_kib, history);
    history->major_fault_rate_per_s =
        CounterRate(history->major_faults, balloon.major_faults, dt);
    history->swap_in_kib_s =
        CounterRate(history->swap_in_kib, balloon.swap_in_kib, dt);
  }
  history->has_report = true;
  history->report_actual_kib =
      std::min(actual_kib, history->last_actual_kib.value_or(actual_kib));
  history->last_update_s = last_update_s;
  history->need_kib = need_kib;
  history->major_faults = balloon.major_faults;
  history->swap_in_kib = balloon.swap_in_kib;
  history->unchanged_samples = 0;
}

// Why the guest is under memory pressure; empty when it is not.
std::string PressureOf(const MemoryPolicyConfig& config,
                       const GuestMemoryHistory& history) {
  if (history.major_fault_rate_per_s > config.major_fault_rate_per_s) {
    return "pressure: " +
           std::to_string(std::llround(history.major_fault_rate_per_s)) +
           " major faults/s";
  }
  if (history.swap_in_kib_s > config.swap_in_kib_s) {
    return "pressure: swap-in " +
           std::to_string(std::llround(history.swap_in_kib_s / 1024)) +
           " MiB/s";
  }
  return "";
}

// See MemoryPolicyConfig::qemu_overhead_kib. `fresh`: unused is from a fresh
// report made at no lower actual, so actual - unused is resident now and may
// bound the overhead (a stale figure, or one from before a grow, could
// overstate it and hide unbacked memory).
uint64_t UnbackedKib(const MemoryPolicyConfig& config,
                     const BalloonSample& balloon, const GuestObservation& seen,
                     bool fresh, GuestMemoryHistory* history) {
  const uint64_t heading =
      std::max(seen.actual_kib, seen.target_kib.value_or(0));
  uint64_t backed = 0;
  const uint64_t used =
      seen.actual_kib - std::min(seen.actual_kib, seen.unused_kib);
  if (fresh) backed = used;
  if (balloon.rss_kib) {
    const uint64_t rss = *balloon.rss_kib;
    if (fresh) {
      const uint64_t gap = rss > used ? rss - used : 0;
      history->min_rss_gap_kib =
          std::min(gap, history->min_rss_gap_kib.value_or(gap));
    }
    const uint64_t overhead =
        std::min(config.qemu_overhead_kib,
                 history->min_rss_gap_kib.value_or(config.qemu_overhead_kib));
    backed = std::max(backed, rss > overhead ? rss - overhead : 0);
  }
  history->backed_kib = backed;
  return heading > backed ? heading - backed : 0;
}

// A guest whose figures missed the sampling deadline (see the header). A
// balloon size read in time only raises the commitment: it is live, but the
// backed figure it would be set against is not. A guest never observed
// before has no remembered commitment: like any guest without balloon
// figures it counts only what the policy granted it (nothing yet).
GuestObservation Unreadable(const DomainSample& domain,
                            GuestMemoryHistory* history) {
  GuestObservation seen;
  seen.stale = true;
  seen.why_skipped =
      "unreadable: " + (domain.read_error.empty()
                            ? std::string("missed the sampling deadline")
                            : domain.read_error);
  seen.actual_kib = std::max(domain.balloon.actual_kib.value_or(0),
                             history->last_actual_kib.value_or(0));
  seen.target_kib = history->target_kib;
  if (history->target_kib) ++history->target_set_tick;
  const uint64_t heading =
      std::max(seen.actual_kib, seen.target_kib.value_or(0));
  const uint64_t backed = history->backed_kib.value_or(heading);
  seen.unbacked_kib = heading > backed ? heading - backed : 0;
  return seen;
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

// Why the balloon figures cannot be acted on at all; empty when they can.
std::string WhyNoFigures(const BalloonSample& balloon) {
  if (!balloon.actual_kib) return "no balloon size (no balloon device?)";
  if (!balloon.unused_kib) {
    return "no unused figure (no balloon driver or stats period?)";
  }
  if (!balloon.last_update_s) return "no last_update: freshness unknown";
  return "";
}

// actual - usable when the guest reports usable (its page cache can be
// dropped, so it is not need), else actual - unused.
uint64_t NeedKib(const BalloonSample& balloon, uint64_t actual_kib) {
  const uint64_t spare = balloon.usable_kib.value_or(*balloon.unused_kib);
  return actual_kib > spare ? actual_kib - spare : 0;
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
  if (domain.read == DomainRead::kTimedOut) return Unreadable(domain, history);
  GuestObservation seen;
  const BalloonSample& balloon = domain.balloon;
  if (balloon.actual_kib) {
    seen.actual_kib = *balloon.actual_kib;
    SettleTarget(config, seen.actual_kib, tick, history);
  }
  seen.target_kib = history->target_kib;
  seen.why_skipped = WhyNoFigures(balloon);
  if (!seen.why_skipped.empty()) {
    seen.stale = true;
    seen.unused_kib = balloon.unused_kib.value_or(0);
    seen.unbacked_kib = UnbackedKib(config, balloon, seen, false, history);
    history->last_actual_kib = balloon.actual_kib;
    return seen;
  }
  seen.unused_kib = *balloon.unused_kib;
  seen.need_kib = NeedKib(balloon, seen.actual_kib);
  const int64_t last_update = *balloon.last_update_s;
  RecordReport(config, balloon, last_update, seen.actual_kib, seen.need_kib,
               history);
  seen.consumption_kib_s = history->consumption_kib_s;
  seen.pressure = PressureOf(config, *history);
  seen.why_skipped = Staleness(config, wall_time_s, last_update, *history);
  seen.stale = !seen.why_skipped.empty();
  seen.usable = !seen.stale;
  const bool in_step =
      seen.usable && seen.actual_kib <= history->report_actual_kib;
  seen.unbacked_kib = UnbackedKib(config, balloon, seen, in_step, history);
  history->last_actual_kib = seen.actual_kib;
  return seen;
}

}  // namespace vmbalance
