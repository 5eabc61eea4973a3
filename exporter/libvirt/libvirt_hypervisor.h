// LibvirtHypervisor: the Hypervisor seam over a libvirt connection
// (qemu:///system by default). Connects lazily and reconnects with backoff;
// never throws or exits on a libvirt error. Every libvirt call that talks to
// libvirtd, opening a connection included (ConnectionOpener), runs on another
// thread and is abandoned at a deadline, so neither a hung guest nor a
// libvirtd slowed by one, nor one that never answers, holds the loop (see
// monitor_read.h for which calls block). Not thread-safe itself: owned and
// called by one control loop.
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

  // Connecting (at the first call, and after a lost connection as the
  // backoff allows) waits up to max(sample deadline, 2 s) for libvirtd's
  // answer; an open that has not returned by then is left to finish in the
  // background and its outcome taken by the next attempt.
  // Cost per call on qemu:///, each on a worker (the loop's own calls and
  // the QEMU-bound ones on separate pools and connections): host calls
  // (1 virNodeGetCPUMap, 1 virNodeGetCPUStats per online pCPU, 1
  // virNodeGetMemoryStats; on a connection to this machine 1 read of
  // /proc/meminfo, and 1 virConnectGetURI per connection to decide that);
  // then 1 virConnectGetAllDomainStats(state) listing the active domains
  // (these two wait up to max(sample deadline, 2 s): they ask no QEMU but
  // wait for libvirtd's locks, held while a guest starts or stops); then,
  // within the sample deadline from there, per domain 1 virDomainGetVcpus
  // (vCPU time, last pCPU, affinity, and the vCPU count; no job, no QEMU),
  // all domains first, the stamp being the middle of the span they were read
  // in (Sample::vcpu_read_span_ns); and per domain, on a connection no other
  // call uses meanwhile, 1 virDomainListGetStats(vcpu, balloon), which asks
  // QEMU (vcpu.N.delay, balloon.*). So 2 round trips per domain and sample.
  // Once per domain instance on top: 1 virDomainGetInfo (vCPU count and max
  // memory, kept for its later reads) and 1 virDomainSetMemoryStatsPeriod;
  // once per domain and QEMU connection (4 kept open), 1
  // virDomainLookupByUUIDString: the handle is kept while the listing shows
  // the domain with the same id. A domain whose calls have
  // not returned by the deadline is kept with read = kTimedOut and only what
  // came back (its vCPUs without delays, or nothing beyond name and state),
  // counted in Sample::errors and logged once per episode; it gets no new
  // call of a kind while the old one is outstanding. Fails while libvirt is
  // unreachable (retrying with backoff), or when the host figures or the
  // listing miss their wait or the host's pCPU map cannot be read. Host
  // memory comes from virNodeGetMemoryStats (free + buffers + cached), else
  // virNodeGetInfo + virNodeGetFreeMemory; HostSample::memory_source names
  // which, and is empty (figures 0) when neither answered.
  // HostSample::memory_available_kib (MemAvailable) is set only for this
  // machine (see HostReader and local_host.h).
  // Not every call: with the host figures, 1 virConnectGetCapabilities per
  // connection and per change of the online pCPU set (TopologyReader, ~0.15
  // s); on the loop's pool, per domain instance when first seen and then
  // every 60 s, 1 virDomainIsPersistent + 2 virDomainGetXMLDesc (no job, no
  // QEMU; DomainConfigReader), waited for up to the domains' deadline. The
  // Sample carries the cached topology and each instance's cached config.
  StatusOr<Sample> Take() override;
  // Live only (virDomainPinVcpuFlags with VIR_DOMAIN_AFFECT_LIVE), with a
  // cpumap as wide as the host; refuses pCPUs the host does not have. Runs
  // on a worker: an error after the sample deadline ("timed out ...; domain
  // marked busy"), and refused at once while the domain has a call
  // outstanding (libvirt would queue it behind that call's job).
  Status PinVcpu(const DomainKey& uuid, int vcpu, const CpuSet& pcpus) override;
  // virDomainSetMemoryFlags(VIR_DOMAIN_AFFECT_LIVE); libvirt refuses sizes
  // above the domain's maximum. Talks to QEMU: on a worker with the same
  // deadline and refusal as PinVcpu.
  Status SetMemory(const DomainKey& uuid, uint64_t memory_kib) override;
  std::string Describe() const override;

  // True while a connection is open and alive (for libvirt_up).
  bool connected() const;

  // Balloon statistics period set once on every domain instance first seen
  // (new UUID, or same UUID with a new id). Default 1 s; 0 or less leaves the
  // domains' own setting alone.
  void set_stats_period_seconds(int seconds);
  // How long Take(), PinVcpu and SetMemory wait for a call that goes
  // through a guest's QEMU monitor. Default 1 s; the binaries set it from
  // --sample_deadline_fraction and --sample_deadline_min_ms.
  void set_sample_deadline(std::chrono::milliseconds deadline);
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
