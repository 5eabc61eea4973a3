// Actuator: applies a policy's plan through the Hypervisor seam, one call per
// change, and records what succeeded and what failed. A failure for one
// domain never stops the others. Stateless; safe to call from the loop only.
#ifndef VMBALANCE_CONTROLLER_ACTUATOR_H_
#define VMBALANCE_CONTROLLER_ACTUATOR_H_

#include <string>
#include <vector>

#include "controller/cpu/vcpu_policy.h"
#include "controller/memory/memory_policy.h"
#include "exporter/core/hypervisor.h"

namespace vmbalance {

struct ActuationResult {
  int applied = 0;
  int grown = 0;                      // balloon changes that raised a target
  int shrunk = 0;                     // balloon changes that lowered a target
  std::vector<std::string> failures;  // one line per failed call
};

// With dry_run, nothing is called and nothing counts as applied.
ActuationResult ApplyPins(Hypervisor* hypervisor,
                          const std::vector<PinChange>& pins, bool dry_run);
ActuationResult ApplyBalloons(Hypervisor* hypervisor,
                              const std::vector<BalloonChange>& changes,
                              bool dry_run);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_ACTUATOR_H_
