#include "controller/memory/memory_thresholds.h"

#include <algorithm>
#include <cmath>

namespace vmbalance {

uint64_t ToKib(double kib) {
  return kib <= 0 ? 0 : static_cast<uint64_t>(std::llround(kib));
}

uint64_t MemoryThresholds::ExpectedKib(double rate_kib_s) const {
  return std::min(ToKib(rate_kib_s * trigger_lookahead_s), max_lookahead_kib);
}

uint64_t MemoryThresholds::HeadroomKib(double rate_kib_s) const {
  return std::min(ToKib(rate_kib_s * grow_lookahead_s), max_lookahead_kib);
}

uint64_t HostReserveKib(const MemoryPolicyConfig& config,
                        uint64_t host_total_kib) {
  return std::max(config.host_reserve_kib,
                  ToKib(config.host_reserve_fraction * host_total_kib));
}

MemoryThresholds ComputeThresholds(const MemoryPolicyConfig& config,
                                   const Sample& sample,
                                   double measured_interval_s) {
  MemoryThresholds t;
  t.interval_s =
      measured_interval_s > 0 ? measured_interval_s : config.default_interval_s;
  // No host memory figures (the sampler could not read them): the phases
  // then grant nothing and take nothing for the host's sake.
  t.host_known = sample.host.memory_total_kib > 0;
  t.host_reserve_kib = HostReserveKib(config, sample.host.memory_total_kib);
  t.aim_unused_kib = std::max(config.target_unused_kib, config.min_unused_kib);
  t.squeeze_unused_kib = config.min_unused_kib + config.min_change_kib;
  t.trigger_lookahead_s = t.interval_s * config.trigger_lookahead_intervals;
  t.grow_lookahead_s = t.interval_s * config.grow_lookahead_intervals;
  t.max_lookahead_kib = config.max_lookahead_kib;
  return t;
}

}  // namespace vmbalance
