#include "controller/cpu/vcpu_thresholds.h"

#include <algorithm>

namespace vmbalance {

VcpuThresholds ComputeThresholds(const VcpuPolicyConfig& config,
                                 double placed_mean, double stddev,
                                 double pcpu_noise, double window_margin) {
  VcpuThresholds limits;
  // The SPEC's target, both readings. On a noisy host it can sit below what
  // the measurements resolve; the noise margin keeps that from churning.
  limits.target_stddev = std::max(
      config.min_stddev_floor,
      std::min(config.max_stddev_ratio * placed_mean, config.max_stddev_abs));
  limits.aim_stddev = config.aim_fraction * limits.target_stddev;
  limits.noise_margin = config.noise_factor * pcpu_noise + window_margin;
  limits.noise_ceiling = limits.target_stddev + limits.noise_margin;
  limits.min_gain =
      std::max({config.min_gain_abs, config.min_gain_ratio * stddev,
                limits.noise_margin});
  limits.urgent_stddev =
      config.urgent_factor * limits.target_stddev + limits.noise_margin;
  return limits;
}

}  // namespace vmbalance
