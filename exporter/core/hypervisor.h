// Hypervisor: the seam between vmbalance's logic and a host. Two
// implementations: libvirt (libvirt_hypervisor.h) and a deterministic
// simulator used by tests and benchmarks (controller/sim). Not thread-safe:
// one control loop owns an instance and calls it from one thread.
#ifndef VMBALANCE_EXPORTER_CORE_HYPERVISOR_H_
#define VMBALANCE_EXPORTER_CORE_HYPERVISOR_H_

#include <cstdint>
#include <string>

#include "exporter/core/cpu_set.h"
#include "exporter/core/sample.h"
#include "exporter/core/status.h"

namespace vmbalance {

class Hypervisor {
 public:
  virtual ~Hypervisor() = default;

  // Reads every active domain and the host once. Fails only when the host
  // itself cannot be read (e.g. libvirt unreachable); a domain that fails or
  // vanishes mid-read is skipped and counted in Sample::errors. An
  // implementation may reconnect here.
  virtual StatusOr<Sample> Take() = 0;

  // Pins one vCPU of a running domain to the given pCPUs.
  virtual Status PinVcpu(const DomainKey& uuid, int vcpu,
                         const CpuSet& pcpus) = 0;

  // Sets the balloon target of a running domain (virDomainSetMemory).
  virtual Status SetMemory(const DomainKey& uuid, uint64_t memory_kib) = 0;

  // A short human-readable name for logs ("qemu:///system", "sim:file.json").
  virtual std::string Describe() const = 0;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_CORE_HYPERVISOR_H_
