// Pure arithmetic of the testbed monitor: turns two readings of every vCPU
// into per-pCPU load (the course monitor's attribution) and judges balance by
// the SPEC's definition. No libvirt, no clocks: plain values in and out.
#ifndef VMBALANCE_TESTS_TESTBED_MONITOR_STATS_H_
#define VMBALANCE_TESTS_TESTBED_MONITOR_STATS_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "exporter/core/cpu_set.h"

namespace vmbalance::testbed {

// One vCPU as read at one instant.
struct VcpuReading {
  uint64_t cpu_time_ns = 0;  // cumulative
  int last_pcpu = -1;        // where it last ran
  CpuSet affinity;           // where it may run
  // When it was read (any monotonic clock), 0 if unknown. Domains are read
  // one after another and libvirtd can be slow under load, so each vCPU's
  // rate uses its own time delta rather than the whole reading's.
  int64_t read_ns = 0;
  // Cumulative time the vCPU thread was runnable but waiting for a pCPU
  // (libvirt's vcpu.N.delay, the host's schedstat run_delay); -1 when not
  // reported. Run time plus wait is what the vCPU wanted: the guests' side
  // of fairness, which per-pCPU load cannot show on saturated pCPUs.
  int64_t delay_ns = -1;
};

// (domain UUID, vCPU number): stable across intervals, unlike list indexes.
using VcpuKey = std::pair<std::string, int>;
using VcpuReadings = std::map<VcpuKey, VcpuReading>;

// The pCPU a vCPU's time is credited to: its only allowed pCPU when pinned
// to one, else the pCPU it last ran on.
int CreditedPcpu(const VcpuReading& r);

// Per-pCPU load in percent of one pCPU over an interval of wall_ns (used
// for vCPUs without read_ns on both sides). vCPUs
// missing from `prev` (new domains) or whose time went backwards (restarts)
// contribute nothing this interval.
std::vector<double> PcpuLoadPercent(const VcpuReadings& prev,
                                    const VcpuReadings& cur, int64_t wall_ns,
                                    int pcpu_count);

// Utilisation of one vCPU in percent of a pCPU; 0 when not in `prev`.
double VcpuPercent(const VcpuReadings& prev, const VcpuKey& key,
                   const VcpuReading& cur, int64_t wall_ns);

// Wait of one vCPU in percent of wall time (time runnable but not running);
// -1 when either reading lacks delay_ns, the vCPU is not in `prev`, or the
// counter went backwards.
double VcpuWaitPercent(const VcpuReadings& prev, const VcpuKey& key,
                       const VcpuReading& cur, int64_t wall_ns);

// How fast a cumulative nanosecond counter grew, in percent of wall_ns
// (e.g. the host's idle time summed over its pCPUs: 100 = one pCPU idle);
// -1 when either value is unknown (< 0), it went backwards, or wall_ns <= 0.
double CounterPercent(int64_t prev_ns, int64_t cur_ns, int64_t wall_ns);

struct LoadSummary {
  double mean = 0;
  double stddev = 0;  // population std-dev, percentage points
  bool balanced = false;
};

// SPEC: balanced when std-dev <= 5% of the mean and <= 5 points.
LoadSummary Summarize(const std::vector<double>& loads);

// vCPUs present in both readings whose affinity differs.
int CountAffinityChanges(const VcpuReadings& prev, const VcpuReadings& cur);

}  // namespace vmbalance::testbed

#endif  // VMBALANCE_TESTS_TESTBED_MONITOR_STATS_H_
