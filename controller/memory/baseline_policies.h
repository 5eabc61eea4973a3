// Two reference balloon policies the real one is measured against in the
// closed-loop harness (controller/closed_loop, test-only): the fixed-threshold
// rule of earlier course attempts, and a re-statement of oVirt MOM's default
// balloon rules. Both are pure functions of one Sample; neither is meant for
// production.
#ifndef VMBALANCE_CONTROLLER_MEMORY_BASELINE_POLICIES_H_
#define VMBALANCE_CONTROLLER_MEMORY_BASELINE_POLICIES_H_

#include <vector>

#include "controller/memory/memory_policy.h"
#include "exporter/core/sample.h"

namespace vmbalance {

// Course style: unused < 100 MiB and host free > 200 MiB => +100 MiB;
// unused > 150 MiB => -20 MiB (not below 200 MiB). No rate, no memory of
// what is in flight: the pattern behind the measured +100/-20 sawtooth.
std::vector<BalloonChange> DecideFixedThresholds(const Sample& sample);

// MOM's default rules: host free < 20% of total => every guest shrinks by 5%
// of its size per step, not below used + a free share that scales with the
// pressure (and goes negative, i.e. below use, at critical pressure < 5%);
// otherwise every guest grows by 5% toward its max, at least to used + 20% of
// max. Changes under 0.25% are skipped.
std::vector<BalloonChange> DecideMomLike(const Sample& sample);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_MEMORY_BASELINE_POLICIES_H_
