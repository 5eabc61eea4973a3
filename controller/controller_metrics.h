// ControllerMetrics: the Prometheus view of what the controllers decide and do
// (pins, balance, balloon targets): a SnapshotCollectable (thread-safe,
// Collect() never throws) over the ControllerStatus the loop publishes once
// per interval, rendered by BuildControllerFamilies. Never touches libvirt.
#ifndef VMBALANCE_CONTROLLER_CONTROLLER_METRICS_H_
#define VMBALANCE_CONTROLLER_CONTROLLER_METRICS_H_

#include <prometheus/metric_family.h>

#include <cstdint>
#include <string>
#include <vector>

#include "exporter/core/sample.h"
#include "exporter/metrics/snapshot_collectable.h"

namespace vmbalance {

struct GuestTarget {
  DomainKey uuid;
  std::string domain;
  uint64_t target_kib = 0;  // 0 when the guest was skipped
  bool stale = false;
  // Why the coordinator leaves the guest alone though its statistics are
  // fine: "hugepages", "locked", "exclude" or "policy"; "" when managed (or
  // stale, which vmbalance_guest_stats_stale shows).
  std::string left_alone;
};

struct ControllerStatus {
  bool cpu_enabled = false;
  uint64_t pin_changes_total = 0;
  uint64_t pin_failures_total = 0;
  bool balanced = false;
  bool have_cpu_decision = false;
  double decision_seconds = 0;
  // Domains the vCPU scheduler leaves alone by the operator's wish, by why:
  // --exclude, and <vmbalance:policy cpu="off"/>.
  int excluded_domains = 0;
  int policy_off_domains = 0;
  // Managed vCPUs whose readings have no delay figure (-1: unknown yet).
  int vcpus_without_delay = -1;

  bool memory_enabled = false;
  std::vector<GuestTarget> guests;
  uint64_t balloon_grow_total = 0;
  uint64_t balloon_shrink_total = 0;
  uint64_t balloon_failures_total = 0;
  uint64_t host_reserve_kib = 0;
  uint64_t untouched_grants_kib = 0;  // granted to guests, not yet backed
  uint64_t low_mark_kib = 0;
  bool dry_run = false;
};

// The families for one status, in base units. Pure; exposed for tests.
std::vector<prometheus::MetricFamily> BuildControllerFamilies(
    const ControllerStatus& status);

class ControllerMetrics : public SnapshotCollectable<ControllerStatus> {
 public:
  ControllerMetrics();  // starts with a default status: nothing enabled
};

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CONTROLLER_METRICS_H_
