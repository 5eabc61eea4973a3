#include "controller/memory/memory_policy.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <sstream>
#include <string_view>
#include <unordered_set>

namespace vmbalance {
namespace {

uint64_t SatSub(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

uint64_t ToKib(double kib) {
  return kib <= 0 ? 0 : static_cast<uint64_t>(std::llround(kib));
}

// One usable guest while a decision is being made.
struct Candidate {
  size_t index = 0;  // into MemoryDecision::guests
  GuestMemoryHistory* history = nullptr;
  uint64_t actual_kib = 0;
  uint64_t used_kib = 0;
  uint64_t max_kib = 0;
  uint64_t current_kib = 0;           // where the balloon is heading
  uint64_t projected_unused_kib = 0;  // unused once current is reached
  uint64_t predicted_kib = 0;         // consumption the trigger looks ahead to
  double rate_kib_s = 0;
  bool growing_in_flight = false;
  bool in_flight = false;
  uint64_t new_target_kib = 0;
  bool granted = false;
  // Set while deciding grants.
  uint64_t urgent_kib = 0;  // to get back to the low mark (+ prediction)
  uint64_t want_kib = 0;    // to reach the target with headroom
};

// The guest's ceiling: its max memory, else what the balloon reports.
uint64_t CeilingKib(const DomainSample& domain, uint64_t actual_kib) {
  if (domain.max_memory_kib > 0) return domain.max_memory_kib;
  if (domain.balloon.maximum_kib) return *domain.balloon.maximum_kib;
  return actual_kib;
}

FreshnessRules RulesOf(const MemoryPolicyConfig& config) {
  FreshnessRules rules;
  rules.stale_after_s = config.stale_after_s;
  rules.stale_after_samples = config.stale_after_samples;
  rules.balloon_tolerance_kib = config.balloon_tolerance_kib;
  rules.inflight_timeout_intervals = config.inflight_timeout_intervals;
  return rules;
}

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

// Lowers c's target by at most `step_cap` toward `lower`; returns the amount
// reclaimed (0 when the change would be below min_change_kib).
uint64_t Shrink(const MemoryPolicyConfig& config, uint64_t lower,
                uint64_t step_cap, Candidate* c) {
  lower = std::max(lower, config.guest_floor_kib);
  const uint64_t from = c->new_target_kib;
  if (from <= lower) return 0;
  const uint64_t to = std::max(lower, SatSub(from, step_cap));
  if (from - to < config.min_change_kib) return 0;
  c->new_target_kib = to;
  return from - to;
}

}  // namespace

MemoryDecision DecideBalloons(const MemoryPolicyConfig& config,
                              const Sample& sample, MemoryPolicyState* state) {
  MemoryDecision decision;
  const int64_t tick = ++state->tick;
  double interval_s = MeasureInterval(sample, state);
  if (interval_s <= 0) interval_s = config.default_interval_s;
  const FreshnessRules rules = RulesOf(config);

  // Forget domains that are gone; observe the others.
  std::unordered_set<std::string_view> present;
  present.reserve(sample.domains.size());
  for (const DomainSample& d : sample.domains) present.insert(d.uuid);
  for (auto it = state->guests.begin(); it != state->guests.end();) {
    it = present.count(it->first) ? std::next(it) : state->guests.erase(it);
  }

  std::vector<Candidate> candidates;
  candidates.reserve(sample.domains.size());
  uint64_t pending_grow_kib = 0;
  uint64_t pending_shrink_kib = 0;
  decision.guests.reserve(sample.domains.size());
  for (const DomainSample& d : sample.domains) {
    GuestMemoryHistory& history = state->guests[d.uuid];
    const GuestObservation seen =
        ObserveGuest(rules, d, sample.wall_time_s, tick, &history);
    GuestMemoryStatus status;
    status.uuid = d.uuid;
    status.domain = d.name;
    status.stale = seen.stale;
    status.why_skipped = seen.why_skipped;
    status.actual_kib = seen.actual_kib;
    status.unused_kib = seen.unused_kib;
    status.consumption_kib_s = seen.consumption_kib_s;
    status.in_flight = seen.target_kib.has_value();
    status.target_kib = seen.target_kib.value_or(seen.actual_kib);
    // In-flight targets count for the host even when a guest's stats are bad.
    if (seen.target_kib) {
      if (*seen.target_kib > seen.actual_kib) {
        pending_grow_kib += *seen.target_kib - seen.actual_kib;
      } else {
        pending_shrink_kib += seen.actual_kib - *seen.target_kib;
      }
    }
    if (seen.usable) {
      Candidate c;
      c.index = decision.guests.size();
      c.history = &history;
      c.actual_kib = seen.actual_kib;
      c.used_kib = seen.used_kib;
      c.max_kib = CeilingKib(d, seen.actual_kib);
      c.current_kib = seen.target_kib.value_or(seen.actual_kib);
      c.in_flight = seen.target_kib.has_value();
      c.growing_in_flight = c.current_kib > c.actual_kib;
      c.projected_unused_kib =
          SatSub(seen.unused_kib + c.current_kib, seen.actual_kib);
      c.rate_kib_s = seen.consumption_kib_s;
      c.predicted_kib =
          std::min(ToKib(c.rate_kib_s * interval_s), config.max_lookahead_kib);
      c.new_target_kib = c.current_kib;
      candidates.push_back(c);
    }
    decision.guests.push_back(std::move(status));
  }

  // The host: its reserve, what it can grant, what it must get back.
  const HostSample& host = sample.host;
  decision.host_reserve_kib =
      std::max(config.host_reserve_kib,
               ToKib(config.host_reserve_fraction * host.memory_total_kib));
  const uint64_t reserve = decision.host_reserve_kib;
  // No host memory figures (the sampler could not read them): grant nothing
  // and take nothing for the host's sake; only idle memory may go back.
  const bool host_known = host.memory_total_kib > 0;
  decision.host_short = host_known && host.memory_free_kib <= reserve;
  decision.grants_in_flight_kib = pending_grow_kib;
  uint64_t budget = (!host_known || decision.host_short)
                        ? 0
                        : SatSub(host.memory_free_kib,
                                 reserve + pending_grow_kib);
  decision.grant_budget_kib = budget;
  // Free memory once every in-flight target is reached. Below the reserve
  // the host is under pressure and takes memory back, with some hysteresis.
  // Exactly at it, grants stop but nothing is taken: our own grants may have
  // brought it there.
  const uint64_t projected_free =
      SatSub(host.memory_free_kib + pending_shrink_kib, pending_grow_kib);
  const bool pressure = host_known && projected_free < reserve;
  uint64_t reclaim_needed =
      pressure ? reserve + config.host_recover_kib - projected_free : 0;

  // Grants: most urgent first; first everyone back to the low mark, then the
  // headroom. Nothing while the host is short.
  std::vector<Candidate*> needy;
  for (Candidate& c : candidates) {
    const uint64_t trigger = config.min_unused_kib + c.predicted_kib;
    if (c.projected_unused_kib >= trigger) continue;
    const uint64_t room = SatSub(c.max_kib, c.current_kib);
    if (room == 0) {
      decision.guests[c.index].note = "needs memory but at max";
      continue;
    }
    const uint64_t lookahead = std::min(
        ToKib(c.rate_kib_s * interval_s * config.grow_lookahead_intervals),
        config.max_lookahead_kib);
    const uint64_t want_unused =
        std::max(config.target_unused_kib, config.min_unused_kib) + lookahead;
    c.want_kib =
        std::min(room, std::max(SatSub(want_unused, c.projected_unused_kib),
                                config.min_change_kib));
    c.urgent_kib =
        std::min(c.want_kib, SatSub(trigger, c.projected_unused_kib));
    needy.push_back(&c);
  }
  std::sort(needy.begin(), needy.end(),
            [](const Candidate* a, const Candidate* b) {
              if (a->urgent_kib != b->urgent_kib)
                return a->urgent_kib > b->urgent_kib;
              return a->index < b->index;
            });
  uint64_t granted_kib = 0;
  uint64_t unmet_kib = 0;
  if (decision.host_short) {
    for (Candidate* c : needy) {
      decision.guests[c->index].note = "needs memory; host short";
    }
  } else {
    std::vector<uint64_t> grant(needy.size(), 0);
    for (int pass = 0; pass < 2; ++pass) {
      for (size_t i = 0; i < needy.size(); ++i) {
        const uint64_t goal =
            pass == 0 ? needy[i]->urgent_kib : needy[i]->want_kib;
        const uint64_t give = std::min(SatSub(goal, grant[i]), budget);
        grant[i] += give;
        budget -= give;
      }
    }
    for (size_t i = 0; i < needy.size(); ++i) {
      Candidate* c = needy[i];
      const bool reaches_max = c->current_kib + grant[i] == c->max_kib;
      if (grant[i] == 0 || (grant[i] < config.min_change_kib && !reaches_max)) {
        budget += grant[i];  // too small to be worth a call: not given
        unmet_kib += c->want_kib;
        decision.guests[c->index].note = "needs memory; no host budget";
        continue;
      }
      unmet_kib += c->want_kib - grant[i];
      c->new_target_kib = c->current_kib + grant[i];
      c->granted = true;
      granted_kib += grant[i];
      decision.guests[c->index].note =
          grant[i] < c->want_kib ? "grow (partial: host budget)" : "grow";
    }
  }
  // Take from the wasteful before giving: what could not be granted now is
  // reclaimed for the next interval, less what is already coming back (under
  // pressure that is already counted in projected_free).
  reclaim_needed +=
      pressure ? unmet_kib : SatSub(unmet_kib, pending_shrink_kib);

  // Reclaim. Under pressure from every guest down to its use plus margin;
  // otherwise only from guests that are not growing, were not just grown,
  // and have been watched long enough to know it, down to the target.
  std::vector<Candidate*> donors;
  for (Candidate& c : candidates) {
    if (c.granted) continue;
    const bool calm =
        !c.in_flight && c.rate_kib_s < config.growing_rate_kib_s &&
        tick - c.history->last_grow_tick >= config.shrink_cooldown_intervals &&
        tick - c.history->first_seen_tick >=
            config.observe_before_shrink_intervals;
    if (pressure || calm) donors.push_back(&c);
  }
  const auto lower_of = [&](const Candidate& c, bool squeeze) {
    const uint64_t margin =
        squeeze ? config.min_unused_kib + config.min_change_kib
                : std::max(config.target_unused_kib, config.min_unused_kib);
    return c.used_kib + margin + c.predicted_kib;
  };
  uint64_t reclaimed_kib = 0;
  if (reclaim_needed > 0) {
    std::sort(
        donors.begin(), donors.end(),
        [&](const Candidate* a, const Candidate* b) {
          const uint64_t ra = SatSub(a->current_kib, lower_of(*a, pressure));
          const uint64_t rb = SatSub(b->current_kib, lower_of(*b, pressure));
          if (ra != rb) return ra > rb;
          return a->index < b->index;
        });
    const double fraction =
        pressure ? config.pressure_shrink_fraction : config.max_shrink_fraction;
    for (Candidate* c : donors) {
      if (reclaimed_kib >= reclaim_needed) break;
      const uint64_t still = reclaim_needed - reclaimed_kib;
      const uint64_t cap = std::min(ToKib(fraction * c->actual_kib),
                                    std::max(still, config.min_change_kib));
      const uint64_t got = Shrink(config, lower_of(*c, pressure), cap, c);
      if (got > 0) {
        reclaimed_kib += got;
        decision.guests[c->index].note =
            pressure ? "reclaim (host short)" : "reclaim (for others)";
      }
    }
  }
  // Gentle release of idle memory: above the high mark, a bounded step.
  for (Candidate* c : donors) {
    if (c->new_target_kib != c->current_kib || c->in_flight) continue;
    if (tick - c->history->last_grow_tick < config.shrink_cooldown_intervals ||
        tick - c->history->first_seen_tick <
            config.observe_before_shrink_intervals) {
      continue;
    }
    if (c->projected_unused_kib <= config.max_unused_kib) continue;
    if (c->rate_kib_s >= config.growing_rate_kib_s) continue;
    const uint64_t cap = ToKib(config.max_shrink_fraction * c->actual_kib);
    const uint64_t got = Shrink(config, lower_of(*c, false), cap, c);
    if (got > 0) {
      reclaimed_kib += got;
      decision.guests[c->index].note = "release idle";
    }
  }

  // Changes: shrinks first, so memory comes back before it is given.
  for (int want_grow = 0; want_grow < 2; ++want_grow) {
    for (Candidate& c : candidates) {
      if (c.new_target_kib == c.current_kib) continue;
      const bool grow = c.new_target_kib > c.current_kib;
      if (grow != (want_grow == 1)) continue;
      GuestMemoryStatus& status = decision.guests[c.index];
      decision.changes.push_back(
          {status.uuid, status.domain, c.actual_kib, c.new_target_kib});
      status.target_kib = c.new_target_kib;
      status.in_flight = c.new_target_kib != c.actual_kib;
      c.history->target_kib = c.new_target_kib;
      c.history->target_set_tick = tick;
      if (grow) c.history->last_grow_tick = tick;
    }
  }

  std::ostringstream reason;
  reason << (pressure              ? "host under reserve"
             : decision.host_short ? "host at reserve"
                                   : "host ok")
         << ": free " << host.memory_free_kib / 1024 << " MiB, reserve "
         << reserve / 1024 << " MiB, in flight +" << pending_grow_kib / 1024
         << "/-" << pending_shrink_kib / 1024 << " MiB; granted "
         << granted_kib / 1024 << " MiB, reclaimed " << reclaimed_kib / 1024
         << " MiB";
  if (unmet_kib > 0) reason << ", unmet " << unmet_kib / 1024 << " MiB";
  decision.reason = reason.str();
  return decision;
}

}  // namespace vmbalance
