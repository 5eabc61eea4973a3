#include "exporter/libvirt/libvirt_host.h"

#include <libvirt/virterror.h>

#include <cstring>
#include <string_view>
#include <vector>

#include "exporter/libvirt/libvirt_errors.h"
#include "exporter/libvirt/libvirt_handles.h"
#include "exporter/libvirt/meminfo.h"

namespace vmbalance {
namespace {

using libvirt_internal::ErrorFromLibvirt;
using libvirt_internal::LastLibvirtError;
using libvirt_internal::LibvirtBytes;

constexpr char kCpuStatsKey[] = "host pCPU times (virNodeGetCPUStats)";
constexpr char kMemoryStatsKey[] =
    "host memory (virNodeGetMemoryStats, all cells)";
constexpr char kMemoryFallbackKey[] =
    "host memory (virNodeGetInfo + virNodeGetFreeMemory)";
constexpr char kUriKey[] = "connection URI (virConnectGetURI)";
constexpr char kAvailableKey[] = "host MemAvailable";

template <typename Field>
std::string_view FieldName(const Field& entry) {
  return std::string_view(entry.field,
                          strnlen(entry.field, sizeof(entry.field)));
}

}  // namespace

StatusOr<HostSample> HostReader::Read(virConnectPtr conn,
                                      FailureLog* failures) {
  HostSample host;
  unsigned char* raw_map = nullptr;
  unsigned int online_count = 0;
  int present = virNodeGetCPUMap(conn, &raw_map, &online_count, 0);
  LibvirtBytes map(raw_map);
  if (present < 0) return ErrorFromLibvirt("virNodeGetCPUMap");
  host.pcpu_count = present;
  host.online_pcpus = CpuSet::FromCpumap(map.get(), VIR_CPU_MAPLEN(present));
  ReadPcpuTimes(conn, failures, &host);
  ReadMemory(conn, failures, &host);
  ReadAvailable(conn, failures, &host);
  return host;
}

void HostReader::ReadAvailable(virConnectPtr conn, FailureLog* failures,
                               HostSample* host) {
  if (!local_) {
    LibvirtBytes uri(reinterpret_cast<unsigned char*>(virConnectGetURI(conn)));
    if (uri == nullptr) {
      // Undecided: asked again next interval; unset until then.
      failures->Fail(kUriKey, ErrorFromLibvirt("virConnectGetURI").message());
      return;
    }
    failures->Clear(kUriKey);
    local_ = is_local_(reinterpret_cast<const char*>(uri.get()));
  }
  if (!*local_) return;
  StatusOr<uint64_t> kib = ReadMemAvailableKib(meminfo_path_);
  if (!kib.ok()) {
    failures->Fail(kAvailableKey, kib.status().message());
    return;
  }
  failures->Clear(kAvailableKey);
  host->memory_available_kib = *kib;
}

void HostReader::ReadPcpuTimes(virConnectPtr conn, FailureLog* failures,
                               HostSample* host) {
  if (cpu_stats_unsupported_) return;
  if (cpu_stats_count_ == 0) {
    int count = 0;
    if (virNodeGetCPUStats(conn, VIR_NODE_CPU_STATS_ALL_CPUS, nullptr, &count,
                           0) < 0 ||
        count <= 0) {
      cpu_stats_unsupported_ = LastLibvirtError().code == VIR_ERR_NO_SUPPORT;
      failures->Fail(kCpuStatsKey, ErrorFromLibvirt("count").message());
      return;
    }
    cpu_stats_count_ = count;
  }
  std::vector<PcpuSample> pcpus;
  std::vector<virNodeCPUStats> stats(cpu_stats_count_);
  for (int cpu : host->online_pcpus.ToVector()) {
    int count = cpu_stats_count_;
    if (virNodeGetCPUStats(conn, cpu, stats.data(), &count, 0) < 0) {
      // All or nothing: a partial host view would skew the host load figures.
      failures->Fail(kCpuStatsKey,
                     ErrorFromLibvirt("pCPU " + std::to_string(cpu)).message());
      return;
    }
    PcpuSample pcpu;
    pcpu.index = cpu;
    bool has_busy = false;
    for (int i = 0; i < count && i < cpu_stats_count_; ++i) {
      std::string_view name = FieldName(stats[i]);
      if (name == VIR_NODE_CPU_STATS_KERNEL ||
          name == VIR_NODE_CPU_STATS_USER) {
        pcpu.busy_ns += stats[i].value;
        has_busy = true;
      } else if (name == VIR_NODE_CPU_STATS_IDLE ||
                 name == VIR_NODE_CPU_STATS_IOWAIT) {
        pcpu.idle_ns += stats[i].value;
      }
    }
    if (!has_busy) {
      failures->Fail(kCpuStatsKey,
                     "no kernel/user time for pCPU " + std::to_string(cpu));
      return;
    }
    pcpus.push_back(pcpu);
  }
  failures->Clear(kCpuStatsKey);
  host->pcpus = std::move(pcpus);
}

void HostReader::ReadMemory(virConnectPtr conn, FailureLog* failures,
                            HostSample* host) {
  if (ReadMemoryStats(conn, failures, host)) return;
  // Fallback for drivers without virNodeGetMemoryStats (e.g. test:///).
  // virNodeGetFreeMemory sums the NUMA cells, which is wrong on some hosts
  // (see notes/testbed.md); memory_source tells readers which they got.
  virNodeInfo info;
  if (virNodeGetInfo(conn, &info) < 0) {
    failures->Fail(kMemoryFallbackKey,
                   ErrorFromLibvirt("virNodeGetInfo").message());
    return;
  }
  unsigned long long free_bytes = virNodeGetFreeMemory(conn);  // NOLINT
  if (free_bytes == 0 && LastLibvirtError().code != VIR_ERR_OK) {
    failures->Fail(kMemoryFallbackKey,
                   ErrorFromLibvirt("virNodeGetFreeMemory").message());
    return;
  }
  failures->Clear(kMemoryFallbackKey);
  host->memory_total_kib = info.memory;
  host->memory_free_kib = free_bytes / 1024;
  host->memory_source = "virNodeGetInfo+virNodeGetFreeMemory";
}

bool HostReader::ReadMemoryStats(virConnectPtr conn, FailureLog* failures,
                                 HostSample* host) {
  if (memory_stats_unsupported_) return false;
  if (memory_stats_count_ == 0) {
    int count = 0;
    if (virNodeGetMemoryStats(conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, nullptr,
                              &count, 0) < 0 ||
        count <= 0) {
      if (LastLibvirtError().code == VIR_ERR_NO_SUPPORT) {
        memory_stats_unsupported_ = true;
        failures->Fail(kMemoryStatsKey,
                       "unsupported by this driver; using the fallback");
      } else {
        failures->Fail(kMemoryStatsKey, ErrorFromLibvirt("count").message());
      }
      return false;
    }
    memory_stats_count_ = count;
  }
  std::vector<virNodeMemoryStats> stats(memory_stats_count_);
  int count = memory_stats_count_;
  if (virNodeGetMemoryStats(conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, stats.data(),
                            &count, 0) < 0) {
    failures->Fail(kMemoryStatsKey,
                   ErrorFromLibvirt("virNodeGetMemoryStats").message());
    return false;
  }
  bool has_total = false;
  bool has_free = false;
  uint64_t total_kib = 0;
  uint64_t free_kib = 0;
  for (int i = 0; i < count && i < memory_stats_count_; ++i) {
    std::string_view name = FieldName(stats[i]);
    if (name == VIR_NODE_MEMORY_STATS_TOTAL) {
      total_kib = stats[i].value;
      has_total = true;
    } else if (name == VIR_NODE_MEMORY_STATS_FREE) {
      free_kib += stats[i].value;
      has_free = true;
    } else if (name == VIR_NODE_MEMORY_STATS_BUFFERS ||
               name == VIR_NODE_MEMORY_STATS_CACHED) {
      // Page cache and buffers are given back on demand: free to the host.
      free_kib += stats[i].value;
    }
  }
  if (!has_total || !has_free) {
    failures->Fail(kMemoryStatsKey, "no total/free figures");
    return false;
  }
  failures->Clear(kMemoryStatsKey);
  host->memory_total_kib = total_kib;
  host->memory_free_kib = free_kib;
  host->memory_source = "virNodeGetMemoryStats";
  return true;
}

}  // namespace vmbalance
