// HostReader: reads the host part of a Sample (online pCPUs, per-pCPU
// busy/idle time, memory total/free, and MemAvailable when the host is this
// machine) over one libvirt connection. Remembers per connection which calls
// the driver lacks, so an unsupported call is not repeated every interval.
// Not thread-safe.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_LIBVIRT_HOST_H_
#define VMBALANCE_EXPORTER_LIBVIRT_LIBVIRT_HOST_H_

#include <libvirt/libvirt.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "exporter/core/sample.h"
#include "exporter/core/status.h"
#include "exporter/libvirt/failure_log.h"
#include "exporter/libvirt/local_host.h"

namespace vmbalance {

class HostReader {
 public:
  using LocalRule = bool (*)(std::string_view uri);
  // `meminfo_path`: where this machine's MemAvailable is read; `is_local`:
  // whether a connection URI is this machine. Tests replace both.
  explicit HostReader(std::string meminfo_path = "/proc/meminfo",
                      LocalRule is_local = IsLocalHostUri)
      : meminfo_path_(std::move(meminfo_path)), is_local_(is_local) {}

  // Fails only when the pCPU map cannot be read. Per-pCPU times and memory
  // are best effort: on failure `pcpus` is empty, or memory is 0 with an
  // empty `memory_source`; the failure is logged once through `failures`.
  // busy_ns = kernel + user, idle_ns = idle + iowait (libvirt's Linux
  // figures: user includes nice, kernel includes irq and softirq).
  // memory_available_kib is set from `meminfo_path` only when the connection
  // is to this machine (`is_local` on virConnectGetURI: IsLocalHostUri, see
  // local_host.h); for remote hosts and the test driver it stays unset and
  // the memory policy uses memory_free_kib (virNodeGetMemoryStats free +
  // buffers + cached) instead. A failed read leaves it unset too.
  StatusOr<HostSample> Read(virConnectPtr conn, FailureLog* failures);

  // Forgets what was learned about the driver (call after reconnecting).
  void Reset() { *this = HostReader(std::move(meminfo_path_), is_local_); }

 private:
  void ReadAvailable(virConnectPtr conn, FailureLog* failures,
                     HostSample* host);
  void ReadPcpuTimes(virConnectPtr conn, FailureLog* failures,
                     HostSample* host);
  void ReadMemory(virConnectPtr conn, FailureLog* failures, HostSample* host);
  bool ReadMemoryStats(virConnectPtr conn, FailureLog* failures,
                       HostSample* host);

  int cpu_stats_count_ = 0;  // parameters per pCPU; 0 until asked
  bool cpu_stats_unsupported_ = false;
  int memory_stats_count_ = 0;
  bool memory_stats_unsupported_ = false;
  std::string meminfo_path_;
  LocalRule is_local_;
  std::optional<bool> local_;  // whether conn is to this machine; once asked
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_LIBVIRT_HOST_H_
