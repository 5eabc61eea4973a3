// VcpuThresholds: the figures one vCPU decision judges by, computed once per
// decision from the config and what the assessment measured, then passed to
// every later phase so that none of them derives its own. Plain value.
#ifndef VMBALANCE_CONTROLLER_CPU_VCPU_THRESHOLDS_H_
#define VMBALANCE_CONTROLLER_CPU_VCPU_THRESHOLDS_H_

#include "controller/cpu/vcpu_policy_config.h"

namespace vmbalance {

struct VcpuThresholds {
  // Balanced at or below: the SPEC's two readings, never below the floor.
  double target_stddev = 0;
  // What a plan aims at: below the target, leaving room for noise.
  double aim_stddev = 0;
  // What measurement noise and this interval's read window can explain.
  double noise_margin = 0;
  // Within noise (balanced enough) at or below: target + noise margin.
  double noise_ceiling = 0;
  // A plan must lower the std-dev by at least this to be worth its pins.
  double min_gain = 0;
  // Above this std-dev an imbalance is acted on without waiting for a
  // second reading.
  double urgent_stddev = 0;
};

// `placed_mean`: mean pCPU demand once every vCPU is placed; `stddev`: of
// pCPU demand now; `pcpu_noise`: typical measured noise of one pCPU's
// demand; `window_margin`: what the read window can do to it.
VcpuThresholds ComputeThresholds(const VcpuPolicyConfig& config,
                                 double placed_mean, double stddev,
                                 double pcpu_noise, double window_margin);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_VCPU_THRESHOLDS_H_
