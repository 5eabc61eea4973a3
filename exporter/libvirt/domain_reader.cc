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

// Far above any guest (QEMU's own cap is lower); keeps the reply within
// libvirt's RPC limits (REMOTE_VCPUINFO_MAX). libvirt clamps the answer to
// the vCPUs online (QEMU's qemuDomainHelperGetVcpus, the test driver's
// testDomainGetVcpus), so asking for more than there are costs only reply
// bytes (one cpumap each).
constexpr int kMostVcpusAsked = 8192;

// The affinity alone, from virDomainGetVcpuPinInfo (the definition), when the
// domain cannot report where its vCPUs run: needs the vCPU count, which then
// costs a virDomainGetInfo. -1 with `failed` set when neither answers.
int ReadPinInfoOnly(virDomainPtr dom, int vcpu_count, int maplen,
                    const LibvirtError& vcpus_error,
                    std::vector<unsigned char>* cpumaps, RecordRead* failed) {
  if (vcpu_count < 0) {
    virDomainInfo info;
    if (virDomainGetInfo(dom, &info) < 0) {
      *failed = Failed(
          "virDomainGetVcpus: " + vcpus_error.message + "; virDomainGetInfo",
          LastLibvirtError());
      return -1;
    }
    vcpu_count = info.nrVirtCpu;
  }
  cpumaps->assign(static_cast<size_t>(vcpu_count) * maplen, 0);
  const int filled = virDomainGetVcpuPinInfo(dom, vcpu_count, cpumaps->data(),
                                             maplen, VIR_DOMAIN_AFFECT_LIVE);
  if (filled < 0) {
    *failed = Failed("virDomainGetVcpus: " + vcpus_error.message +
                         "; virDomainGetVcpuPinInfo",
                     LastLibvirtError());
    return -1;
  }
  return std::min(filled, vcpu_count);
}

// Per vCPU: last pCPU and affinity from virDomainGetVcpus (or only the
// affinity, from virDomainGetVcpuPinInfo, when the domain cannot report where
// its vCPUs run); times and delays from the bulk figures where present.
// `vcpu_count` is the domain's vCPU count when known, else -1: then one
// virDomainGetVcpus asks for `vcpus_hint` + 1 (the count read last time)
// and learns the count from the answer, asking again with twice as many only
// when the answer fills the buffer (vCPUs were added).
RecordRead ReadVcpus(virDomainPtr dom, int vcpu_count, int vcpus_hint,
                     int pcpu_count, const DomainStatsParams& stats,
                     std::vector<VcpuSample>* out) {
  // One cpumap per vCPU, each as wide as the host (never one byte).
  const int maplen = VIR_CPU_MAPLEN(std::max(pcpu_count, 1));
  int ask = vcpu_count >= 0 ? vcpu_count : vcpus_hint + 1;
  ask = std::min(std::max(ask, 1), kMostVcpusAsked);
  std::vector<unsigned char> cpumaps;
  std::vector<virVcpuInfo> infos;
  int filled = -1;
  while (true) {
    cpumaps.assign(static_cast<size_t>(ask) * maplen, 0);
    infos.assign(ask, virVcpuInfo{});
    filled = virDomainGetVcpus(dom, infos.data(), ask, cpumaps.data(), maplen);
    if (filled < ask || vcpu_count >= 0 || ask >= kMostVcpusAsked) break;
    ask = std::min(ask * 2, kMostVcpusAsked);
  }
  const bool have_infos = filled >= 0;
  if (!have_infos) {
    LibvirtError error = LastLibvirtError();
    if (IsNoDomain(error.code)) return Failed("virDomainGetVcpus", error);
    RecordRead failed;
    filled = ReadPinInfoOnly(dom, vcpu_count, maplen, error, &cpumaps, &failed);
    if (filled < 0) return failed;
  }
  filled = std::min(filled, static_cast<int>(cpumaps.size()) / maplen);
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
  DomainStatsParams stats =
      ParseDomainStatsParams(record.params, record.nparams);
  if (balloon != nullptr) {
    stats.balloon =
        ParseDomainStatsParams(balloon->params, balloon->nparams).balloon;
  }
  return ReadDomainCounters(record.dom, stats, pcpu_count, nullptr, out);
}

RecordRead ReadDomainCounters(virDomainPtr dom, const DomainStatsParams& stats,
                              int pcpu_count, const KnownFacts* known,
                              DomainSample* out) {
  if (!ReadIdentity(dom, out)) {
    return Failed("virDomainGetUUIDString", LastLibvirtError());
  }
  out->balloon = stats.balloon;
  if (stats.state) out->state = DomainStateFromLibvirt(*stats.state);
  int vcpu_count = stats.vcpu_current.value_or(-1);
  if (known != nullptr) out->max_memory_kib = known->max_memory_kib;
  if (stats.balloon.maximum_kib) {
    out->max_memory_kib = *stats.balloon.maximum_kib;
  }
  if (known == nullptr || !stats.state) {
    virDomainInfo info;
    if (virDomainGetInfo(dom, &info) < 0) {
      return Failed("virDomainGetInfo", LastLibvirtError());
    }
    if (vcpu_count < 0) vcpu_count = info.nrVirtCpu;
    if (!stats.balloon.maximum_kib) out->max_memory_kib = info.maxMem;
    if (!stats.state) out->state = DomainStateFromLibvirt(info.state);
  }
  if (vcpu_count == 0) {
    RecordRead ok;
    ok.ok = true;
    return ok;
  }
  return ReadVcpus(dom, vcpu_count, known != nullptr ? known->vcpus : -1,
                   pcpu_count, stats, &out->vcpus);
}

void MergeMonitorStats(const DomainStatsParams& stats, DomainSample* out) {
  out->balloon = stats.balloon;
  if (stats.balloon.maximum_kib) {
    out->max_memory_kib = *stats.balloon.maximum_kib;
  }
  for (VcpuSample& vcpu : out->vcpus) {
    auto delay = stats.vcpu_delay_ns.find(vcpu.index);
    if (delay != stats.vcpu_delay_ns.end()) vcpu.delay_ns = delay->second;
  }
}

}  // namespace vmbalance
