// HostReader: reads the host part of a Sample (online pCPUs, per-pCPU
// busy/idle time, memory total/free) over one libvirt connection. Remembers
// per connection which calls the driver lacks, so an unsupported call is not
// repeated every interval. Not thread-safe.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_LIBVIRT_HOST_H_
#define VMBALANCE_EXPORTER_LIBVIRT_LIBVIRT_HOST_H_

#include <libvirt/libvirt.h>

#include "exporter/libvirt/failure_log.h"
#include "exporter/core/sample.h"
#include "exporter/core/status.h"

namespace vmbalance {

class HostReader {
 public:
  // Fails only when the pCPU map cannot be read. Per-pCPU times and memory
  // are best effort: on failure `pcpus` is empty, or memory is 0 with an
  // empty `memory_source`; the failure is logged once through `failures`.
  // busy_ns = kernel + user, idle_ns = idle + iowait (libvirt's Linux
  // figures: user includes nice, kernel includes irq and softirq).
  StatusOr<HostSample> Read(virConnectPtr conn, FailureLog* failures);

  // Forgets what was learned about the driver (call after reconnecting).
  void Reset() { *this = HostReader(); }

 private:
  void ReadPcpuTimes(virConnectPtr conn, FailureLog* failures,
                     HostSample* host);
  void ReadMemory(virConnectPtr conn, FailureLog* failures, HostSample* host);
  bool ReadMemoryStats(virConnectPtr conn, FailureLog* failures,
                       HostSample* host);

  int cpu_stats_count_ = 0;  // parameters per pCPU; 0 until asked
  bool cpu_stats_unsupported_ = false;
  int memory_stats_count_ = 0;
  bool memory_stats_unsupported_ = false;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_LIBVIRT_HOST_H_
