// MetricsCollector: the Prometheus view of the latest observation: a
// SnapshotCollectable (thread-safe, Collect() never throws) over one
// immutable Snapshot, rendered by BuildMetricFamilies. Never touches libvirt.
#ifndef VMBALANCE_EXPORTER_METRICS_METRICS_COLLECTOR_H_
#define VMBALANCE_EXPORTER_METRICS_METRICS_COLLECTOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "exporter/core/sample.h"
#include "exporter/core/usage.h"
#include "exporter/metrics/snapshot_collectable.h"
#include "prometheus/metric_family.h"

namespace vmbalance {

// What the Observer follows per domain across ticks, for the fault series:
// kept by UUID while the domain stays in the Samples (and through a failed
// Take), forgotten when it leaves them.
struct DomainHealth {
  DomainKey uuid;
  std::string name;
  bool readable = true;              // read == kComplete in this sample
  uint64_t read_timeouts_total = 0;  // samples it was read kTimedOut
  uint64_t restarts_total = 0;       // new ids seen under its UUID
};

// What one tick saw. Without a sample (libvirt down) only libvirt_up and the
// vmbalance_sample_* series are exported.
struct Snapshot {
  bool libvirt_up = false;
  std::optional<Sample> sample;
  std::optional<Usage> usage;
  std::vector<DomainHealth> health;  // one per sample domain, in its order
  double sample_duration_seconds = 0;
  uint64_t sample_errors_total = 0;
  // --domain_metadata_labels: libvirt_domain_openstack_info per domain
  // with Nova metadata (opt-in: labels operators may not want exported).
  bool domain_metadata_labels = false;
};

// The families for one snapshot, in base units (bytes, seconds, ratios).
// Pure; exposed for tests and benchmarks.
std::vector<prometheus::MetricFamily> BuildMetricFamilies(
    const Snapshot& snapshot);

// The exporter's metrics: BuildMetricFamilies over the latest Snapshot.
class MetricsCollector : public SnapshotCollectable<Snapshot> {
 public:
  MetricsCollector();  // starts with an empty snapshot: libvirt_up 0
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_METRICS_METRICS_COLLECTOR_H_
