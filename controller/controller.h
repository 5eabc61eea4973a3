// Controller: the observe-decide-act-commit loop body shared by
// vcpu_scheduler, memory_coordinator and vmbalanced. Each Tick() takes one
// Sample through the Observer (which also publishes the exporter's metrics),
// asks the enabled policies for a plan, applies it through the Hypervisor
// seam, hands back to each policy only the changes the hypervisor accepted
// (refused and dry-run changes never enter policy state), and publishes one
// ControllerStatus. Whether an accepted change took effect is seen only
// through the next Sample. Not thread-safe; one loop owns it.
#ifndef VMBALANCE_CONTROLLER_CONTROLLER_H_
#define VMBALANCE_CONTROLLER_CONTROLLER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controller/actuator.h"
#include "controller/controller_metrics.h"
#include "controller/cpu/vcpu_policy.h"
#include "controller/memory/memory_policy.h"
#include "exporter/core/hypervisor.h"
#include "exporter/observer.h"

namespace vmbalance {

struct ControllerOptions {
  bool cpu = true;       // run the vCPU policy
  bool memory = true;    // run the memory policy
  bool dry_run = false;  // decide and report, never pin or resize
  VcpuPolicyConfig vcpu;
  MemoryPolicyConfig memory_config;
};

// What one tick saw, decided and did; for the per-interval report and tests.
struct TickReport {
  bool sampled = false;
  std::string sample_error;
  std::optional<Sample> sample;
  std::optional<Usage> usage;
  std::optional<VcpuDecision> vcpu;
  double vcpu_decision_seconds = 0;
  PinActuation pins;
  std::optional<MemoryDecision> memory;
  BalloonActuation balloons;
};

class Controller {
 public:
  // hypervisor and the metrics must outlive the Controller. Either metrics
  // pointer may be null (no HTTP endpoint, e.g. in simulation).
  Controller(Hypervisor* hypervisor, ControllerOptions options,
             std::shared_ptr<MetricsCollector> exporter_metrics,
             std::shared_ptr<ControllerMetrics> controller_metrics);

  TickReport Tick();

  uint64_t pin_changes_total() const { return status_.pin_changes_total; }
  uint64_t balloon_changes_total() const {
    return status_.balloon_grow_total + status_.balloon_shrink_total;
  }
  double max_decision_seconds() const { return max_decision_seconds_; }
  const ControllerOptions& options() const { return options_; }

 private:
  // The two halves of a tick after the observation; each decides, acts,
  // commits what was applied and updates the cumulative status.
  void RunVcpuPolicy(TickReport* report);
  void RunMemoryPolicy(TickReport* report);
  // Logs a guest's balloon statistics going missing or stale, and fresh
  // again, once per episode (the tick report repeats it every interval).
  void LogStaleChanges(const Sample& sample, const MemoryDecision& decision);

  Hypervisor* hypervisor_;
  ControllerOptions options_;
  Observer observer_;
  std::shared_ptr<ControllerMetrics> controller_metrics_;
  VcpuPolicyState vcpu_state_;
  MemoryPolicyState memory_state_;
  ControllerStatus status_;  // cumulative counters live here
  double max_decision_seconds_ = 0;
  std::map<DomainKey, std::string> stale_guests_;  // uuid -> name
};

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CONTROLLER_H_
