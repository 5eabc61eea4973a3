#include "controller/sim/sensor.h"

#include <algorithm>
#include <cmath>

#include "controller/sim/noise.h"
#include "controller/sim/units.h"

namespace vmbalance {
namespace sim {
namespace {

constexpr int64_t kMonotonicBaseNs = 1000000000;  // virtual boot time: 1 s

}  // namespace

Sensor::Sensor(const Scenario* scenario)
    : scenario_(scenario),
      last_reports_(scenario->domains.size()),
      last_counters_(scenario->domains.size()) {}

void Sensor::KeepMonotonic(const World& world, size_t domain,
                           VcpuSample* v) const {
  LastCounters& last = last_counters_[domain];
  const DomainRuntime& d = world.domains()[domain];
  if (last.process != d.process) {
    last.process = d.process;
    last.cpu_delay_ns.assign(d.vcpus.size(), {0, 0});
  }
  if (v->index >= static_cast<int>(last.cpu_delay_ns.size())) return;
  auto& [cpu, delay] = last.cpu_delay_ns[v->index];
  v->cpu_time_ns = cpu = std::max(cpu, v->cpu_time_ns);
  if (v->delay_ns) v->delay_ns = delay = std::max(delay, *v->delay_ns);
}

HostSample Sensor::ReadHost(const World& world) const {
  HostSample host;
  host.online_pcpus = world.online();
  host.pcpu_count = scenario_->pcpus;
  for (int p : world.online().ToVector()) {
    PcpuSample ps;
    ps.index = p;
    ps.busy_ns = static_cast<uint64_t>(std::llround(world.pcpu_busy_ns(p)));
    ps.idle_ns = static_cast<uint64_t>(std::llround(world.pcpu_idle_ns(p)));
    host.pcpus.push_back(ps);
  }
  host.memory_total_kib =
      static_cast<uint64_t>(scenario_->host_memory_mib) * kKibPerMib;
  // The simulator is "this host": MemAvailable is set too. No host page
  // cache is modelled, so free and available are the same figure.
  host.memory_free_kib =
      static_cast<uint64_t>(std::max<int64_t>(0, world.host_free_mib())) *
      kKibPerMib;
  host.memory_available_kib = host.memory_free_kib;
  host.memory_source = "simulator";
  if (scenario_->topology) host.topology = *scenario_->topology;
  return host;
}

Sample Sensor::Read(const World& world, const Faults& faults, int64_t tick,
                    std::vector<std::string>* frozen) {
  Sample s;
  const int64_t end_ns = (tick + 1) * world.interval_ns();
  s.monotonic_ns = kMonotonicBaseNs + end_ns;
  s.wall_time_s = scenario_->epoch_s + end_ns / 1000000000;
  s.host = ReadHost(world);

  // Domains are read one after another across the read span, centred on
  // the stamp: the k-th of n is read (k + 0.5) / n of the way through. A
  // slow read stalls early on: the first quarter of the domains is read at
  // its start, the rest at its end.
  const bool slow = faults.SlowRead(tick);
  const double span_ns = faults.ReadSpanS(tick) * 1e9;
  s.vcpu_read_span_ns = static_cast<int64_t>(std::llround(span_ns));
  const std::vector<DomainRuntime>& domains = world.domains();
  const int running = static_cast<int>(
      std::count_if(domains.begin(), domains.end(),
                    [](const DomainRuntime& d) { return d.running; }));
  int read_order = 0;
  for (size_t i = 0; i < domains.size(); ++i) {
    const DomainRuntime& d = domains[i];
    if (!d.running) continue;
    const double position = slow ? (4 * read_order < running ? 0.0 : 1.0)
                                 : (read_order + 0.5) / running;
    ++read_order;
    const double read_offset_ns = span_ns * (position - 0.5);
    const DomainSpec& spec = scenario_->domains[i];
    DomainSample ds;
    ds.uuid = spec.uuid;
    ds.name = spec.name;
    ds.id = d.id;
    ds.state = DomainState::kRunning;
    ds.max_memory_kib = static_cast<uint64_t>(spec.max_memory_mib) * kKibPerMib;
    ds.config = spec.config;
    if (faults.Hung(i, tick)) {
      ReadHung(world, i, tick, &ds);
      ++s.errors;
      s.domains.push_back(std::move(ds));
      continue;
    }
    for (int v = 0; v < static_cast<int>(d.vcpus.size()); ++v) {
      ds.vcpus.push_back(ReadVcpu(world, i, v, tick, read_offset_ns));
    }
    bool stats_frozen = false;
    ds.balloon =
        ReadBalloon(world, faults, i, tick, s.wall_time_s, &stats_frozen);
    if (stats_frozen && frozen != nullptr) frozen->push_back(spec.name);
    s.domains.push_back(std::move(ds));
  }
  std::sort(s.domains.begin(), s.domains.end(),
            [](const DomainSample& a, const DomainSample& b) {
              return a.uuid < b.uuid;
            });
  return s;
}

// The counters move with the vCPU's last shares around the stamp: a domain
// read early shows less run and wait time, one read late more.
VcpuSample Sensor::ReadVcpu(const World& world, size_t domain, int vcpu,
                            int64_t tick, double read_offset_ns) const {
  const VcpuState& vs = world.domains()[domain].vcpus[vcpu];
  VcpuSample sample;
  sample.index = vcpu;
  if (scenario_->read_jitter_s > 0) {
    // A draw of its own from the stateless hash, per vCPU and sample.
    read_offset_ns +=
        scenario_->read_jitter_s * 1e9 / 2 *
        UnitNoise(scenario_->seed ^ 0x2545f491u, domain, vcpu, tick);
  }
  double cpu = std::max(0.0, vs.cpu_time_ns + vs.run_share * read_offset_ns);
  const double quantum_ns = scenario_->cpu_quantum_ms * 1e6;
  if (quantum_ns > 0) cpu = std::floor(cpu / quantum_ns) * quantum_ns;
  sample.cpu_time_ns = static_cast<uint64_t>(std::llround(cpu));
  sample.delay_ns = static_cast<uint64_t>(std::llround(
      std::max(0.0, vs.delay_ns + vs.wait_share * read_offset_ns)));
  sample.pcpu = ReportedPcpu(world, domain, vcpu, tick);
  sample.affinity = vs.affinity;
  if (scenario_->read_jitter_s > 0) KeepMonotonic(world, domain, &sample);
  return sample;
}

void Sensor::ReadHung(const World& world, size_t domain, int64_t tick,
                      DomainSample* ds) const {
  ds->read = DomainRead::kTimedOut;
  ds->read_error = "simulated hang: no answer within the sampling deadline";
  const DomainSpec& spec = scenario_->domains[domain];
  if (!spec.hang->partial) return;
  const DomainRuntime& d = world.domains()[domain];
  for (int v = 0; v < static_cast<int>(d.vcpus.size()); ++v) {
    VcpuSample vcpu = ReadVcpu(world, domain, v, tick, 0);
    vcpu.delay_ns.reset();  // schedstat delay comes through QEMU's job
    ds->vcpus.push_back(vcpu);
  }
  if (spec.balloon_driver) {
    ds->balloon.rss_kib = world.BackedKib(d.memory) + world.QemuOverheadKib();
  }
}

// actual, maximum and rss come from QEMU and the host and are always live;
// the rest comes from the guest's driver: the guest's last report. Frozen
// statistics repeat it, unless this qemu process has not reported yet.
BalloonSample Sensor::ReadBalloon(const World& world, const Faults& faults,
                                  size_t domain, int64_t tick,
                                  int64_t wall_time_s, bool* frozen) {
  const DomainRuntime& d = world.domains()[domain];
  const DomainSpec& spec = scenario_->domains[domain];
  BalloonSample live;
  live.actual_kib = d.memory.actual_kib;
  live.maximum_kib = static_cast<uint64_t>(spec.max_memory_mib) * kKibPerMib;
  if (!spec.balloon_driver) return live;
  live.rss_kib = world.BackedKib(d.memory) + world.QemuOverheadKib();
  LastReport& last = last_reports_[domain];
  if (last.process != d.process) last = LastReport{d.process, {}, -1};
  const bool reported = last.stats.last_update_s.has_value();
  const bool stale = faults.StatsFrozen(domain, tick);
  const int64_t period = ReportPeriod(world, tick);
  if (reported && (stale || period == last.period)) {
    *frozen = stale;
    BalloonSample repeated = last.stats;
    repeated.actual_kib = live.actual_kib;
    repeated.maximum_kib = live.maximum_kib;
    repeated.rss_kib = live.rss_kib;
    return repeated;
  }
  const GuestMemoryParams params = world.MemoryParams(domain);
  live.unused_kib = UnusedKib(params, d.memory);
  live.usable_kib = UsableKib(params, d.memory);
  live.available_kib = std::max<int64_t>(
      0, d.memory.actual_kib - scenario_->guest_reserved_mib * kKibPerMib);
  live.disk_caches_kib = d.memory.cache_kib;
  live.major_faults = d.memory.major_faults;
  live.swap_in_kib = d.memory.swap_in_kib;
  live.swap_out_kib = d.memory.swap_out_kib;
  live.last_update_s = wall_time_s;
  last.stats = live;
  last.period = period;
  return live;
}

// The guest reports at the first sample at or after each multiple of the
// stats period: samples within one period show the same report. Without a
// period every sample is its own.
int64_t Sensor::ReportPeriod(const World& world, int64_t tick) const {
  const int64_t end_ns = (tick + 1) * world.interval_ns();
  if (scenario_->stats_period_s <= 0) return tick;
  return static_cast<int64_t>(
      std::floor(end_ns / (scenario_->stats_period_s * 1e9) + 1e-9));
}

int Sensor::ReportedPcpu(const World& world, size_t domain, int vcpu,
                         int64_t tick) const {
  const VcpuState& vs = world.domains()[domain].vcpus[vcpu];
  if (scenario_->last_ran_jitter <= 0) return vs.pcpu;
  // Two more independent draws from the stateless hash.
  const uint64_t seed = scenario_->seed ^ 0x5bd1e995u;
  const double hop = (UnitNoise(seed, domain, vcpu, tick) + 1) / 2;
  if (hop >= scenario_->last_ran_jitter) return vs.pcpu;
  const std::vector<int> allowed =
      vs.affinity.Intersection(world.online()).ToVector();
  if (allowed.size() < 2) return vs.pcpu;
  const double pick = (UnitNoise(seed + 1, domain, vcpu, tick) + 1) / 2;
  const size_t k =
      std::min(allowed.size() - 1, static_cast<size_t>(pick * allowed.size()));
  return allowed[k];
}

}  // namespace sim
}  // namespace vmbalance
