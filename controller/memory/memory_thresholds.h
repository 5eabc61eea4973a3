// MemoryThresholds: the figures every phase of one memory decision shares,
// derived once from the config and the sample (effective host reserve,
// interval, the margins a guest is grown to or shrunk to). A plain value.
#ifndef VMBALANCE_CONTROLLER_MEMORY_MEMORY_THRESHOLDS_H_
#define VMBALANCE_CONTROLLER_MEMORY_MEMORY_THRESHOLDS_H_

#include <cstdint>

#include "controller/memory/memory_policy_config.h"
#include "exporter/core/sample.h"

namespace vmbalance {

struct MemoryThresholds {
  double interval_s = 0;          // measured, else config.default_interval_s
  bool host_known = false;        // the sample has host memory figures
  uint64_t host_reserve_kib = 0;  // max(floor, fraction of host memory)
  // Unused memory a grow or an idle shrink aims at: the target, never below
  // the low mark.
  uint64_t aim_unused_kib = 0;
  // Unused memory a guest squeezed for the host keeps: the low mark plus one
  // minimum change, so the squeeze does not trigger a grow at once.
  uint64_t squeeze_unused_kib = 0;
  // Seconds of consumption the trigger (and shrink floors) look ahead, and
  // that a grow's headroom covers.
  double trigger_lookahead_s = 0;
  double grow_lookahead_s = 0;
  uint64_t max_lookahead_kib = 0;

  // Consumption expected before the next decision at this rate.
  uint64_t ExpectedKib(double rate_kib_s) const;
  // Headroom a grow adds above aim_unused_kib at this rate.
  uint64_t HeadroomKib(double rate_kib_s) const;
};

// measured_interval_s: the last measured interval between samples (<= 0 when
// not known yet).
// The host memory never given to guests: the larger of the absolute and
// the fractional reserve.
uint64_t HostReserveKib(const MemoryPolicyConfig& config,
                        uint64_t host_total_kib);

MemoryThresholds ComputeThresholds(const MemoryPolicyConfig& config,
                                   const Sample& sample,
                                   double measured_interval_s);

// Saturating a - b (memory figures never go negative).
inline uint64_t SatSub(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

// Rounds a KiB figure computed in floating point; negative is 0.
uint64_t ToKib(double kib);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_MEMORY_MEMORY_THRESHOLDS_H_
