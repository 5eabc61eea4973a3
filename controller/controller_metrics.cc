#include "controller/controller_metrics.h"

#include <memory>
#include <utility>

#include "exporter/metrics/metric_family_builder.h"

namespace vmbalance {
namespace {

constexpr double kBytesPerKib = 1024.0;

void AppendCpuFamilies(const ControllerStatus& status,
                       std::vector<prometheus::MetricFamily>* out) {
  MetricFamilyBuilder::Counter("vmbalance_vcpu_pin_changes_total",
                               "vCPU pin changes applied by the scheduler.")
      .Add(static_cast<double>(status.pin_changes_total))
      .AppendTo(out);
  MetricFamilyBuilder::Counter(
      "vmbalance_vcpu_pin_failures_total",
      "vCPU pin changes the scheduler attempted and libvirt refused.")
      .Add(static_cast<double>(status.pin_failures_total))
      .AppendTo(out);
  if (!status.have_cpu_decision) return;
  MetricFamilyBuilder::Gauge(
      "vmbalance_balanced",
      "1 when pCPU demand is balanced (or at the best reachable assignment) "
      "in the scheduler's view, else 0.")
      .Add(status.balanced ? 1 : 0)
      .AppendTo(out);
  MetricFamilyBuilder::Gauge("vmbalance_decision_duration_seconds",
                             "Time the vCPU policy took for its last decision.")
      .Add(status.decision_seconds)
      .AppendTo(out);
  MetricFamilyBuilder::Gauge(
      "vmbalance_vcpu_scheduler_excluded_domains",
      "Domains the vCPU scheduler leaves alone by the operator's wish, by "
      "reason: exclude (--exclude) or policy (<vmbalance:policy "
      "cpu=\"off\"/>).")
      .Add(status.excluded_domains, {{"reason", "exclude"}})
      .Add(status.policy_off_domains, {{"reason", "policy"}})
      .AppendTo(out);
  if (status.vcpus_without_delay < 0) return;
  MetricFamilyBuilder::Gauge(
      "vmbalance_vcpu_without_delay",
      "Managed vCPUs whose readings carry no delay (run-queue wait) figure: "
      "their demand is their utilisation, and only unambiguous imbalance is "
      "acted on. 0 when every vCPU has one.")
      .Add(status.vcpus_without_delay)
      .AppendTo(out);
}

void AppendMemoryFamilies(const ControllerStatus& status,
                          std::vector<prometheus::MetricFamily>* out) {
  auto target = MetricFamilyBuilder::Gauge(
      "vmbalance_memory_target_bytes",
      "Balloon size the memory coordinator wants for each guest.");
  auto stale = MetricFamilyBuilder::Gauge(
      "vmbalance_guest_stats_stale",
      "1 when a guest's balloon statistics are missing or stale, so the "
      "coordinator leaves it alone.");
  // One series per guest left alone (1), none for the others: a guest's
  // reason is a label, and a 0 for every other reason would only multiply
  // series.
  auto left_alone = MetricFamilyBuilder::Gauge(
      "vmbalance_memory_left_alone",
      "1 for each guest the memory coordinator never resizes though its "
      "statistics are fine, by reason: hugepages or locked (its memory "
      "backing), exclude (--exclude) or policy (<vmbalance:policy "
      "memory=\"off\"/>).");
  for (const GuestTarget& guest : status.guests) {
    MetricLabels labels{{"domain", guest.domain}, {"uuid", guest.uuid}};
    if (!guest.stale && guest.target_kib > 0) {
      target.Add(guest.target_kib * kBytesPerKib, labels);
    }
    if (!guest.left_alone.empty()) {
      MetricLabels reason = labels;
      reason.push_back({"reason", guest.left_alone});
      left_alone.Add(1, std::move(reason));
    }
    stale.Add(guest.stale ? 1 : 0, std::move(labels));
  }
  target.AppendTo(out);
  stale.AppendTo(out);
  left_alone.AppendTo(out);
  MetricFamilyBuilder::Counter(
      "vmbalance_balloon_changes_total",
      "Balloon resizes applied by the memory coordinator, by direction.")
      .Add(static_cast<double>(status.balloon_grow_total),
           {{"direction", "grow"}})
      .Add(static_cast<double>(status.balloon_shrink_total),
           {{"direction", "shrink"}})
      .AppendTo(out);
  MetricFamilyBuilder::Counter(
      "vmbalance_balloon_failures_total",
      "Balloon resizes the coordinator attempted and libvirt refused.")
      .Add(static_cast<double>(status.balloon_failures_total))
      .AppendTo(out);
  MetricFamilyBuilder::Gauge("vmbalance_memory_host_reserve_bytes",
                             "Host memory the coordinator never gives to "
                             "guests.")
      .Add(status.host_reserve_kib * kBytesPerKib)
      .AppendTo(out);
  MetricFamilyBuilder::Gauge(
      "vmbalance_memory_untouched_grants_bytes",
      "Memory granted to guests that the host does not back yet: they may "
      "touch it without asking, so it is spoken for.")
      .Add(status.untouched_grants_kib * kBytesPerKib)
      .AppendTo(out);
  MetricFamilyBuilder::Gauge("vmbalance_memory_low_mark_bytes",
                             "Unused memory below which a guest is given more.")
      .Add(status.low_mark_kib * kBytesPerKib)
      .AppendTo(out);
}

}  // namespace

std::vector<prometheus::MetricFamily> BuildControllerFamilies(
    const ControllerStatus& status) {
  std::vector<prometheus::MetricFamily> out;
  MetricFamilyBuilder::Gauge(
      "vmbalance_dry_run",
      "1 when the controller decides and reports but does not act.")
      .Add(status.dry_run ? 1 : 0)
      .AppendTo(&out);
  if (status.cpu_enabled) AppendCpuFamilies(status, &out);
  if (status.memory_enabled) AppendMemoryFamilies(status, &out);
  return out;
}

ControllerMetrics::ControllerMetrics()
    : SnapshotCollectable<ControllerStatus>(
          BuildControllerFamilies, std::make_shared<const ControllerStatus>()) {
}

}  // namespace vmbalance
