// PolicyConfigsFromFlags: turns the controllers' policy flags (--pcpus, the
// memory marks, reserve, floor, step) into the two policies' configs, with a
// clear error for values that make no sense.
#ifndef VMBALANCE_CONTROLLER_POLICY_FLAGS_H_
#define VMBALANCE_CONTROLLER_POLICY_FLAGS_H_

#include "controller/controller.h"
#include "exporter/core/status.h"

namespace vmbalance {

Status PolicyConfigsFromFlags(ControllerOptions* options);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_POLICY_FLAGS_H_
