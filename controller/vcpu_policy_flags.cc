// The vCPU scheduler's flags; defaults from VcpuPolicyConfig.
#include <gflags/gflags.h>

#include <optional>
#include <string>

#include "controller/policy_flags.h"

DEFINE_string(
    pcpus, "",
    "vCPU scheduler: pCPUs it may pin to, in list format (\"0-3,8\"); "
    "empty means every online pCPU.");
DEFINE_string(
    exclude, "",
    "vCPU scheduler: leave domains whose name matches this regular "
    "expression (ECMAScript, matched anywhere in the name; anchor with ^$) "
    "alone: never pinned, their load counts where it runs. Empty: none. "
    "A domain can also opt out in its XML: <vmbalance:policy cpu=\"off\"/>.");
DEFINE_double(balance_ratio, vmbalance::VcpuPolicyConfig().max_stddev_ratio,
              "vCPU scheduler: balanced when the std-dev of pCPU demand is at "
              "most this fraction of the mean...");
DEFINE_double(balance_abs, vmbalance::VcpuPolicyConfig().max_stddev_abs,
              "...and at most this much of one pCPU in absolute terms.");

namespace vmbalance {

const char* VcpuPolicyFlagsFile() { return __FILE__; }

Status VcpuConfigFromFlags(VcpuPolicyConfig* config) {
  std::optional<CpuSet> pcpus = CpuSet::Parse(FLAGS_pcpus);
  if (!pcpus.has_value()) {
    return Status::Error("--pcpus: not a CPU list: \"" + FLAGS_pcpus + "\"");
  }
  if (!(FLAGS_balance_ratio > 0 && FLAGS_balance_ratio < 1) ||
      !(FLAGS_balance_abs > 0 && FLAGS_balance_abs < 1)) {
    return Status::Error("--balance_ratio and --balance_abs must be in (0, 1)");
  }
  std::string error;
  std::optional<DomainFilter> exclude =
      DomainFilter::Parse(FLAGS_exclude, &error);
  if (!exclude.has_value()) return Status::Error("--exclude: " + error);
  config->exclude = *exclude;
  config->allowed_pcpus = *pcpus;
  config->max_stddev_ratio = FLAGS_balance_ratio;
  config->max_stddev_abs = FLAGS_balance_abs;
  return Status::Ok();
}

}  // namespace vmbalance
