#include "controller/cpu/reading_trust.h"

#include <algorithm>
#include <utility>

#include "controller/cpu/format.h"
#include "controller/cpu/opt_out.h"

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

Usage ActionableUsage(const Usage& usage, HeldVcpus* held) {
  return ActionableUsage(VcpuPolicyConfig(), usage, held);
}

Usage ActionableUsage(const VcpuPolicyConfig& config, const Usage& usage,
                      HeldVcpus* held) {
  Usage actionable = usage;
  held->pcpu_demand.assign(usage.pcpu_demand.size(), 0.0);
  held->domains.clear();
  held->excluded = held->policy_off = 0;
  for (DomainUsage& domain : actionable.domains) {
    const CpuOptOut opt_out = CpuOptOutOf(config.exclude, domain);
    if (opt_out == CpuOptOut::kExcluded) ++held->excluded;
    if (opt_out == CpuOptOut::kPolicyOff) ++held->policy_off;
    if (domain.read == DomainRead::kComplete && opt_out == CpuOptOut::kNone) {
      continue;
    }
    if (opt_out == CpuOptOut::kNone) held->domains.push_back(domain.name);
    for (const VcpuUsage& vcpu : domain.vcpus) {
      if (!vcpu.valid || vcpu.pcpu < 0) continue;
      if (vcpu.pcpu >= static_cast<int>(held->pcpu_demand.size())) {
        held->pcpu_demand.resize(vcpu.pcpu + 1, 0.0);
      }
      // At most one pCPU per thread, whatever a skewed window says.
      held->pcpu_demand[vcpu.pcpu] += std::min(vcpu.demand, 1.0);
    }
    domain.vcpus.clear();
  }
  return actionable;
}

VcpuThresholds ForMissingDelay(const VcpuPolicyConfig& config,
                               const VcpuProblem& problem,
                               VcpuThresholds limits) {
  if (problem.without_delay > 0) limits.min_gain *= config.no_delay_gain_factor;
  return limits;
}

std::string DelayNotice(const VcpuProblem& problem, bool* missing) {
  const bool now = problem.without_delay > 0;
  if (now == *missing) return "";
  *missing = now;
  if (!now) return "vCPU delay counters available again: demand from delay";
  return std::to_string(problem.without_delay) + " of " +
         std::to_string(problem.items.size()) +
         " vCPUs have no delay counter (older kernel or driver): their demand "
         "is their utilisation, which understates it on a crowded pCPU; "
         "acting only on unambiguous imbalance";
}

}  // namespace vmbalance
