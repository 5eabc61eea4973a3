#include "controller/policy_flags.h"

#include <gflags/gflags.h>

#include <optional>
#include <string>

// Defined here, not with either policy's flags: both controllers honour it,
// and each binary's --helpshort lists this file.
DEFINE_string(
    exclude, "",
    "Leave domains whose name matches this regular expression (ECMAScript, "
    "matched anywhere in the name; anchor with ^$) alone: the vCPU scheduler "
    "never pins them (their load counts where it runs) and the memory "
    "coordinator never resizes them (their memory stays counted). Empty: "
    "none. A domain can also opt out in its XML: "
    "<vmbalance:policy cpu=\"off\" memory=\"off\"/>.");

namespace vmbalance {

const char* SharedPolicyFlagsFile() { return __FILE__; }

StatusOr<DomainFilter> ExcludeFromFlag() {
  std::string error;
  std::optional<DomainFilter> exclude =
      DomainFilter::Parse(FLAGS_exclude, &error);
  if (!exclude.has_value()) return Status::Error("--exclude: " + error);
  return *exclude;
}

Status PolicyConfigsFromFlags(ControllerOptions* options) {
  Status vcpu = VcpuConfigFromFlags(&options->vcpu);
  if (!vcpu.ok()) return vcpu;
  return MemoryConfigFromFlags(&options->memory_config);
}

}  // namespace vmbalance
