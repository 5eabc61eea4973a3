// MetricsCollector: the Prometheus view of the latest observation. Holds one
// immutable Snapshot and turns it into MetricFamily values on every scrape.
// Thread-safe: Publish() from the control loop and Collect() from scrape
// threads may run concurrently. Never touches libvirt; Collect() never throws.
#ifndef VMBALANCE_EXPORTER_METRICS_METRICS_COLLECTOR_H_
#define VMBALANCE_EXPORTER_METRICS_METRICS_COLLECTOR_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "exporter/core/sample.h"
#include "exporter/core/usage.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace vmbalance {

// What one tick saw. Without a sample (libvirt down) only libvirt_up and the
// vmbalance_sample_* series are exported.
struct Snapshot {
  bool libvirt_up = false;
  std::optional<Sample> sample;
  std::optional<Usage> usage;
  double sample_duration_seconds = 0;
  uint64_t sample_errors_total = 0;
};

// The families for one snapshot, in base units (bytes, seconds, ratios).
// Pure; exposed for tests and benchmarks.
std::vector<prometheus::MetricFamily> BuildMetricFamilies(
    const Snapshot& snapshot);

class MetricsCollector : public prometheus::Collectable {
 public:
  MetricsCollector();  // starts with an empty snapshot: libvirt_up 0

  // Replaces the snapshot scrapes read. `snapshot` must not be null.
  void Publish(std::shared_ptr<const Snapshot> snapshot);
  std::shared_ptr<const Snapshot> Latest() const;

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> latest_;  // guarded by mutex_; never null
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_METRICS_METRICS_COLLECTOR_H_
