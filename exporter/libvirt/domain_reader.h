// Reads one domain of a virConnectGetAllDomainStats result into a
// DomainSample: the bulk figures from the record, plus the one per-domain call
// the bulk call cannot replace (virDomainGetVcpus: last pCPU and affinity).
// Thread-safe as far as libvirt is for the record's domain handle.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_DOMAIN_READER_H_
#define VMBALANCE_EXPORTER_LIBVIRT_DOMAIN_READER_H_

#include <libvirt/libvirt.h>

#include <cstdint>
#include <string>

#include "exporter/core/sample.h"
#include "exporter/libvirt/domain_stats_params.h"

namespace vmbalance {

// How reading one domain went. A domain that is not ok must be skipped.
struct RecordRead {
  bool ok = false;
  bool vanished = false;  // destroyed or undefined between list and read
  std::string error;      // libvirt's message when not ok
};

// `record` holds the state and vcpu groups; `balloon`, when not null, is the
// same domain's record from a separate balloon-group call (null when that
// call failed or the domain started between the two). `pcpu_count` is the
// host's width (HostSample::pcpu_count): every cpumap is that wide. Same as
// ReadDomainCounters on the parsed records, as a first read.
RecordRead ReadDomainRecord(const virDomainStatsRecord& record,
                            const virDomainStatsRecord* balloon, int pcpu_count,
                            DomainSample* out);

// What a domain instance's first read learned, for the reads after it.
struct KnownFacts {
  int vcpus = 0;                // vCPUs read last time
  uint64_t max_memory_kib = 0;  // virDomainGetInfo's maxMem
};

// One domain's counters from `stats` (what bulk calls gave) and one
// virDomainGetVcpus (last pCPU, affinity; vCPU times where `stats` lack
// them, delays stay empty then). `known` is null at an instance's first
// read: then one virDomainGetInfo gives the vCPU count and max memory (and
// the state, which it gives whenever `stats` lack it). Later reads
// (`known` from the last one) skip it: max memory is the one read then unless
// `stats` carry balloon.maximum, and virDomainGetVcpus, asked for
// `known->vcpus` + 1 unless `stats` carry vcpu.current, gives the count (and
// asks again with more only when the answer fills that: vCPUs added).
RecordRead ReadDomainCounters(virDomainPtr dom, const DomainStatsParams& stats,
                              int pcpu_count, const KnownFacts* known,
                              DomainSample* out);

// Adds what only the guest's QEMU monitor path gives (see monitor_read.h) to
// a domain read by ReadDomainRecord: vcpu.N.delay per vCPU and the balloon
// figures. vCPU times stay those read with the other domains' (the stamp's).
void MergeMonitorStats(const DomainStatsParams& stats, DomainSample* out);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_DOMAIN_READER_H_
