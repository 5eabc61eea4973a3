#include "controller/controller_metrics.h"

#include <utility>

namespace vmbalance {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily Family(const char* name, const char* help, MetricType type) {
  MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  return family;
}

void AddGauge(MetricFamily* family, std::vector<ClientMetric::Label> labels,
              double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = value;
  family->metric.push_back(std::move(metric));
}

void AddCounter(MetricFamily* family, std::vector<ClientMetric::Label> labels,
                double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.counter.value = value;
  family->metric.push_back(std::move(metric));
}

constexpr double kBytesPerKib = 1024.0;

}  // namespace

ControllerMetrics::ControllerMetrics()
    : status_(std::make_shared<const ControllerStatus>()) {}

void ControllerMetrics::Publish(std::shared_ptr<const ControllerStatus> status) {
  std::lock_guard<std::mutex> lock(mu_);
  status_ = std::move(status);
}

std::vector<MetricFamily> ControllerMetrics::Collect() const {
  std::shared_ptr<const ControllerStatus> status;
  {
    std::lock_guard<std::mutex> lock(mu_);
    status = status_;
  }
  std::vector<MetricFamily> out;
  MetricFamily dry_run = Family(
      "vmbalance_dry_run",
      "1 when the controller decides and reports but does not act.",
      MetricType::Gauge);
  AddGauge(&dry_run, {}, status->dry_run ? 1 : 0);
  out.push_back(std::move(dry_run));
  if (status->cpu_enabled) {
    MetricFamily pins = Family("vmbalance_vcpu_pin_changes_total",
                               "vCPU pin changes applied by the scheduler.",
                               MetricType::Counter);
    AddCounter(&pins, {}, static_cast<double>(status->pin_changes_total));
    out.push_back(std::move(pins));

    MetricFamily pin_failures = Family(
        "vmbalance_vcpu_pin_failures_total",
        "vCPU pin changes the scheduler attempted and libvirt refused.",
        MetricType::Counter);
    AddCounter(&pin_failures, {},
               static_cast<double>(status->pin_failures_total));
    out.push_back(std::move(pin_failures));

    if (status->have_cpu_decision) {
      MetricFamily balanced = Family(
          "vmbalance_balanced",
          "1 when pCPU demand is balanced (or at the best reachable "
          "assignment) in the scheduler's view, else 0.",
          MetricType::Gauge);
      AddGauge(&balanced, {}, status->balanced ? 1 : 0);
      out.push_back(std::move(balanced));

      MetricFamily decision = Family(
          "vmbalance_decision_duration_seconds",
          "Time the vCPU policy took for its last decision.",
          MetricType::Gauge);
      AddGauge(&decision, {}, status->decision_seconds);
      out.push_back(std::move(decision));

    }
  }
  if (status->memory_enabled) {
    MetricFamily target = Family(
        "vmbalance_memory_target_bytes",
        "Balloon size the memory coordinator wants for each guest.",
        MetricType::Gauge);
    MetricFamily stale = Family(
        "vmbalance_guest_stats_stale",
        "1 when a guest's balloon statistics are missing or stale, so the "
        "coordinator leaves it alone.",
        MetricType::Gauge);
    for (const GuestTarget& guest : status->guests) {
      std::vector<ClientMetric::Label> labels{{"domain", guest.domain},
                                              {"uuid", guest.uuid}};
      if (!guest.stale && guest.target_kib > 0) {
        AddGauge(&target, labels, guest.target_kib * kBytesPerKib);
      }
      AddGauge(&stale, labels, guest.stale ? 1 : 0);
    }
    out.push_back(std::move(target));
    out.push_back(std::move(stale));

    MetricFamily changes = Family(
        "vmbalance_balloon_changes_total",
        "Balloon resizes applied by the memory coordinator, by direction.",
        MetricType::Counter);
    AddCounter(&changes, {{"direction", "grow"}},
               static_cast<double>(status->balloon_grow_total));
    AddCounter(&changes, {{"direction", "shrink"}},
               static_cast<double>(status->balloon_shrink_total));
    out.push_back(std::move(changes));

    MetricFamily failures = Family(
        "vmbalance_balloon_failures_total",
        "Balloon resizes the coordinator attempted and libvirt refused.",
        MetricType::Counter);
    AddCounter(&failures, {},
               static_cast<double>(status->balloon_failures_total));
    out.push_back(std::move(failures));

    MetricFamily reserve = Family(
        "vmbalance_memory_host_reserve_bytes",
        "Host memory the coordinator never gives to guests.",
        MetricType::Gauge);
    AddGauge(&reserve, {}, status->host_reserve_kib * kBytesPerKib);
    out.push_back(std::move(reserve));

    MetricFamily low_mark = Family(
        "vmbalance_memory_low_mark_bytes",
        "Unused memory below which a guest is given more.",
        MetricType::Gauge);
    AddGauge(&low_mark, {}, status->low_mark_kib * kBytesPerKib);
    out.push_back(std::move(low_mark));
  }
  return out;
}

}  // namespace vmbalance
