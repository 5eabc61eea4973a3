// Test helper: what the guests felt in a hand-built Usage (usage_builder.h),
// so that tests of the guests'-side judgement can set each vCPU's run time
// and wait and the host's busy ratios. Header-only; for tests.
#ifndef VMBALANCE_CONTROLLER_CPU_FELT_USAGE_H_
#define VMBALANCE_CONTROLLER_CPU_FELT_USAGE_H_

#include <algorithm>
#include <vector>

#include "exporter/core/usage.h"

namespace vmbalance {
namespace testing_usage {

// vCPU 0 of domain `d` (in Usage order) ran `run` and waited `wait` of the
// interval: demand run / (1 - wait), as Derive computes it.
inline void Felt(Usage* usage, int d, double run, double wait) {
  VcpuUsage& vcpu = usage->domains[d].vcpus[0];
  vcpu.utilization = run;
  vcpu.runnable = run + wait;
  vcpu.demand = std::min(1.0, run / std::max(1e-9, 1.0 - wait));
  vcpu.has_delay = true;
}

// The host's own busy ratio per pCPU.
inline void HostBusy(Usage* usage, std::vector<double> busy) {
  usage->pcpu_busy_ratio = std::move(busy);
}

}  // namespace testing_usage
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_FELT_USAGE_H_
