#include "tests/testbed/libvirt_reader.h"

#include <libvirt/virterror.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace vmbalance::testbed {
namespace {

struct DomainFree {
  void operator()(virDomainPtr d) const { virDomainFree(d); }
};
using DomainHandle = std::unique_ptr<virDomain, DomainFree>;

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

std::string LastError() {
  const virError* e = virGetLastError();
  return e != nullptr && e->message != nullptr ? e->message : "unknown error";
}

// libvirt prints every error to stderr by default; we report our own.
void QuietErrors(void*, virErrorPtr) {}

std::vector<DomainHandle> ListActive(virConnectPtr conn, bool* ok) {
  virDomainPtr* raw = nullptr;
  const int n =
      virConnectListAllDomains(conn, &raw, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
  std::vector<DomainHandle> out;
  *ok = n >= 0;
  for (int i = 0; i < n; ++i) out.emplace_back(raw[i]);
  free(raw);
  return out;
}

bool ReadVcpus(virDomainPtr dom, const std::string& uuid, int pcpu_count,
               VcpuReadings* out) {
  virDomainInfo info;
  if (virDomainGetInfo(dom, &info) < 0) return false;
  const int n = info.nrVirtCpu;
  const int maplen = VIR_CPU_MAPLEN(pcpu_count);
  std::vector<virVcpuInfo> vcpus(n);
  std::vector<unsigned char> maps(static_cast<size_t>(n) * maplen);
  const int got = virDomainGetVcpus(dom, vcpus.data(), n, maps.data(), maplen);
  if (got < 0) return false;
  const int64_t read_ns = MonotonicNs();
  for (int i = 0; i < got; ++i) {
    VcpuReading r;
    r.cpu_time_ns = vcpus[i].cpuTime;
    r.last_pcpu = vcpus[i].cpu;
    r.read_ns = read_ns;
    r.affinity =
        CpuSet::FromCpumap(VIR_GET_CPUMAP(maps.data(), maplen, i), maplen);
    (*out)[{uuid, static_cast<int>(vcpus[i].number)}] = r;
  }
  return true;
}

// vcpu.N.delay from the stats API (virDomainGetVcpus has no wait figure).
// A vCPU left at delay_ns -1 shows as unknown, never as "no wait".
void ReadVcpuDelays(virDomainPtr dom, const std::string& uuid,
                    VcpuReadings* out) {
  virDomainPtr doms[] = {dom, nullptr};
  virDomainStatsRecordPtr* records = nullptr;
  if (virDomainListGetStats(doms, VIR_DOMAIN_STATS_VCPU, &records, 0) < 0) {
    return;
  }
  for (virDomainStatsRecordPtr* r = records; *r != nullptr; ++r) {
    for (int i = 0; i < (*r)->nparams; ++i) {
      const virTypedParameter& p = (*r)->params[i];
      int vcpu = -1;
      int consumed = 0;
      if (std::sscanf(p.field, "vcpu.%d.delay%n", &vcpu, &consumed) != 1 ||
          p.field[consumed] != '\0' || p.type != VIR_TYPED_PARAM_ULLONG) {
        continue;
      }
      const auto it = out->find({uuid, vcpu});
      if (it != out->end()) {
        it->second.delay_ns = static_cast<int64_t>(p.value.ul);
      }
    }
  }
  virDomainStatsRecordListFree(records);
}

void ReadMemory(virDomainPtr dom, GuestMemory* g) {
  virDomainMemoryStatStruct stats[VIR_DOMAIN_MEMORY_STAT_NR];
  const int n = virDomainMemoryStats(dom, stats, VIR_DOMAIN_MEMORY_STAT_NR, 0);
  for (int i = 0; i < n; ++i) {  // scan tags: the order is not fixed
    const auto v = static_cast<int64_t>(stats[i].val);
    switch (stats[i].tag) {
      case VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON:
        g->actual_kib = v;
        break;
      case VIR_DOMAIN_MEMORY_STAT_UNUSED:
        g->unused_kib = v;
        break;
      case VIR_DOMAIN_MEMORY_STAT_USABLE:
        g->usable_kib = v;
        break;
      case VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE:
        g->last_update_s = v;
        break;
      default:
        break;
    }
  }
}

int64_t HostFreeKib(virConnectPtr conn) {
  int nparams = 0;
  if (virNodeGetMemoryStats(conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, nullptr,
                            &nparams, 0) < 0 ||
      nparams <= 0) {
    return -1;
  }
  std::vector<virNodeMemoryStats> params(nparams);
  if (virNodeGetMemoryStats(conn, VIR_NODE_MEMORY_STATS_ALL_CELLS,
                            params.data(), &nparams, 0) < 0) {
    return -1;
  }
  for (int i = 0; i < nparams; ++i) {
    if (std::string(params[i].field) == VIR_NODE_MEMORY_STATS_FREE) {
      return static_cast<int64_t>(params[i].value);
    }
  }
  return -1;
}

int64_t HostIdleNs(virConnectPtr conn) {
  int nparams = 0;
  if (virNodeGetCPUStats(conn, VIR_NODE_CPU_STATS_ALL_CPUS, nullptr, &nparams,
                         0) < 0 ||
      nparams <= 0) {
    return -1;
  }
  std::vector<virNodeCPUStats> params(nparams);
  if (virNodeGetCPUStats(conn, VIR_NODE_CPU_STATS_ALL_CPUS, params.data(),
                         &nparams, 0) < 0) {
    return -1;
  }
  for (int i = 0; i < nparams; ++i) {
    if (std::string(params[i].field) == VIR_NODE_CPU_STATS_IDLE) {
      return static_cast<int64_t>(params[i].value);
    }
  }
  return -1;
}

}  // namespace

std::unique_ptr<LibvirtReader> LibvirtReader::Connect(const std::string& uri,
                                                      std::string* error) {
  virSetErrorFunc(nullptr, QuietErrors);
  virConnectPtr conn = virConnectOpenReadOnly(uri.c_str());
  if (conn == nullptr) {
    *error = "cannot connect to " + uri + ": " + LastError();
    return nullptr;
  }
  return std::unique_ptr<LibvirtReader>(new LibvirtReader(conn));
}

LibvirtReader::~LibvirtReader() { virConnectClose(conn_); }

bool LibvirtReader::Read(const std::string& prefix, HostReading* out,
                         std::string* error) {
  *out = HostReading{};
  out->monotonic_ns = MonotonicNs();
  out->pcpu_count = virNodeGetCPUMap(conn_, nullptr, nullptr, 0);
  if (out->pcpu_count <= 0) {
    *error = "virNodeGetCPUMap: " + LastError();
    return false;
  }
  out->host_free_kib = HostFreeKib(conn_);
  out->host_idle_ns = HostIdleNs(conn_);
  bool ok = false;
  std::vector<DomainHandle> domains = ListActive(conn_, &ok);
  if (!ok) {
    *error = "virConnectListAllDomains: " + LastError();
    return false;
  }
  for (const DomainHandle& dom : domains) {
    const char* name = virDomainGetName(dom.get());
    char uuid[VIR_UUID_STRING_BUFLEN];
    if (name == nullptr || virDomainGetUUIDString(dom.get(), uuid) < 0)
      continue;
    if (std::string(name).rfind(prefix, 0) != 0) continue;
    if (!ReadVcpus(dom.get(), uuid, out->pcpu_count, &out->vcpus)) continue;
    ReadVcpuDelays(dom.get(), uuid, &out->vcpus);
    GuestMemory g;
    g.uuid = uuid;
    g.name = name;
    ReadMemory(dom.get(), &g);
    out->guests.push_back(std::move(g));
  }
  std::sort(out->guests.begin(), out->guests.end(),
            [](const GuestMemory& a, const GuestMemory& b) {
              return a.name < b.name;
            });
  return true;
}

}  // namespace vmbalance::testbed
