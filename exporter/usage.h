// Usage: what two consecutive Samples mean. Rates instead of counters: per-vCPU
// utilisation and demand, per-pCPU load and its mean and std-dev. Produced by
// Derive() (derive.h), consumed by the metrics and the vCPU policy.
#ifndef VMBALANCE_EXPORTER_USAGE_H_
#define VMBALANCE_EXPORTER_USAGE_H_

#include <optional>
#include <string>
#include <vector>

#include "exporter/cpu_set.h"
#include "exporter/sample.h"

namespace vmbalance {

struct VcpuUsage {
  int index = 0;
  // False when there is no usable previous reading (new domain, restart,
  // hot-plugged vCPU, counter reset): the rates below are then 0 and must not
  // be acted on.
  bool valid = false;
  double utilization = 0;  // Δcpu_time / Δwall, fraction of one pCPU
  double demand = 0;       // (Δcpu_time + Δdelay) / Δwall; = utilization when
                           // the host gives no delay figure
  bool has_delay = false;
  int pcpu = -1;           // where its load is attributed
  CpuSet affinity;
};

struct DomainUsage {
  DomainKey uuid;
  std::string name;
  std::vector<VcpuUsage> vcpus;  // index order
};

struct Usage {
  double interval_s = 0;          // Δwall between the two samples
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
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_USAGE_H_
