#include "exporter/metrics/metrics_collector.h"

#include <memory>
#include <string>
#include <utility>

#include "exporter/metrics/config_families.h"
#include "exporter/metrics/memory_families.h"
#include "exporter/metrics/metric_family_builder.h"

namespace vmbalance {
namespace {

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

// Per domain: whether this sample could read it, how often it could not and
// how often it restarted. Every present domain has all three from its first
// sample (0 included), so increase() sees the first timeout.
void AddDomainHealth(const std::vector<DomainHealth>& health, Families* out) {
  auto readable = MetricFamilyBuilder::Gauge(
      "vmbalance_domain_readable",
      "1 when every figure of the domain was read within the sampling "
      "deadline, 0 when a call missed it (hung QEMU, job held): the "
      "policies leave it alone.");
  auto timeouts = MetricFamilyBuilder::Counter(
      "vmbalance_domain_read_timeouts_total",
      "Samples in which a libvirt call for the domain missed the sampling "
      "deadline.");
  auto restarts = MetricFamilyBuilder::Counter(
      "vmbalance_domain_restarts_total",
      "Times the domain came back under a new id (destroyed and started): "
      "its rates and the policies' state for it started afresh.");
  for (const DomainHealth& domain : health) {
    const MetricLabels labels = DomainLabels(domain.name, domain.uuid);
    readable.Add(domain.readable ? 1 : 0, labels);
    timeouts.Add(static_cast<double>(domain.read_timeouts_total), labels);
    restarts.Add(static_cast<double>(domain.restarts_total), labels);
  }
  readable.AppendTo(out);
  timeouts.AppendTo(out);
  restarts.AppendTo(out);
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
    AppendMemoryFamilies(*snapshot.sample, &out);
    AppendTopologyFamily(snapshot.sample->host, &out);
    if (snapshot.domain_metadata_labels) {
      AppendOpenstackInfoFamily(*snapshot.sample, &out);
    }
    AppendMetadataInfoFamily(*snapshot.sample, &out);  // --domain_metadata
    AddDomainHealth(snapshot.health, &out);
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
      "Failed samples plus domains skipped or not read in time while "
      "sampling.")
      .Add(static_cast<double>(snapshot.sample_errors_total))
      .AppendTo(&out);
  return out;
}

MetricsCollector::MetricsCollector()
    : SnapshotCollectable<Snapshot>(BuildMetricFamilies,
                                    std::make_shared<const Snapshot>()) {}

}  // namespace vmbalance
