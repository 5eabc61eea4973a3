// Usage: what two consecutive Samples mean. Rates instead of counters: per-vCPU
// utilisation and demand, per-pCPU load and its mean and std-dev. Produced by
// Derive() (derive.h), consumed by the metrics and the vCPU policy.
#ifndef VMBALANCE_EXPORTER_CORE_USAGE_H_
#define VMBALANCE_EXPORTER_CORE_USAGE_H_

#include <optional>
#include <string>
#include <vector>

#include "exporter/core/cpu_set.h"
#include "exporter/core/domain_config.h"
#include "exporter/core/host_topology.h"
#include "exporter/core/sample.h"

namespace vmbalance {

struct VcpuUsage {
  int index = 0;
  // False when there is no usable previous reading (new domain, restart,
  // hot-plugged vCPU, counter reset): the rates below are then 0 and must not
  // be acted on.
  bool valid = false;
  double utilization = 0;  // Δcpu_time / Δwall, fraction of one pCPU
  // What it would use if it never waited for a pCPU: Δcpu_time / (Δwall -
  // Δdelay), the share of its time not spent in the run queue that it ran.
  // Waiting stretches a vCPU's work but not its idle time, so this stays the
  // same wherever the vCPU is placed (a busy vCPU reads 1 even when it gets
  // 1/7 of a pCPU), where (Δcpu_time + Δdelay) / Δwall would grow with its
  // neighbours' load. In [utilization, 1]; = utilization when the host gives
  // no delay figure.
  double demand = 0;
  // (Δcpu_time + Δdelay) / Δwall: the share of the interval it was runnable.
  // At most 1 for any thread; more means the interval does not match the
  // counters' own window.
  double runnable = 0;
  bool has_delay = false;
  int pcpu = -1;  // where its load is attributed
  CpuSet affinity;
};

struct DomainUsage {
  DomainKey uuid;
  std::string name;
  std::vector<VcpuUsage> vcpus;  // index order
  // The Sample's DomainSample::read: when not kComplete, vcpus holds only
  // what was read in time (possibly nothing).
  DomainRead read = DomainRead::kComplete;
  // DomainSample::config: the operator's placement and vmbalance's per-domain
  // switch; nullopt when the source could not read the domain's XML.
  std::optional<DomainConfig> config;
};

struct Usage {
  double interval_s = 0;  // Δwall between the two samples
  // How far one vCPU's own window may be from interval_s, as a fraction of
  // it: each sample's counters were read over a span around its stamp
  // (Sample::vcpu_read_span_ns). Rates are off by up to this fraction.
  double window_error = 0;
  // The likely size of that error: a source that reads domains in the same
  // order each time gives a domain the same place in both reads, so equal
  // spans cancel and only their difference shifts its window (half the
  // difference over the interval, at most). window_error is the bound when
  // the order or the timing within the read changes.
  double window_skew = 0;
  std::vector<DomainUsage> domains;  // sorted by uuid, as in the Sample
  CpuSet online_pcpus;
  // Indexed by pCPU number, size = host pcpu_count. A vCPU pinned to exactly
  // one pCPU counts there; otherwise where it last ran. Offline pCPUs are 0.
  std::vector<double> pcpu_load;
  double load_mean = 0;    // over online pCPUs
  double load_stddev = 0;  // population std-dev over online pCPUs
  // Same attribution as pcpu_load, summing demand instead of utilisation:
  // what each pCPU would carry if nothing waited in its run queue.
  std::vector<double> pcpu_demand;
  double demand_mean = 0;    // over online pCPUs
  double demand_stddev = 0;  // population std-dev over online pCPUs
  // The host's own view (HostSample::pcpus): Δbusy / (Δbusy + Δidle) per
  // pCPU, indexed by pCPU number like pcpu_load; -1 where unknown (no host
  // figures, offline, counter reset). Includes non-guest work.
  std::vector<double> pcpu_busy_ratio;
  // HostSample::topology: cells, cores and SMT siblings; empty when unknown.
  HostTopology topology;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_CORE_USAGE_H_
