// LibvirtHypervisor: the Hypervisor seam over a libvirt connection
// (qemu:///system by default). Connects lazily and reconnects with backoff;
// never throws or exits on a libvirt error. Not thread-safe: owned and called
// by one control loop.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_LIBVIRT_HYPERVISOR_H_
#define VMBALANCE_EXPORTER_LIBVIRT_LIBVIRT_HYPERVISOR_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "exporter/core/hypervisor.h"

namespace vmbalance {

class LibvirtHypervisor : public Hypervisor {
 public:
  // Does not connect: the first Take() does. Construction never fails.
  explicit LibvirtHypervisor(std::string uri);
  ~LibvirtHypervisor() override;

  LibvirtHypervisor(const LibvirtHypervisor&) = delete;
  LibvirtHypervisor& operator=(const LibvirtHypervisor&) = delete;

  // Cost per call on qemu:///: 2 virConnectGetAllDomainStats (first state
  // and vcpu, with NOWAIT where the driver takes it, timed and stamped at its
  // middle; then balloon, which goes through each guest's QEMU monitor and
  // may take much longer), merged by UUID; 1 virDomainGetVcpus per domain
  // (last pCPU, affinity); and
  // host calls: 1 virNodeGetCPUMap, 1 virNodeGetCPUStats per online pCPU,
  // 1 virNodeGetMemoryStats; on a connection to this machine, 1 read of
  // /proc/meminfo (and 1 virConnectGetURI per connection to decide that).
  // Once per new domain instance, 1 virDomainSetMemoryStatsPeriod. Fails
  // while libvirt is unreachable (retrying with backoff) or the host's pCPU
  // map cannot be read. Host memory comes from virNodeGetMemoryStats (free +
  // buffers + cached), else virNodeGetInfo + virNodeGetFreeMemory;
  // HostSample::memory_source names which, and is empty (figures 0) when
  // neither answered. HostSample::memory_available_kib (MemAvailable) is set
  // only for this machine (see HostReader and local_host.h).
  StatusOr<Sample> Take() override;
  // Live only (virDomainPinVcpuFlags with VIR_DOMAIN_AFFECT_LIVE), with a
  // cpumap as wide as the host; refuses pCPUs the host does not have.
  Status PinVcpu(const DomainKey& uuid, int vcpu, const CpuSet& pcpus) override;
  // virDomainSetMemoryFlags(VIR_DOMAIN_AFFECT_LIVE); libvirt refuses sizes
  // above the domain's maximum.
  Status SetMemory(const DomainKey& uuid, uint64_t memory_kib) override;
  std::string Describe() const override;

  // True while a connection is open and alive (for libvirt_up).
  bool connected() const;

  // Balloon statistics period set once on every domain instance first seen
  // (new UUID, or same UUID with a new id). Default 1 s; 0 or less leaves the
  // domains' own setting alone.
  void set_stats_period_seconds(int seconds);
  // Reconnect waits: `initial` after the first failure, doubling up to `max`.
  // Defaults 1 s and 30 s.
  void set_reconnect_backoff(std::chrono::milliseconds initial,
                             std::chrono::milliseconds max);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_LIBVIRT_HYPERVISOR_H_
