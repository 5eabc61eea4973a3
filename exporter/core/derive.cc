#include "exporter/core/derive.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>

namespace vmbalance {
namespace {

constexpr double kNsPerSecond = 1e9;
// Below this share of the interval out of the run queue, Δtime / (Δwall -
// Δdelay) divides by noise.
constexpr double kNeverRanFraction = 0.01;

// The previous reading of the same vCPU, or null. vCPUs are stored in index
// order, so the slot at `index` is tried before a scan.
const VcpuSample* FindVcpu(const DomainSample& domain, int index) {
  if (index >= 0 && static_cast<size_t>(index) < domain.vcpus.size() &&
      domain.vcpus[index].index == index) {
    return &domain.vcpus[index];
  }
  for (const VcpuSample& vcpu : domain.vcpus) {
    if (vcpu.index == index) return &vcpu;
  }
  return nullptr;
}

// Where a vCPU's time is counted: its only allowed pCPU, else where it ran.
int AttributedPcpu(const VcpuSample& vcpu) {
  if (vcpu.affinity.Size() == 1) return vcpu.affinity.First();
  return vcpu.pcpu;
}

VcpuUsage DeriveVcpu(const VcpuSample* before, const VcpuSample& now,
                     double interval_s) {
  VcpuUsage usage;
  usage.index = now.index;
  usage.pcpu = AttributedPcpu(now);
  usage.affinity = now.affinity;
  if (before == nullptr || interval_s <= 0 ||
      now.cpu_time_ns < before->cpu_time_ns) {
    return usage;
  }
  const bool delay_known =
      now.delay_ns.has_value() && before->delay_ns.has_value();
  if (delay_known && *now.delay_ns < *before->delay_ns) return usage;

  const double time_s = (now.cpu_time_ns - before->cpu_time_ns) / kNsPerSecond;
  usage.valid = true;
  usage.utilization = time_s / interval_s;
  usage.demand = usage.runnable = usage.utilization;
  if (!delay_known) return usage;
  usage.has_delay = true;
  const double delay_s = (*now.delay_ns - *before->delay_ns) / kNsPerSecond;
  usage.runnable += delay_s / interval_s;
  const double not_waiting_s = interval_s - delay_s;
  if (not_waiting_s > kNeverRanFraction * interval_s) {
    usage.demand = std::clamp(time_s / not_waiting_s, usage.utilization, 1.0);
  } else {
    // Waited the whole interval: it wants a whole pCPU (or the interval is
    // wrong, which `runnable` shows).
    usage.demand = 1.0;
  }
  return usage;
}

// Mean and population std-dev of `per_pcpu` over the online pCPUs.
void MeanAndStddev(const std::vector<double>& per_pcpu,
                   const std::vector<int>& online, double* mean,
                   double* stddev) {
  *mean = 0;
  *stddev = 0;
  if (online.empty()) return;
  double sum = 0;
  for (int cpu : online) sum += per_pcpu[cpu];
  *mean = sum / online.size();
  double squares = 0;
  for (int cpu : online) {
    const double d = per_pcpu[cpu] - *mean;
    squares += d * d;
  }
  *stddev = std::sqrt(squares / online.size());
}

std::vector<double> BusyRatios(const Sample* previous, const Sample& current,
                               int width) {
  std::vector<double> ratios(width, -1.0);
  if (previous == nullptr) return ratios;
  std::unordered_map<int, const PcpuSample*> before;
  for (const PcpuSample& pcpu : previous->host.pcpus)
    before[pcpu.index] = &pcpu;
  for (const PcpuSample& now : current.host.pcpus) {
    auto it = before.find(now.index);
    if (it == before.end() || now.index < 0 || now.index >= width) continue;
    const PcpuSample& then = *it->second;
    if (now.busy_ns < then.busy_ns || now.idle_ns < then.idle_ns) continue;
    const double busy = now.busy_ns - then.busy_ns;
    const double total = busy + (now.idle_ns - then.idle_ns);
    if (total > 0) ratios[now.index] = busy / total;
  }
  return ratios;
}

}  // namespace

Usage Derive(const Sample* previous, const Sample& current) {
  Usage usage;
  const double interval_s =
      previous == nullptr
          ? 0
          : (current.monotonic_ns - previous->monotonic_ns) / kNsPerSecond;
  usage.interval_s = interval_s > 0 ? interval_s : 0;
  if (usage.interval_s > 0) {
    const double spans_ns =
        (previous->vcpu_read_span_ns + current.vcpu_read_span_ns) / 2.0;
    usage.window_error = spans_ns / kNsPerSecond / usage.interval_s;
    const double span_change_ns = std::abs(static_cast<double>(
        current.vcpu_read_span_ns - previous->vcpu_read_span_ns));
    usage.window_skew = span_change_ns / 2 / kNsPerSecond / usage.interval_s;
  }

  const HostSample& host = current.host;
  usage.topology = host.topology;
  usage.online_pcpus = host.online_pcpus.Empty() && host.pcpu_count > 0
                           ? CpuSet::Range(0, host.pcpu_count - 1)
                           : host.online_pcpus;
  const int width = std::max(host.pcpu_count, usage.online_pcpus.Last() + 1);
  usage.pcpu_load.assign(width, 0.0);
  usage.pcpu_demand.assign(width, 0.0);
  const std::vector<int> online = usage.online_pcpus.ToVector();

  std::unordered_map<std::string_view, const DomainSample*> before;
  if (previous != nullptr) {
    before.reserve(previous->domains.size());
    for (const DomainSample& domain : previous->domains) {
      before.emplace(domain.uuid, &domain);
    }
  }

  usage.domains.reserve(current.domains.size());
  for (const DomainSample& domain : current.domains) {
    DomainUsage& out = usage.domains.emplace_back();
    out.uuid = domain.uuid;
    out.name = domain.name;
    out.read = domain.read;
    out.config = domain.config;
    const DomainSample* then = nullptr;
    auto it = before.find(domain.uuid);
    // A new id under the same UUID is a restart: its counters started over.
    if (it != before.end() && it->second->id == domain.id) then = it->second;

    out.vcpus.reserve(domain.vcpus.size());
    for (const VcpuSample& vcpu : domain.vcpus) {
      const VcpuSample* vcpu_then =
          then == nullptr ? nullptr : FindVcpu(*then, vcpu.index);
      VcpuUsage& vcpu_usage =
          out.vcpus.emplace_back(DeriveVcpu(vcpu_then, vcpu, interval_s));
      const int pcpu = vcpu_usage.pcpu;
      if (vcpu_usage.valid && pcpu >= 0 && pcpu < width &&
          usage.online_pcpus.Contains(pcpu)) {
        usage.pcpu_load[pcpu] += vcpu_usage.utilization;
        usage.pcpu_demand[pcpu] += vcpu_usage.demand;
      }
    }
  }

  MeanAndStddev(usage.pcpu_load, online, &usage.load_mean, &usage.load_stddev);
  MeanAndStddev(usage.pcpu_demand, online, &usage.demand_mean,
                &usage.demand_stddev);
  usage.pcpu_busy_ratio = BusyRatios(previous, current, width);
  return usage;
}

}  // namespace vmbalance
