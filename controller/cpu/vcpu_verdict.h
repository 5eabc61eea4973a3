// VcpuVerdict: how a phase of a vCPU decision ends it early without pins, and
// what it concluded. Plain value.
#ifndef VMBALANCE_CONTROLLER_CPU_VCPU_VERDICT_H_
#define VMBALANCE_CONTROLLER_CPU_VCPU_VERDICT_H_

#include <string>

namespace vmbalance {

struct VcpuVerdict {
  bool balanced = false;    // meets the target, or is the best reachable
  bool at_optimum = false;  // no reachable placement is meaningfully better
  std::string reason;       // one line for the log
};

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_VCPU_VERDICT_H_
