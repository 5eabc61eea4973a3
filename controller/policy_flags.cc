#include "controller/policy_flags.h"

namespace vmbalance {

Status PolicyConfigsFromFlags(ControllerOptions* options) {
  Status vcpu = VcpuConfigFromFlags(&options->vcpu);
  if (!vcpu.ok()) return vcpu;
  return MemoryConfigFromFlags(&options->memory_config);
}

}  // namespace vmbalance
