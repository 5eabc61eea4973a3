// DomainConfig: what an operator said about a guest in its libvirt domain XML
// that vmbalance must honour or show: where its vCPUs may run and where its
// memory lives (<vcpu cpuset>, <cputune><vcpupin>, <numatune>), vmbalance's
// own per-domain switch (<vmbalance:policy cpu="off" memory="on"/> in the
// domain's <metadata>), OpenStack Nova's instance metadata, and the
// metadata elements the operator named for labels (--domain_metadata). Plain
// values; exporter/domain_xml reads them from the XML.
#ifndef VMBALANCE_EXPORTER_CORE_DOMAIN_CONFIG_H_
#define VMBALANCE_EXPORTER_CORE_DOMAIN_CONFIG_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exporter/core/cpu_set.h"
#include "exporter/core/memory_backing.h"

namespace vmbalance {

// The namespace of vmbalance's metadata element. Set it with
//   virsh metadata GUEST https://vmbalance.dev/xmlns/policy/1
//     --key vmbalance --set '<policy cpu="off" memory="on"/>' --live --config
// (one command line).
inline constexpr char kPolicyNamespace[] =
    "https://vmbalance.dev/xmlns/policy/1";

enum class PolicySwitch { kDefault, kOn, kOff };

struct DomainPolicy {
  PolicySwitch cpu = PolicySwitch::kDefault;
  PolicySwitch memory = PolicySwitch::kDefault;
};

// The operator's placement: constraints vmbalance pins within, never across.
struct OperatorPlacement {
  std::optional<CpuSet> vcpu_cpuset;   // <vcpu cpuset=...>: every vCPU
  std::map<int, CpuSet> vcpupin;       // <cputune><vcpupin vcpu= cpuset=>
  bool numad = false;                  // <vcpu placement='auto'>
  std::string memory_mode;             // <numatune><memory mode>; "" none
  std::optional<CpuSet> memory_cells;  // <numatune><memory nodeset>

  // The pCPUs vCPU `vcpu` may use by the operator's word (its vcpupin, else
  // the domain's cpuset); nullopt when the operator did not restrict it.
  std::optional<CpuSet> AllowedFor(int vcpu) const {
    auto pin = vcpupin.find(vcpu);
    if (pin != vcpupin.end()) return pin->second;
    return vcpu_cpuset;
  }
  bool restricted() const { return vcpu_cpuset || !vcpupin.empty(); }
};

// OpenStack Nova's <nova:instance> metadata (namespaces
// http://openstack.org/xmlns/libvirt/nova/1.0, 1.1, 1.2, ...). Values are
// label-ready: whitespace collapsed, at most 128 bytes.
struct NovaInstance {
  std::string name;
  std::string flavor;
  std::string project_name;
  std::string project_uuid;
  std::string user_name;
  std::string user_uuid;
};

struct DomainConfig {
  OperatorPlacement placement;
  DomainPolicy policy;
  std::optional<NovaInstance> nova;
  // <memoryBacking> (and shared NUMA cells); nullopt: plain anonymous memory.
  std::optional<MemoryBacking> memory_backing;
  // (label name, value) per --domain_metadata spec, in the flag's order;
  // value "" where this domain's <metadata> lacks it. Empty without specs.
  std::vector<std::pair<std::string, std::string>> metadata_labels;
  // Parts that could not be read, for the log. A vmbalance policy element
  // that cannot be read turns both switches off: when in doubt about what
  // the operator wanted, vmbalance leaves the guest alone.
  std::vector<std::string> problems;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_CORE_DOMAIN_CONFIG_H_
