// Actuator: applies a policy's plan through the Hypervisor seam, one call per
// change, and reports exactly which changes the hypervisor accepted and which
// it refused. Only the accepted ones go back to the policies (the closed
// loop). A failure for one domain never stops the others. Stateless.
#ifndef VMBALANCE_CONTROLLER_ACTUATOR_H_
#define VMBALANCE_CONTROLLER_ACTUATOR_H_

#include <string>
#include <vector>

#include "controller/cpu/vcpu_policy.h"
#include "controller/memory/memory_policy.h"
#include "exporter/core/hypervisor.h"

namespace vmbalance {

// What became of one plan.
template <typename Change>
struct Actuation {
  std::vector<Change> applied;        // accepted by the hypervisor, in order
  std::vector<std::string> failures;  // one line per refused call
};
using PinActuation = Actuation<PinChange>;
using BalloonActuation = Actuation<BalloonChange>;

// With dry_run, nothing is called and nothing is applied: the plan is only
// reported, and the policies' state is left as if it had not been made.
PinActuation ApplyPins(Hypervisor* hypervisor,
                       const std::vector<PinChange>& pins, bool dry_run);
BalloonActuation ApplyBalloons(Hypervisor* hypervisor,
                               const std::vector<BalloonChange>& changes,
                               bool dry_run);

// Applied balloon changes that raised a target.
int CountGrown(const BalloonActuation& actuation);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_ACTUATOR_H_
