#include "controller/cpu/reading_trust.h"

#include "controller/cpu/format.h"

namespace vmbalance {

std::string DistrustReason(const VcpuPolicyConfig& config, const Usage& usage) {
  if (usage.window_error > config.max_window_error) {
    return FormatReason(
        "readings uncertain: rates may be %.0f%% off (over %.0f%%), the vCPU "
        "counters took long to read: deciding nothing",
        100 * usage.window_error, 100 * config.max_window_error);
  }
  const double resolution =
      usage.interval_s > 0 ? 2 * config.counter_resolution_s / usage.interval_s
                           : 0;
  const double ceiling =
      1 + usage.window_error + config.impossible_demand_margin + resolution;
  for (const DomainUsage& domain : usage.domains) {
    for (const VcpuUsage& vcpu : domain.vcpus) {
      if (vcpu.valid && vcpu.runnable > ceiling) {
        return "readings impossible: a vCPU of " + domain.name +
               FormatReason(" ran or waited %.2f of the interval (over %.2f)",
                            vcpu.runnable, ceiling) +
               ": the stamps do not match the counters; deciding nothing";
      }
    }
  }
  return "";
}

}  // namespace vmbalance
