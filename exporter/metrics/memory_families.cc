#include "exporter/metrics/memory_families.h"

#include <optional>
#include <string>

#include "exporter/metrics/metric_family_builder.h"

namespace vmbalance {
namespace {

constexpr double kBytesPerKib = 1024;

using Families = std::vector<prometheus::MetricFamily>;

MetricLabels DomainLabels(const std::string& name, const std::string& uuid) {
  return {{"domain", name}, {"uuid", uuid}};
}

// The guest's cumulative pressure counters: signs it needs memory even when
// its unused figure looks fine.
void AddGuestPressure(const Sample& sample, Families* out) {
  struct Counter {
    const char* name;
    const char* help;
    double scale;  // to base units
    std::optional<uint64_t> BalloonSample::*field;
  };
  static const Counter kCounters[] = {
      {"libvirt_domain_memory_major_faults_total",
       "Page faults the guest served from disk (balloon stat 'major_fault').",
       1, &BalloonSample::major_faults},
      {"libvirt_domain_memory_swap_in_bytes_total",
       "Memory the guest read back from swap (balloon stat 'swap_in').",
       kBytesPerKib, &BalloonSample::swap_in_kib},
      {"libvirt_domain_memory_swap_out_bytes_total",
       "Memory the guest wrote out to swap (balloon stat 'swap_out').",
       kBytesPerKib, &BalloonSample::swap_out_kib},
  };
  for (const Counter& counter : kCounters) {
    auto family = MetricFamilyBuilder::Counter(counter.name, counter.help);
    for (const DomainSample& domain : sample.domains) {
      if (const std::optional<uint64_t>& value =
              domain.balloon.*counter.field) {
        family.Add(static_cast<double>(*value) * counter.scale,
                   DomainLabels(domain.name, domain.uuid));
      }
    }
    family.AppendTo(out);
  }
}

void AddHostMemory(const HostSample& host, Families* out) {
  if (host.memory_total_kib > 0) {
    MetricFamilyBuilder::Gauge("libvirt_node_memory_total_bytes",
                               "Host memory in total.")
        .Add(host.memory_total_kib * kBytesPerKib)
        .AppendTo(out);
    MetricFamilyBuilder::Gauge(
        "libvirt_node_memory_free_bytes",
        "Host memory free, including reclaimable caches.")
        .Add(host.memory_free_kib * kBytesPerKib)
        .AppendTo(out);
  }
  if (host.memory_available_kib) {
    MetricFamilyBuilder::Gauge(
        "vmbalance_host_memory_available_bytes",
        "Host MemAvailable from /proc/meminfo; only when libvirt manages "
        "this very host.")
        .Add(*host.memory_available_kib * kBytesPerKib)
        .AppendTo(out);
  }
}

}  // namespace

void AppendMemoryFamilies(const Sample& sample, Families* out) {
  struct Field {
    const char* name;
    const char* help;
    std::optional<uint64_t> (*read)(const DomainSample&);
  };
  static const Field kFields[] = {
      {"libvirt_domain_memory_actual_bytes",
       "Current balloon size: memory the guest has now.",
       [](const DomainSample& d) { return d.balloon.actual_kib; }},
      {"libvirt_domain_memory_maximum_bytes",
       "Memory the balloon may grow to (the domain's max memory).",
       [](const DomainSample& d) -> std::optional<uint64_t> {
         if (d.balloon.maximum_kib) return d.balloon.maximum_kib;
         if (d.max_memory_kib > 0) return d.max_memory_kib;
         return std::nullopt;
       }},
      {"libvirt_domain_memory_unused_bytes",
       "Memory the guest leaves completely unused (balloon stat 'unused').",
       [](const DomainSample& d) { return d.balloon.unused_kib; }},
      {"libvirt_domain_memory_available_bytes",
       "Memory the guest kernel sees in total (balloon stat 'available').",
       [](const DomainSample& d) { return d.balloon.available_kib; }},
      {"libvirt_domain_memory_usable_bytes",
       "Memory the guest could use without swapping (balloon stat 'usable').",
       [](const DomainSample& d) { return d.balloon.usable_kib; }},
      {"libvirt_domain_memory_rss_bytes",
       "Resident set size of the domain's process on the host.",
       [](const DomainSample& d) { return d.balloon.rss_kib; }},
      {"libvirt_domain_memory_disk_caches_bytes",
       "Guest page cache, reclaimable on demand (balloon stat "
       "'disk_caches').",
       [](const DomainSample& d) { return d.balloon.disk_caches_kib; }},
  };
  for (const Field& field : kFields) {
    auto family = MetricFamilyBuilder::Gauge(field.name, field.help);
    for (const DomainSample& domain : sample.domains) {
      if (std::optional<uint64_t> kib = field.read(domain)) {
        family.Add(*kib * kBytesPerKib, DomainLabels(domain.name, domain.uuid));
      }
    }
    family.AppendTo(out);
  }
  auto last_update = MetricFamilyBuilder::Gauge(
      "libvirt_domain_memory_stats_last_update_timestamp_seconds",
      "When the guest's balloon driver last reported, Unix time.");
  for (const DomainSample& domain : sample.domains) {
    if (domain.balloon.last_update_s) {
      last_update.Add(*domain.balloon.last_update_s,
                      DomainLabels(domain.name, domain.uuid));
    }
  }
  last_update.AppendTo(out);
  AddGuestPressure(sample, out);
  AddHostMemory(sample.host, out);
}

}  // namespace vmbalance
