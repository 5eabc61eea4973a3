#include "exporter/libvirt/domain_reader.h"

#include <libvirt/virterror.h>

#include <algorithm>
#include <vector>

#include "exporter/libvirt/domain_stats_params.h"
#include "exporter/libvirt/libvirt_errors.h"

namespace vmbalance {

using libvirt_internal::IsNoDomain;
using libvirt_internal::LastLibvirtError;
using libvirt_internal::LibvirtError;

namespace {

RecordRead Failed(const std::string& call, const LibvirtError& error) {
  RecordRead result;
  result.vanished = IsNoDomain(error.code);
  result.error = call + ": " + error.message;
  return result;
}

// Name, UUID and id are cached in the client-side handle: no round trip.
bool ReadIdentity(virDomainPtr dom, DomainSample* out) {
  char uuid[VIR_UUID_STRING_BUFLEN];
  if (virDomainGetUUIDString(dom, uuid) < 0) return false;
  out->uuid = uuid;
  const char* name = virDomainGetName(dom);
  out->name = name != nullptr ? name : "";
  unsigned int id = virDomainGetID(dom);
  out->id = id == static_cast<unsigned int>(-1) ? -1 : static_cast<int>(id);
  return true;
}

// Per vCPU: last pCPU and affinity from virDomainGetVcpus (or only the
// affinity, from virDomainGetVcpuPinInfo, when the domain cannot report where
// its vCPUs run); times and delays from the bulk figures where present.
RecordRead ReadVcpus(virDomainPtr dom, int vcpu_count, int pcpu_count,
                     const DomainStatsParams& stats,
                     std::vector<VcpuSample>* out) {
  // One cpumap per vCPU, each as wide as the host (never one byte).
  const int maplen = VIR_CPU_MAPLEN(std::max(pcpu_count, 1));
  std::vector<unsigned char> cpumaps(static_cast<size_t>(vcpu_count) * maplen);
  std::vector<virVcpuInfo> infos(vcpu_count);
  int filled =
      virDomainGetVcpus(dom, infos.data(), vcpu_count, cpumaps.data(), maplen);
  const bool have_infos = filled >= 0;
  if (!have_infos) {
    LibvirtError error = LastLibvirtError();
    if (IsNoDomain(error.code)) return Failed("virDomainGetVcpus", error);
    filled = virDomainGetVcpuPinInfo(dom, vcpu_count, cpumaps.data(), maplen,
                                     VIR_DOMAIN_AFFECT_LIVE);
    if (filled < 0) {
      return Failed(
          "virDomainGetVcpus: " + error.message + "; virDomainGetVcpuPinInfo",
          LastLibvirtError());
    }
  }
  filled = std::min(filled, vcpu_count);
  out->reserve(filled);
  for (int i = 0; i < filled; ++i) {
    VcpuSample vcpu;
    vcpu.index = have_infos ? static_cast<int>(infos[i].number) : i;
    vcpu.affinity =
        CpuSet::FromCpumap(&cpumaps[static_cast<size_t>(i) * maplen], maplen);
    auto time = stats.vcpu_time_ns.find(vcpu.index);
    if (time != stats.vcpu_time_ns.end()) {
      vcpu.cpu_time_ns = time->second;
    } else if (have_infos) {
      vcpu.cpu_time_ns = infos[i].cpuTime;
    }
    auto delay = stats.vcpu_delay_ns.find(vcpu.index);
    if (delay != stats.vcpu_delay_ns.end()) vcpu.delay_ns = delay->second;
    // A pCPU outside the host's map is not a usable reading (the test
    // driver reports one).
    if (have_infos && infos[i].cpu >= 0 && infos[i].cpu < pcpu_count) {
      vcpu.pcpu = infos[i].cpu;
    }
    out->push_back(std::move(vcpu));
  }
  std::sort(out->begin(), out->end(),
            [](const VcpuSample& a, const VcpuSample& b) {
              return a.index < b.index;
            });
  RecordRead ok;
  ok.ok = true;
  return ok;
}

}  // namespace

RecordRead ReadDomainRecord(const virDomainStatsRecord& record,
                            const virDomainStatsRecord* balloon, int pcpu_count,
                            DomainSample* out) {
  virDomainPtr dom = record.dom;
  if (!ReadIdentity(dom, out)) {
    return Failed("virDomainGetUUIDString", LastLibvirtError());
  }
  DomainStatsParams stats =
      ParseDomainStatsParams(record.params, record.nparams);
  if (balloon != nullptr) {
    stats.balloon =
        ParseDomainStatsParams(balloon->params, balloon->nparams).balloon;
  }
  out->balloon = stats.balloon;
  int vcpu_count = stats.vcpu_current.value_or(-1);
  out->max_memory_kib = stats.balloon.maximum_kib.value_or(0);
  if (stats.state) out->state = DomainStateFromLibvirt(*stats.state);

  // Drivers that leave out the vcpu or balloon groups (test:///) still answer
  // virDomainGetInfo: one extra call only for those.
  if (vcpu_count < 0 || !stats.balloon.maximum_kib || !stats.state) {
    virDomainInfo info;
    if (virDomainGetInfo(dom, &info) < 0) {
      return Failed("virDomainGetInfo", LastLibvirtError());
    }
    if (vcpu_count < 0) vcpu_count = info.nrVirtCpu;
    if (!stats.balloon.maximum_kib) out->max_memory_kib = info.maxMem;
    if (!stats.state) out->state = DomainStateFromLibvirt(info.state);
  }
  if (vcpu_count <= 0) {
    RecordRead ok;
    ok.ok = true;
    return ok;
  }
  return ReadVcpus(dom, vcpu_count, pcpu_count, stats, &out->vcpus);
}

void MergeMonitorStats(const DomainStatsParams& stats, DomainSample* out) {
  out->balloon = stats.balloon;
  if (stats.balloon.maximum_kib)
    out->max_memory_kib = *stats.balloon.maximum_kib;
  for (VcpuSample& vcpu : out->vcpus) {
    auto delay = stats.vcpu_delay_ns.find(vcpu.index);
    if (delay != stats.vcpu_delay_ns.end()) vcpu.delay_ns = delay->second;
  }
}

}  // namespace vmbalance
