#include "controller/memory/guest_views.h"

#include <iterator>
#include <string_view>
#include <unordered_set>

#include "controller/memory/backing_rule.h"

namespace vmbalance {
namespace {

// The guest's ceiling: its max memory, else what the balloon reports.
uint64_t CeilingKib(const DomainSample& domain, uint64_t actual_kib) {
  if (domain.max_memory_kib > 0) return domain.max_memory_kib;
  if (domain.balloon.maximum_kib) return *domain.balloon.maximum_kib;
  return actual_kib;
}

void ForgetVanished(const Sample& sample,
                    std::map<DomainKey, GuestMemoryHistory>* guests) {
  std::unordered_set<std::string_view> present;
  present.reserve(sample.domains.size());
  for (const DomainSample& d : sample.domains) present.insert(d.uuid);
  for (auto it = guests->begin(); it != guests->end();) {
    it = present.count(it->first) ? std::next(it) : guests->erase(it);
  }
}

GuestView ViewOf(const MemoryThresholds& limits, const DomainSample& domain,
                 const GuestObservation& seen,
                 const GuestMemoryHistory& history) {
  GuestView v;
  v.actual_kib = seen.actual_kib;
  v.unused_kib = seen.unused_kib;
  v.need_kib = seen.need_kib;
  v.max_kib = CeilingKib(domain, seen.actual_kib);
  v.current_kib = seen.target_kib.value_or(seen.actual_kib);
  v.in_flight = seen.target_kib.has_value();
  v.projected_free_kib = SatSub(v.current_kib, seen.need_kib);
  v.pressure = seen.pressure;
  v.rate_kib_s = seen.consumption_kib_s;
  v.expected_kib = limits.ExpectedKib(v.rate_kib_s);
  v.last_grow_tick = history.last_grow_tick;
  v.first_seen_tick = history.first_seen_tick;
  return v;
}

// What the guest may still touch and its in-flight target, into the sums.
void AddCommitments(const GuestObservation& seen, ObservedGuests* out) {
  out->unbacked_kib += seen.unbacked_kib;
  if (!seen.target_kib) return;
  if (*seen.target_kib > seen.actual_kib) {
    out->pending_grow_kib += *seen.target_kib - seen.actual_kib;
  } else {
    out->pending_shrink_kib += seen.actual_kib - *seen.target_kib;
  }
}

}  // namespace

ObservedGuests ObserveGuests(const MemoryPolicyConfig& config,
                             const MemoryThresholds& limits,
                             const Sample& sample, int64_t tick,
                             std::map<DomainKey, GuestMemoryHistory>* guests) {
  ForgetVanished(sample, guests);
  ObservedGuests out;
  out.seen.reserve(sample.domains.size());
  for (size_t i = 0; i < sample.domains.size(); ++i) {
    const DomainSample& d = sample.domains[i];
    GuestMemoryHistory& history = (*guests)[d.uuid];
    GuestObservation seen =
        ObserveGuest(config, d, sample.wall_time_s, tick, &history);
    const BackingRule rule = MemoryRuleFor(config.exclude, d);
    if (!rule.leave_alone.empty() && seen.usable) {
      seen.usable = false;
      seen.why_skipped = rule.leave_alone;
      seen.left_alone = rule.kind;
    }
    if (rule.host_page_cache) {
      out.host_page_cache_kib += history.backed_kib.value_or(seen.actual_kib);
    }
    if (rule.counts_against_available) AddCommitments(seen, &out);
    if (seen.usable) {
      out.views.push_back(ViewOf(limits, d, seen, history));
      out.views.back().domain_index = i;
    }
    out.seen.push_back(std::move(seen));
  }
  return out;
}

}  // namespace vmbalance
