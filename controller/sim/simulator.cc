#include "controller/sim/simulator.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>

#include "controller/sim/cpu_model.h"

namespace vmbalance {
namespace sim {
namespace {

constexpr int64_t kKibPerMib = 1024;
constexpr int64_t kMonotonicBaseNs = 1000000000;  // virtual boot time: 1 s

// A stateless hash to [-1, 1]: noise depends only on (seed, domain, vCPU,
// tick), never on call order, so runs are reproducible bit for bit.
double UnitNoise(uint64_t seed, uint64_t domain, uint64_t vcpu, int64_t tick) {
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL ^ (domain << 40) ^ (vcpu << 20) ^
               static_cast<uint64_t>(tick);
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return (x >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

int64_t ToMib(int64_t kib) {
  // Floor division, also for negative values.
  return kib >= 0 ? kib / kKibPerMib : -((-kib + kKibPerMib - 1) / kKibPerMib);
}

}  // namespace

Simulator::Simulator(Scenario scenario, double interval_s)
    : scenario_(std::move(scenario)),
      interval_s_(interval_s > 0 ? interval_s : 1.0),
      interval_ns_(std::llround(interval_s_ * 1e9)),
      all_pcpus_(CpuSet::Range(0, scenario_.pcpus - 1)),
      domains_(scenario_.domains.size()),
      pcpu_busy_ns_(scenario_.pcpus, 0.0),
      pcpu_idle_ns_(scenario_.pcpus, 0.0) {
  online_ = all_pcpus_.Difference(CpuSet(scenario_.offline_pcpus));
}

std::string Simulator::Describe() const { return "sim:" + scenario_.name; }

GuestMemoryParams Simulator::MemoryParams(const DomainSpec& spec) const {
  GuestMemoryParams p;
  p.kernel_kib = scenario_.guest_kernel_mib * kKibPerMib;
  p.balloon_step_kib =
      std::llround(scenario_.balloon_mib_per_s * interval_s_ * kKibPerMib);
  p.balloon_driver = spec.balloon_driver;
  p.workload = spec.mem_workload;
  p.grow_step_kib =
      std::llround(spec.grow_mib_per_s * interval_s_ * kKibPerMib);
  return p;
}

// Starts (or restarts) a domain with a new id. A scenario restart is a new
// qemu process: counters, pins and balloon start from the definition. An
// OOM reboot (keep_balloon) keeps the process, so only the id and the
// workload change.
void Simulator::Boot(size_t index, bool keep_balloon) {
  const DomainSpec& spec = scenario_.domains[index];
  DomainRuntime& d = domains_[index];
  d.running = true;
  d.ever_ran = true;
  d.id = next_id_++;
  if (keep_balloon) return;
  d.vcpus.assign(spec.vcpus, VcpuState());
  for (int v = 0; v < spec.vcpus; ++v) {
    d.vcpus[v].affinity = spec.pin.empty() ? all_pcpus_ : CpuSet{spec.pin[v]};
  }
  d.memory = GuestMemory();
  d.memory.actual_kib = spec.memory_mib * kKibPerMib;
  d.memory.target_kib = d.memory.actual_kib;
  d.memory.touched_kib =
      std::min(d.memory.actual_kib, scenario_.guest_kernel_mib * kKibPerMib);
  d.max_actual_kib = std::max(d.max_actual_kib, d.memory.actual_kib);
  d.frozen_stats = BalloonSample();
}

void Simulator::UpdateLifecycle(int64_t tick) {
  for (size_t i = 0; i < domains_.size(); ++i) {
    const DomainSpec& spec = scenario_.domains[i];
    bool should_run = spec.start <= tick && (!spec.stop || tick < *spec.stop);
    DomainRuntime& d = domains_[i];
    if (should_run && !d.running) {
      Boot(i, false);
    } else if (!should_run && d.running) {
      d.running = false;
      d.id = -1;
    } else if (should_run && std::binary_search(spec.restart_at.begin(),
                                                spec.restart_at.end(), tick)) {
      Boot(i, false);
    }
  }
}

double Simulator::Demand(size_t domain, int vcpu, int64_t tick,
                         bool noisy) const {
  double nominal = StepAt(scenario_.domains[domain].cpu[vcpu], tick);
  if (!noisy || scenario_.noise <= 0) return nominal;
  double jitter =
      scenario_.noise * UnitNoise(scenario_.seed, domain, vcpu, tick);
  return std::clamp(nominal * (1.0 + jitter), 0.0, 1.0);
}

void Simulator::RunCpu(int64_t tick, TickRecord* record) {
  // Place every running vCPU, Linux style, on what it wants now.
  std::vector<PlacedVcpu> placed;
  std::vector<std::pair<size_t, int>> owner;  // (domain, vcpu) per entry
  std::vector<int> online_list = online_.ToVector();
  for (size_t i = 0; i < domains_.size(); ++i) {
    DomainRuntime& d = domains_[i];
    if (!d.running) continue;
    const DomainSpec& spec = scenario_.domains[i];
    for (int v = 0; v < static_cast<int>(d.vcpus.size()); ++v) {
      PlacedVcpu p;
      const CpuSet& affinity = d.vcpus[v].affinity;
      p.allowed = affinity == all_pcpus_
                      ? online_list
                      : affinity.Intersection(online_).ToVector();
      p.pcpu = d.vcpus[v].pcpu;
      p.start_at = spec.at.empty() ? -1 : spec.at[v];
      p.demand = Demand(i, v, tick, true);
      placed.push_back(std::move(p));
      owner.emplace_back(i, v);
    }
  }
  PlaceVcpus(scenario_.pcpus, scenario_.migrate_threshold, &placed);

  // Share each pCPU among its vCPUs; a vCPU not granted all it needs waits
  // in the run queue, which is what vcpu.N.delay reports.
  std::vector<std::vector<size_t>> on_pcpu(scenario_.pcpus);
  for (size_t k = 0; k < placed.size(); ++k) {
    auto [i, v] = owner[k];
    domains_[i].vcpus[v].pcpu = placed[k].pcpu;
    if (placed[k].pcpu >= 0) on_pcpu[placed[k].pcpu].push_back(k);
  }
  double interval_ns = static_cast<double>(interval_ns_);
  record->pcpu_demand.assign(scenario_.pcpus, 0.0);
  for (int p = 0; p < scenario_.pcpus; ++p) {
    if (!online_.Contains(p)) continue;
    std::vector<double> demands;
    for (size_t k : on_pcpu[p]) demands.push_back(placed[k].demand);
    std::vector<double> granted = FairShare(demands);
    double busy = 0;
    for (size_t j = 0; j < on_pcpu[p].size(); ++j) {
      size_t k = on_pcpu[p][j];
      auto [i, v] = owner[k];
      VcpuState& vs = domains_[i].vcpus[v];
      vs.cpu_time_ns += granted[j] * interval_ns;
      vs.run_share = granted[j];
      // A vCPU granted less than it needs stretches its work phases while
      // its idle ones stay as they were: it runs `granted` and waits
      // 1 - granted/demand of the interval, as real counters show (run time
      // over the time not waiting is the need, wherever it is placed).
      const double waiting =
          demands[j] > granted[j] ? 1.0 - granted[j] / demands[j] : 0.0;
      vs.delay_ns += waiting * interval_ns;
      vs.wait_share = waiting;
      busy += granted[j];
      record->pcpu_demand[p] += Demand(i, v, tick, false);
    }
    busy = std::min(busy, 1.0);
    pcpu_busy_ns_[p] += busy * interval_ns;
    pcpu_idle_ns_[p] += (1.0 - busy) * interval_ns;
  }

  double sum = 0, sq = 0;
  int n = static_cast<int>(online_list.size());
  for (int p : online_list) sum += record->pcpu_demand[p];
  record->mean = sum / n;
  for (int p : online_list) {
    double diff = record->pcpu_demand[p] - record->mean;
    sq += diff * diff;
  }
  record->stddev = std::sqrt(sq / n);
  // A tiny epsilon so a perfectly even split is not lost to rounding.
  constexpr double kEps = 1e-9;
  record->balanced = record->stddev <= 0.05 * record->mean + kEps &&
                     record->stddev <= 0.05 + kEps;

  constexpr size_t kMaxExhaustive = 16;
  if (placed.size() <= kMaxExhaustive) {
    std::vector<double> nominal;
    for (const auto& [i, v] : owner)
      nominal.push_back(Demand(i, v, tick, false));
    std::sort(nominal.begin(), nominal.end());
    auto it = best_cache_.find(nominal);
    if (it == best_cache_.end()) {
      it = best_cache_
               .emplace(nominal,
                        BestReachableStddev(nominal, static_cast<int>(n),
                                            static_cast<int>(kMaxExhaustive)))
               .first;
    }
    record->best_stddev = it->second;
  }
  record->settled =
      record->balanced ||
      (record->best_stddev && record->stddev <= *record->best_stddev + 1e-6);
}

void Simulator::RunMemory(int64_t tick, TickRecord* record) {
  int64_t balloons_kib = 0;
  for (size_t i = 0; i < domains_.size(); ++i) {
    DomainRuntime& d = domains_[i];
    if (!d.running) continue;
    const DomainSpec& spec = scenario_.domains[i];
    GuestMemoryParams params = MemoryParams(spec);
    int64_t want_kib;
    if (spec.mem.empty() && spec.mem_workload == MemWorkload::kGrow) {
      want_kib = std::numeric_limits<int64_t>::max() / 4;  // no cap
    } else {
      want_kib = std::llround(LinearAt(spec.mem, static_cast<double>(tick)) *
                              kKibPerMib);
    }
    GuestMemoryEvents events = StepGuestMemory(params, want_kib, &d.memory);
    workload_alloc_failures_ += events.alloc_failures;
    if (events.oom_killed) {
      ++guest_oom_kills_;
      Boot(i, true);
    }
    d.max_actual_kib = std::max(d.max_actual_kib, d.memory.actual_kib);
    balloons_kib += d.memory.actual_kib;
    if (spec.balloon_driver) {
      int64_t unused = ToMib(UnusedKib(params, d.memory));
      // The SPEC's low mark: a guest below it that could still grow is
      // waiting for the coordinator.
      constexpr int64_t kShortUnusedMib = 100;
      const bool can_grow =
          d.memory.actual_kib < spec.max_memory_mib * kKibPerMib;
      d.short_ticks =
          unused < kShortUnusedMib && can_grow ? d.short_ticks + 1 : 0;
      d.max_short_ticks = std::max(d.max_short_ticks, d.short_ticks);
      if (!record->min_guest_unused_mib ||
          unused < *record->min_guest_unused_mib) {
        record->min_guest_unused_mib = unused;
      }
    }
  }
  record->host_free_mib =
      scenario_.host_memory_mib - scenario_.host_overhead_mib -
      ToMib(balloons_kib + kKibPerMib - 1);  // round used memory up
}

Sample Simulator::BuildSample(int64_t tick) {
  Sample s;
  int64_t end_ns = (tick + 1) * interval_ns_;
  s.monotonic_ns = kMonotonicBaseNs + end_ns;
  s.wall_time_s = scenario_.epoch_s + end_ns / 1000000000;

  HostSample& host = s.host;
  host.online_pcpus = online_;
  host.pcpu_count = scenario_.pcpus;
  for (int p : online_.ToVector()) {
    PcpuSample ps;
    ps.index = p;
    ps.busy_ns = static_cast<uint64_t>(std::llround(pcpu_busy_ns_[p]));
    ps.idle_ns = static_cast<uint64_t>(std::llround(pcpu_idle_ns_[p]));
    host.pcpus.push_back(ps);
  }
  host.memory_total_kib =
      static_cast<uint64_t>(scenario_.host_memory_mib) * kKibPerMib;
  const TickRecord& record = records_.back();
  host.memory_free_kib =
      static_cast<uint64_t>(std::max<int64_t>(0, record.host_free_mib)) *
      kKibPerMib;
  host.memory_source = "simulator";

  // Domains are read one after another across the read span, centred on
  // the stamp: the k-th of n is read (k + 0.5) / n of the way through. A
  // slow read stalls early on: the first quarter of the domains is read at
  // its start, the rest at its end.
  const bool slow = std::binary_search(scenario_.slow_read_at.begin(),
                                       scenario_.slow_read_at.end(), tick);
  const double span_ns =
      (slow ? scenario_.slow_read_span_s : scenario_.read_span_s) * 1e9;
  s.vcpu_read_span_ns = static_cast<int64_t>(std::llround(span_ns));
  const int running = static_cast<int>(
      std::count_if(domains_.begin(), domains_.end(),
                    [](const DomainRuntime& d) { return d.running; }));
  int read_order = 0;

  double quantum_ns = scenario_.cpu_quantum_ms * 1e6;
  for (size_t i = 0; i < domains_.size(); ++i) {
    const DomainRuntime& d = domains_[i];
    if (!d.running) continue;
    const double position = slow ? (4 * read_order < running ? 0.0 : 1.0)
                                 : (read_order + 0.5) / running;
    ++read_order;
    const double read_offset_ns = span_ns * (position - 0.5);
    const DomainSpec& spec = scenario_.domains[i];
    DomainSample ds;
    ds.uuid = spec.uuid;
    ds.name = spec.name;
    ds.id = d.id;
    ds.state = DomainState::kRunning;
    ds.max_memory_kib = static_cast<uint64_t>(spec.max_memory_mib) * kKibPerMib;
    for (int v = 0; v < static_cast<int>(d.vcpus.size()); ++v) {
      const VcpuState& vs = d.vcpus[v];
      VcpuSample sample;
      sample.index = v;
      double cpu =
          std::max(0.0, vs.cpu_time_ns + vs.run_share * read_offset_ns);
      if (quantum_ns > 0) cpu = std::floor(cpu / quantum_ns) * quantum_ns;
      sample.cpu_time_ns = static_cast<uint64_t>(std::llround(cpu));
      sample.delay_ns = static_cast<uint64_t>(std::llround(
          std::max(0.0, vs.delay_ns + vs.wait_share * read_offset_ns)));
      sample.pcpu = ReportedPcpu(i, v, tick);
      sample.affinity = vs.affinity;
      ds.vcpus.push_back(sample);
    }

    BalloonSample& b = ds.balloon;
    b.actual_kib = d.memory.actual_kib;
    b.maximum_kib = ds.max_memory_kib;
    if (spec.balloon_driver) {
      bool stale = spec.stats_stale_from && tick >= *spec.stats_stale_from &&
                   domains_[i].frozen_stats.last_update_s.has_value();
      if (stale) {
        BalloonSample frozen = d.frozen_stats;
        frozen.actual_kib = b.actual_kib;
        frozen.maximum_kib = b.maximum_kib;
        b = frozen;
      } else {
        GuestMemoryParams params = MemoryParams(spec);
        int64_t unused = UnusedKib(params, d.memory);
        b.unused_kib = unused;
        b.usable_kib = unused;
        b.available_kib = std::max<int64_t>(
            0, d.memory.actual_kib - scenario_.guest_reserved_mib * kKibPerMib);
        b.rss_kib = d.memory.touched_kib;
        b.disk_caches_kib = 0;
        b.last_update_s = s.wall_time_s;
        domains_[i].frozen_stats = b;
      }
    }
    s.domains.push_back(std::move(ds));
  }
  std::sort(s.domains.begin(), s.domains.end(),
            [](const DomainSample& a, const DomainSample& b) {
              return a.uuid < b.uuid;
            });
  return s;
}

int Simulator::ReportedPcpu(size_t domain, int vcpu, int64_t tick) const {
  const VcpuState& vs = domains_[domain].vcpus[vcpu];
  if (scenario_.last_ran_jitter <= 0) return vs.pcpu;
  // Two more independent draws from the stateless hash.
  uint64_t seed = scenario_.seed ^ 0x5bd1e995u;
  double hop = (UnitNoise(seed, domain, vcpu, tick) + 1) / 2;
  if (hop >= scenario_.last_ran_jitter) return vs.pcpu;
  std::vector<int> allowed = vs.affinity.Intersection(online_).ToVector();
  if (allowed.size() < 2) return vs.pcpu;
  double pick = (UnitNoise(seed + 1, domain, vcpu, tick) + 1) / 2;
  size_t k =
      std::min(allowed.size() - 1, static_cast<size_t>(pick * allowed.size()));
  return allowed[k];
}

StatusOr<Sample> Simulator::Take() {
  int64_t tick = ticks();
  UpdateLifecycle(tick);
  TickRecord record;
  record.tick = tick;
  record.pin_changes = pending_pin_changes_;
  record.balloon_changes = pending_balloon_changes_;
  pending_pin_changes_ = 0;
  pending_balloon_changes_ = 0;
  RunCpu(tick, &record);
  RunMemory(tick, &record);
  for (const DomainRuntime& d : domains_) record.running_domains += d.running;
  records_.push_back(std::move(record));
  Sample sample = BuildSample(tick);
  if (std::binary_search(scenario_.fail_take_at.begin(),
                         scenario_.fail_take_at.end(), tick)) {
    return Status::Error("simulated host failure: sample of tick " +
                         std::to_string(tick) + " lost");
  }
  return sample;
}

int Simulator::FindRunning(const DomainKey& uuid) const {
  for (size_t i = 0; i < domains_.size(); ++i) {
    if (domains_[i].running && scenario_.domains[i].uuid == uuid) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

bool Simulator::CallsFail() const {
  return std::binary_search(scenario_.fail_calls_at.begin(),
                            scenario_.fail_calls_at.end(), ticks());
}

Status Simulator::PinVcpu(const DomainKey& uuid, int vcpu,
                          const CpuSet& pcpus) {
  if (CallsFail()) return Status::Error("simulated failure: PinVcpu refused");
  int i = FindRunning(uuid);
  if (i < 0) return Status::Error("no running domain with UUID " + uuid);
  DomainRuntime& d = domains_[i];
  if (vcpu < 0 || vcpu >= static_cast<int>(d.vcpus.size())) {
    return Status::Error("vCPU " + std::to_string(vcpu) +
                         " out of range: domain " + scenario_.domains[i].name +
                         " has " + std::to_string(d.vcpus.size()));
  }
  if (pcpus.Empty()) return Status::Error("empty cpumap");
  if (pcpus.Last() >= scenario_.pcpus) {
    return Status::Error("pCPU " + std::to_string(pcpus.Last()) +
                         " does not exist: host has " +
                         std::to_string(scenario_.pcpus));
  }
  CpuSet offline = pcpus.Difference(online_);
  if (!offline.Empty()) {
    return Status::Error("pCPU " + offline.ToString() + " is offline");
  }
  if (d.vcpus[vcpu].affinity != pcpus) {
    d.vcpus[vcpu].affinity = pcpus;
    ++pin_changes_;
    ++pending_pin_changes_;
  }
  return Status::Ok();
}

Status Simulator::SetMemory(const DomainKey& uuid, uint64_t memory_kib) {
  if (CallsFail()) return Status::Error("simulated failure: SetMemory refused");
  int i = FindRunning(uuid);
  if (i < 0) return Status::Error("no running domain with UUID " + uuid);
  const DomainSpec& spec = scenario_.domains[i];
  if (memory_kib == 0) return Status::Error("memory size must be positive");
  uint64_t max_kib = static_cast<uint64_t>(spec.max_memory_mib) * kKibPerMib;
  if (memory_kib > max_kib) {
    return Status::Error("cannot set memory of " + spec.name + " to " +
                         std::to_string(memory_kib) +
                         " KiB: higher than max memory " +
                         std::to_string(max_kib) + " KiB");
  }
  GuestMemory& m = domains_[i].memory;
  if (m.target_kib != static_cast<int64_t>(memory_kib)) {
    m.target_kib = static_cast<int64_t>(memory_kib);
    ++balloon_changes_;
    ++pending_balloon_changes_;
  }
  return Status::Ok();
}

std::map<std::string, std::vector<int>> Simulator::Assignment() const {
  std::map<std::string, std::vector<int>> out;
  for (size_t i = 0; i < domains_.size(); ++i) {
    if (!domains_[i].running) continue;
    std::vector<int>& pcpus = out[scenario_.domains[i].name];
    for (const VcpuState& v : domains_[i].vcpus) pcpus.push_back(v.pcpu);
  }
  return out;
}

std::optional<GuestMemory> Simulator::Memory(const std::string& name) const {
  for (size_t i = 0; i < domains_.size(); ++i) {
    if (domains_[i].running && scenario_.domains[i].name == name) {
      return domains_[i].memory;
    }
  }
  return std::nullopt;
}

int Simulator::DomainId(const std::string& name) const {
  for (size_t i = 0; i < domains_.size(); ++i) {
    if (domains_[i].running && scenario_.domains[i].name == name) {
      return domains_[i].id;
    }
  }
  return -1;
}

nlohmann::json Simulator::Summary(double max_decision_seconds) const {
  nlohmann::json j;
  j["scenario"] = scenario_.name;
  j["interval_s"] = interval_s_;
  j["ticks"] = ticks();
  j["pin_changes"] = pin_changes_;
  int balanced_ticks = 0, settled_ticks = 0;
  for (const TickRecord& r : records_) {
    balanced_ticks += r.balanced;
    settled_ticks += r.settled;
  }
  j["balanced_ticks"] = balanced_ticks;
  j["settled_ticks"] = settled_ticks;
  // The first tick of the run of balanced (settled) ticks that lasts to the
  // end, or null when the last tick is not.
  auto first_of_final_run = [&](bool TickRecord::*flag) {
    int64_t first = ticks();
    while (first > 0 && records_[first - 1].*flag) --first;
    return first < ticks() ? nlohmann::json(first) : nlohmann::json(nullptr);
  };
  j["first_balanced_tick"] = first_of_final_run(&TickRecord::balanced);
  j["first_settled_tick"] = first_of_final_run(&TickRecord::settled);
  j["best_reachable_stddev"] =
      !records_.empty() && records_.back().best_stddev
          ? nlohmann::json(*records_.back().best_stddev)
          : nlohmann::json(nullptr);
  j["final_stddev"] = records_.empty() ? 0.0 : records_.back().stddev;
  j["final_mean"] = records_.empty() ? 0.0 : records_.back().mean;
  j["max_decision_seconds"] = max_decision_seconds;
  nlohmann::json assignment = nlohmann::json::object();
  for (const auto& [name, pcpus] : Assignment()) assignment[name] = pcpus;
  j["final_assignment"] = assignment;

  j["balloon_changes"] = balloon_changes_;
  j["guest_oom_kills"] = guest_oom_kills_;
  j["workload_alloc_failures"] = workload_alloc_failures_;
  std::optional<int64_t> min_host, min_unused;
  int overcommit = 0;
  for (const TickRecord& r : records_) {
    if (!min_host || r.host_free_mib < *min_host) min_host = r.host_free_mib;
    if (r.min_guest_unused_mib &&
        (!min_unused || *r.min_guest_unused_mib < *min_unused)) {
      min_unused = r.min_guest_unused_mib;
    }
    overcommit += r.host_free_mib < 0;
  }
  j["min_host_free_mib"] =
      min_host ? nlohmann::json(*min_host) : nlohmann::json(nullptr);
  j["min_guest_unused_mib"] =
      min_unused ? nlohmann::json(*min_unused) : nlohmann::json(nullptr);
  j["host_overcommit_ticks"] = overcommit;
  nlohmann::json final_actual = nlohmann::json::object();
  nlohmann::json max_actual = nlohmann::json::object();
  for (size_t i = 0; i < domains_.size(); ++i) {
    const std::string& name = scenario_.domains[i].name;
    if (domains_[i].running) {
      final_actual[name] = ToMib(domains_[i].memory.actual_kib);
    }
    if (domains_[i].ever_ran) {
      max_actual[name] = ToMib(domains_[i].max_actual_kib);
    }
  }
  int max_short_ticks = 0;
  for (const DomainRuntime& d : domains_) {
    max_short_ticks = std::max(max_short_ticks, d.max_short_ticks);
  }
  // Reaction time: the longest run of ticks any guest spent below 100 MiB
  // unused while it could still have been grown.
  j["max_ticks_short_of_memory"] = max_short_ticks;
  j["final_actual_mib"] = final_actual;
  j["max_actual_mib"] = max_actual;
  return j;
}

Status Simulator::WriteSummary(const std::string& path,
                               double max_decision_seconds) const {
  std::ofstream out(path);
  if (!out) return Status::Error("cannot write summary to " + path);
  out << Summary(max_decision_seconds).dump(2) << "\n";
  out.close();
  if (!out) return Status::Error("error writing summary to " + path);
  return Status::Ok();
}

}  // namespace sim
}  // namespace vmbalance
