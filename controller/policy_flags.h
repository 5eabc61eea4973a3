// Policy flags: the controllers' command-line view of VcpuPolicyConfig and
// MemoryPolicyConfig. Every flag's default is read from a default-constructed
// config, so the structs are the one place a default lives. The vCPU and the
// memory flags are defined in two files so that a binary's --helpshort (which
// lists flags by defining file) shows only the policies it runs.
#ifndef VMBALANCE_CONTROLLER_POLICY_FLAGS_H_
#define VMBALANCE_CONTROLLER_POLICY_FLAGS_H_

#include <cstdint>

#include "controller/controller.h"
#include "controller/domain_filter.h"
#include "exporter/core/status.h"

namespace vmbalance {

// The flags speak MiB, the configs KiB.
constexpr uint64_t kKibPerMib = 1024;
constexpr int64_t MibFromKib(uint64_t kib) {
  return static_cast<int64_t>(kib / kKibPerMib);
}
constexpr uint64_t KibFromMib(int64_t mib) {
  return static_cast<uint64_t>(mib) * kKibPerMib;
}

// Each overwrites only the fields its flags stand for (and what follows from
// them), so a flag left at its default leaves the struct's value; returns a
// message naming the flag for a value that makes no sense.
Status VcpuConfigFromFlags(VcpuPolicyConfig* config);  // vcpu_policy_flags.cc
Status MemoryConfigFromFlags(
    MemoryPolicyConfig* config);  // memory_policy_flags.cc
// --exclude, parsed: both of the above take it from here; an error naming
// the flag for a pattern that does not compile.
StatusOr<DomainFilter> ExcludeFromFlag();  // policy_flags.cc
// Both of the above, into options->vcpu and options->memory_config.
Status PolicyConfigsFromFlags(ControllerOptions* options);

// The files defining each set of flags, for --helpshort's filter; the
// shared one (--exclude) serves both controllers.
const char* VcpuPolicyFlagsFile();
const char* MemoryPolicyFlagsFile();
const char* SharedPolicyFlagsFile();

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_POLICY_FLAGS_H_
