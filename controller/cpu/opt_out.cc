#include "controller/cpu/opt_out.h"

namespace vmbalance {

CpuOptOut CpuOptOutOf(const DomainFilter& exclude, const DomainUsage& domain) {
  if (exclude.Matches(domain.name)) return CpuOptOut::kExcluded;
  if (domain.config && domain.config->policy.cpu == PolicySwitch::kOff) {
    return CpuOptOut::kPolicyOff;
  }
  return CpuOptOut::kNone;
}

}  // namespace vmbalance
