// Fuzzes ParseDomainConfig, which reads a guest's definition
// (virDomainGetXMLDesc): any text, well-formed or not, with any vcpupin,
// cpuset, numatune and metadata. A definition that parses must yield usable
// constraints: no empty pCPU set, vCPU indices in range, and a policy switch
// that could not be read turned off.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/core/domain_config.h"
#include "exporter/domain_xml/domain_xml.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  vmbalance::StatusOr<vmbalance::DomainConfig> config =
      vmbalance::ParseDomainConfig(text);
  if (!config.ok()) {
    FUZZ_CHECK(!config.status().message().empty());
    return 0;
  }
  const vmbalance::OperatorPlacement& p = config->placement;
  FUZZ_CHECK(!p.vcpu_cpuset || !p.vcpu_cpuset->Empty());
  FUZZ_CHECK(!p.memory_cells || !p.memory_cells->Empty());
  for (const auto& [vcpu, cpus] : p.vcpupin) {
    FUZZ_CHECK(vcpu >= 0);
    FUZZ_CHECK(!cpus.Empty());
    FUZZ_CHECK(p.AllowedFor(vcpu) == cpus);
  }
  FUZZ_CHECK(p.restricted() == (p.vcpu_cpuset || !p.vcpupin.empty()));
  const vmbalance::DomainPolicy& policy = config->policy;
  const bool both_off = policy.cpu == vmbalance::PolicySwitch::kOff &&
                        policy.memory == vmbalance::PolicySwitch::kOff;
  // A problem with the policy element turns both switches off.
  for (const std::string& problem : config->problems) {
    FUZZ_CHECK(!problem.empty());
    if (problem.rfind("vmbalance policy", 0) == 0) FUZZ_CHECK(both_off);
  }
  return 0;
}
