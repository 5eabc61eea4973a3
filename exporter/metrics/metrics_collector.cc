#include "exporter/metrics/metrics_collector.h"

#include <memory>
#include <string>
#include <utility>

#include "exporter/metrics/metric_family_builder.h"

namespace vmbalance {
namespace {

constexpr double kBytesPerKib = 1024;
constexpr double kNsPerSecond = 1e9;

using Families = std::vector<prometheus::MetricFamily>;

MetricLabels DomainLabels(const std::string& name, const std::string& uuid) {
  return {{"domain", name}, {"uuid", uuid}};
}

MetricLabels VcpuLabels(const std::string& name, const std::string& uuid,
                        int vcpu) {
  return {{"domain", name}, {"uuid", uuid}, {"vcpu", std::to_string(vcpu)}};
}

void AddVcpuFacts(const Sample& sample, Families* out) {
  auto time = MetricFamilyBuilder::Counter(
      "libvirt_domain_vcpu_time_seconds_total",
      "CPU time consumed by the vCPU (libvirt vcpu.N.time).");
  auto delay = MetricFamilyBuilder::Counter(
      "libvirt_domain_vcpu_delay_seconds_total",
      "Time the vCPU waited in the host run queue (libvirt vcpu.N.delay).");
  auto pcpu = MetricFamilyBuilder::Gauge("libvirt_domain_vcpu_pcpu",
                                         "Host pCPU the vCPU last ran on.");
  auto affinity = MetricFamilyBuilder::Gauge(
      "libvirt_domain_vcpu_affinity_info",
      "pCPUs the vCPU may run on, in list format; value always 1.");
  for (const DomainSample& domain : sample.domains) {
    for (const VcpuSample& vcpu : domain.vcpus) {
      time.Add(vcpu.cpu_time_ns / kNsPerSecond,
               VcpuLabels(domain.name, domain.uuid, vcpu.index));
      if (vcpu.delay_ns) {
        delay.Add(*vcpu.delay_ns / kNsPerSecond,
                  VcpuLabels(domain.name, domain.uuid, vcpu.index));
      }
      if (vcpu.pcpu >= 0) {
        pcpu.Add(vcpu.pcpu, VcpuLabels(domain.name, domain.uuid, vcpu.index));
      }
      if (!vcpu.affinity.Empty()) {
        MetricLabels labels = VcpuLabels(domain.name, domain.uuid, vcpu.index);
        labels.push_back({"cpuset", vcpu.affinity.ToString()});
        affinity.Add(1, std::move(labels));
      }
    }
  }
  time.AppendTo(out);
  delay.AppendTo(out);
  pcpu.AppendTo(out);
  affinity.AppendTo(out);
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

void AddMemoryFacts(const Sample& sample, Families* out) {
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

void AddVcpuRates(const Usage& usage, Families* out) {
  auto utilization = MetricFamilyBuilder::Gauge(
      "vmbalance_vcpu_utilization_ratio",
      "CPU time the vCPU got over the last interval, in pCPUs.");
  auto demand = MetricFamilyBuilder::Gauge(
      "vmbalance_vcpu_demand_ratio",
      "Share of a pCPU the vCPU would use if it never waited to run: CPU "
      "time over the part of the last interval it did not wait.");
  for (const DomainUsage& domain : usage.domains) {
    for (const VcpuUsage& vcpu : domain.vcpus) {
      if (!vcpu.valid) continue;  // no rate yet: absent rather than 0
      utilization.Add(vcpu.utilization,
                      VcpuLabels(domain.name, domain.uuid, vcpu.index));
      demand.Add(vcpu.demand, VcpuLabels(domain.name, domain.uuid, vcpu.index));
    }
  }
  utilization.AppendTo(out);
  demand.AppendTo(out);
}

void AddPcpuFigures(const Usage& usage, Families* out) {
  if (usage.interval_s <= 0) return;  // first sample: nothing measured yet
  auto load = MetricFamilyBuilder::Gauge(
      "vmbalance_pcpu_load_ratio",
      "Sum of the utilisation of the vCPUs attributed to the pCPU (pinned "
      "there alone, else where they last ran).");
  auto demand = MetricFamilyBuilder::Gauge(
      "vmbalance_pcpu_demand_ratio",
      "Sum of the demand of the vCPUs attributed to the pCPU.");
  auto busy = MetricFamilyBuilder::Gauge(
      "vmbalance_pcpu_busy_ratio",
      "Fraction of the last interval the host saw the pCPU busy.");
  for (int cpu : usage.online_pcpus.ToVector()) {
    const MetricLabels labels = {{"pcpu", std::to_string(cpu)}};
    const size_t index = static_cast<size_t>(cpu);
    if (index < usage.pcpu_load.size())
      load.Add(usage.pcpu_load[index], labels);
    if (index < usage.pcpu_demand.size()) {
      demand.Add(usage.pcpu_demand[index], labels);
    }
    if (index < usage.pcpu_busy_ratio.size() &&
        usage.pcpu_busy_ratio[index] >= 0) {
      busy.Add(usage.pcpu_busy_ratio[index], labels);
    }
  }
  load.AppendTo(out);
  demand.AppendTo(out);
  busy.AppendTo(out);
  MetricFamilyBuilder::Gauge("vmbalance_pcpu_load_mean_ratio",
                             "Mean pCPU load over online pCPUs.")
      .Add(usage.load_mean)
      .AppendTo(out);
  MetricFamilyBuilder::Gauge(
      "vmbalance_pcpu_load_stddev_ratio",
      "Population standard deviation of pCPU load over online pCPUs.")
      .Add(usage.load_stddev)
      .AppendTo(out);
  MetricFamilyBuilder::Gauge("vmbalance_pcpu_demand_mean_ratio",
                             "Mean pCPU demand over online pCPUs.")
      .Add(usage.demand_mean)
      .AppendTo(out);
  MetricFamilyBuilder::Gauge(
      "vmbalance_pcpu_demand_stddev_ratio",
      "Population standard deviation of pCPU demand over online pCPUs.")
      .Add(usage.demand_stddev)
      .AppendTo(out);
}

}  // namespace

Families BuildMetricFamilies(const Snapshot& snapshot) {
  Families out;
  MetricFamilyBuilder::Gauge("libvirt_up",
                             "1 when the last sample reached libvirt, else 0.")
      .Add(snapshot.libvirt_up ? 1 : 0)
      .AppendTo(&out);
  if (snapshot.sample) {
    AddVcpuFacts(*snapshot.sample, &out);
    AddMemoryFacts(*snapshot.sample, &out);
  }
  if (snapshot.usage) {
    AddVcpuRates(*snapshot.usage, &out);
    AddPcpuFigures(*snapshot.usage, &out);
  }
  MetricFamilyBuilder::Gauge("vmbalance_sample_duration_seconds",
                             "How long taking the last sample took.")
      .Add(snapshot.sample_duration_seconds)
      .AppendTo(&out);
  if (snapshot.sample.has_value()) {
    MetricFamilyBuilder::Gauge(
        "vmbalance_sample_vcpu_read_seconds",
        "How long reading the vCPU counters of all domains took in the last "
        "sample: rates are uncertain by about this over the interval.")
        .Add(snapshot.sample->vcpu_read_span_ns / 1e9)
        .AppendTo(&out);
  }
  MetricFamilyBuilder::Counter(
      "vmbalance_sample_errors_total",
      "Failed samples plus domains skipped while sampling.")
      .Add(static_cast<double>(snapshot.sample_errors_total))
      .AppendTo(&out);
  return out;
}

MetricsCollector::MetricsCollector()
    : SnapshotCollectable<Snapshot>(BuildMetricFamilies,
                                    std::make_shared<const Snapshot>()) {}

}  // namespace vmbalance
