#include "controller/sim/faults.h"

#include <algorithm>

namespace vmbalance {
namespace sim {
namespace {

bool Scheduled(const std::vector<int64_t>& ascending, int64_t tick) {
  return std::binary_search(ascending.begin(), ascending.end(), tick);
}

}  // namespace

bool Faults::TakeFails(int64_t tick) const {
  return Scheduled(scenario_->fail_take_at, tick);
}

bool Faults::CallsRefused(int64_t tick) const {
  return Scheduled(scenario_->fail_calls_at, tick);
}

bool Faults::SlowRead(int64_t tick) const {
  return Scheduled(scenario_->slow_read_at, tick);
}

double Faults::ReadSpanS(int64_t tick) const {
  return SlowRead(tick) ? scenario_->slow_read_span_s : scenario_->read_span_s;
}

bool Faults::StatsFrozen(size_t index, int64_t tick) const {
  const DomainSpec& spec = scenario_->domains[index];
  return spec.stats_stale_from && tick >= *spec.stats_stale_from;
}

bool Faults::Runs(size_t index, int64_t tick) const {
  const DomainSpec& spec = scenario_->domains[index];
  return spec.start <= tick && (!spec.stop || tick < *spec.stop);
}

bool Faults::RestartsAt(size_t index, int64_t tick) const {
  return Scheduled(scenario_->domains[index].restart_at, tick);
}

bool Faults::Hung(size_t index, int64_t tick) const {
  const std::optional<HangSpec>& hang = scenario_->domains[index].hang;
  return hang && tick >= hang->from_tick &&
         tick - hang->from_tick < hang->ticks;
}

}  // namespace sim
}  // namespace vmbalance
