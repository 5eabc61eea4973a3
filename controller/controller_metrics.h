// ControllerMetrics: a prometheus-cpp Collectable for what the controllers
// decide and do (pins, balance, balloon targets). The loop publishes one
// immutable ControllerStatus per interval; scrapes read the latest one and
// never touch libvirt. Publish() and Collect() are thread-safe.
#ifndef VMBALANCE_CONTROLLER_CONTROLLER_METRICS_H_
#define VMBALANCE_CONTROLLER_CONTROLLER_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "exporter/core/sample.h"

namespace vmbalance {

struct GuestTarget {
  DomainKey uuid;
  std::string domain;
  uint64_t target_kib = 0;  // 0 when the guest was skipped
  bool stale = false;
};

struct ControllerStatus {
  bool cpu_enabled = false;
  uint64_t pin_changes_total = 0;
  uint64_t pin_failures_total = 0;
  bool balanced = false;
  bool have_cpu_decision = false;
  double decision_seconds = 0;

  bool memory_enabled = false;
  std::vector<GuestTarget> guests;
  uint64_t balloon_grow_total = 0;
  uint64_t balloon_shrink_total = 0;
  uint64_t balloon_failures_total = 0;
  uint64_t host_reserve_kib = 0;
  uint64_t low_mark_kib = 0;
  bool dry_run = false;
};

class ControllerMetrics : public prometheus::Collectable {
 public:
  ControllerMetrics();
  void Publish(std::shared_ptr<const ControllerStatus> status);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const ControllerStatus> status_;  // guarded by mu_
};

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CONTROLLER_METRICS_H_
