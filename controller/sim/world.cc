#include "controller/sim/world.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "controller/sim/noise.h"
#include "controller/sim/units.h"

namespace vmbalance {
namespace sim {

World::World(const Scenario* scenario, double interval_s)
    : scenario_(scenario),
      interval_s_(interval_s > 0 ? interval_s : 1.0),
      interval_ns_(std::llround(interval_s_ * 1e9)),
      all_pcpus_(CpuSet::Range(0, scenario->pcpus - 1)),
      domains_(scenario->domains.size()),
      pcpu_busy_ns_(scenario->pcpus, 0.0),
      pcpu_idle_ns_(scenario->pcpus, 0.0) {
  online_ = all_pcpus_.Difference(CpuSet(scenario->offline_pcpus));
}

GuestMemoryParams World::MemoryParams(size_t index) const {
  const DomainSpec& spec = scenario_->domains[index];
  GuestMemoryParams p;
  p.kernel_kib = scenario_->guest_kernel_mib * kKibPerMib;
  p.balloon_step_kib =
      std::llround(scenario_->balloon_mib_per_s * interval_s_ * kKibPerMib);
  p.balloon_driver = spec.balloon_driver;
  p.workload = spec.mem_workload;
  p.grow_step_kib =
      std::llround(spec.grow_mib_per_s * interval_s_ * kKibPerMib);
  p.file_read_step_kib =
      std::llround(spec.file_read_mib_per_s * interval_s_ * kKibPerMib);
  if (spec.file_mib) p.file_kib = *spec.file_mib * kKibPerMib;
  p.swap_kib = spec.swap_mib * kKibPerMib;
  return p;
}

// Starts (or restarts) a domain with a new id. A scenario restart is a new
// qemu process: counters, pins and balloon start from the definition. An
// OOM reboot (keep_balloon) keeps the process, so only the id and the
// workload change.
void World::Boot(size_t index, bool keep_balloon) {
  const DomainSpec& spec = scenario_->domains[index];
  DomainRuntime& d = domains_[index];
  d.running = true;
  d.id = next_id_++;
  if (keep_balloon) return;
  ++d.process;
  d.vcpus.assign(spec.vcpus, VcpuState());
  for (int v = 0; v < spec.vcpus; ++v) {
    d.vcpus[v].affinity = spec.pin.empty() ? all_pcpus_ : CpuSet{spec.pin[v]};
  }
  d.memory = GuestMemory();
  d.memory.actual_kib = spec.memory_mib * kKibPerMib;
  d.memory.target_kib = d.memory.actual_kib;
  d.memory.touched_kib =
      std::min(d.memory.actual_kib, scenario_->guest_kernel_mib * kKibPerMib);
}

void World::UpdateLifecycle(int64_t tick, const Faults& faults) {
  for (size_t i = 0; i < domains_.size(); ++i) {
    const bool should_run = faults.Runs(i, tick);
    DomainRuntime& d = domains_[i];
    if (should_run && !d.running) {
      Boot(i, false);
    } else if (!should_run && d.running) {
      d.running = false;
      d.id = -1;
    } else if (should_run && faults.RestartsAt(i, tick)) {
      Boot(i, false);
    }
  }
}

TickTruth World::Advance(int64_t tick, const Faults& faults) {
  UpdateLifecycle(tick, faults);
  TickTruth truth;
  RunCpu(tick, &truth);
  RunMemory(tick, &truth);
  for (const DomainRuntime& d : domains_) truth.running_domains += d.running;
  return truth;
}

// The demand a vCPU's workload has this tick: the scenario's nominal value,
// jittered by the scenario's noise when `noisy` (what the guest really
// does; the referee judges by the nominal value).
double World::Demand(size_t domain, int vcpu, int64_t tick, bool noisy) const {
  double nominal = StepAt(scenario_->domains[domain].cpu[vcpu], tick);
  if (!noisy || scenario_->noise <= 0) return nominal;
  double jitter =
      scenario_->noise * UnitNoise(scenario_->seed, domain, vcpu, tick);
  return std::clamp(nominal * (1.0 + jitter), 0.0, 1.0);
}

std::vector<PlacedVcpu> World::RunningVcpus(
    int64_t tick, std::vector<std::pair<size_t, int>>* owner) const {
  std::vector<PlacedVcpu> placed;
  const std::vector<int> online_list = online_.ToVector();
  for (size_t i = 0; i < domains_.size(); ++i) {
    const DomainRuntime& d = domains_[i];
    if (!d.running) continue;
    const DomainSpec& spec = scenario_->domains[i];
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
      owner->emplace_back(i, v);
    }
  }
  return placed;
}

void World::RunCpu(int64_t tick, TickTruth* truth) {
  // Place every running vCPU, Linux style, on what it wants now.
  std::vector<std::pair<size_t, int>> owner;
  std::vector<PlacedVcpu> placed = RunningVcpus(tick, &owner);
  PlaceVcpus(scenario_->pcpus, scenario_->migrate_threshold, &placed);
  std::vector<std::vector<size_t>> on_pcpu(scenario_->pcpus);
  for (size_t k = 0; k < placed.size(); ++k) {
    auto [i, v] = owner[k];
    domains_[i].vcpus[v].pcpu = placed[k].pcpu;
    if (placed[k].pcpu >= 0) on_pcpu[placed[k].pcpu].push_back(k);
    truth->vcpu_demands.push_back(Demand(i, v, tick, false));
  }
  truth->pcpu_demand.assign(scenario_->pcpus, 0.0);
  for (int p = 0; p < scenario_->pcpus; ++p) {
    if (online_.Contains(p)) {
      ShareOnePcpu(p, on_pcpu[p], placed, owner, tick, truth);
    }
  }
}

// Shares pCPU p among its vCPUs (max-min fair); a vCPU not granted all it
// needs waits in the run queue, which is what vcpu.N.delay reports.
void World::ShareOnePcpu(int p, const std::vector<size_t>& on_pcpu,
                         const std::vector<PlacedVcpu>& placed,
                         const std::vector<std::pair<size_t, int>>& owner,
                         int64_t tick, TickTruth* truth) {
  const double interval_ns = static_cast<double>(interval_ns_);
  std::vector<double> demands;
  for (size_t k : on_pcpu) demands.push_back(placed[k].demand);
  std::vector<double> granted = FairShare(demands);
  double busy = 0;
  for (size_t j = 0; j < on_pcpu.size(); ++j) {
    auto [i, v] = owner[on_pcpu[j]];
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
    truth->pcpu_demand[p] += Demand(i, v, tick, false);
  }
  busy = std::min(busy, 1.0);
  pcpu_busy_ns_[p] += busy * interval_ns;
  pcpu_idle_ns_[p] += (1.0 - busy) * interval_ns;
}

void World::RunMemory(int64_t tick, TickTruth* truth) {
  int64_t backed_kib = 0;
  for (size_t i = 0; i < domains_.size(); ++i) {
    DomainRuntime& d = domains_[i];
    if (!d.running) continue;
    const DomainSpec& spec = scenario_->domains[i];
    const GuestMemoryParams params = MemoryParams(i);
    int64_t want_kib;
    if (spec.mem.empty() && spec.mem_workload == MemWorkload::kGrow) {
      want_kib = std::numeric_limits<int64_t>::max() / 4;  // no cap
    } else {
      want_kib = std::llround(LinearAt(spec.mem, static_cast<double>(tick)) *
                              kKibPerMib);
    }
    const GuestMemoryEvents events =
        StepGuestMemory(params, want_kib, &d.memory);
    truth->workload_alloc_failures += events.alloc_failures;
    if (events.oom_killed) {
      ++truth->guest_oom_kills;
      Boot(i, true);
    }
    backed_kib += BackedKib(d.memory) + QemuOverheadKib();
    truth->guests.push_back({spec.name, spec.balloon_driver,
                             d.memory.actual_kib,
                             spec.max_memory_mib * kKibPerMib,
                             TrueUnusedKib(params, d.memory, events)});
  }
  // With lazy backing a guest costs the host only the pages it has touched
  // (and its QEMU process), not its balloon size (Scenario::lazy_backing).
  host_free_mib_ = scenario_->host_memory_mib - scenario_->host_overhead_mib -
                   HostHolderMib(tick) -
                   ToMib(backed_kib + kKibPerMib - 1);  // round used up
  truth->host_free_mib = host_free_mib_;
}

int64_t World::HostHolderMib(int64_t tick) const {
  return std::llround(StepAt(scenario_->host_holder_mib, tick));
}

StatusOr<bool> World::Pin(const DomainKey& uuid, int vcpu,
                          const CpuSet& pcpus) {
  const int i = FindRunning(uuid);
  if (i < 0) return Status::Error("no running domain with UUID " + uuid);
  DomainRuntime& d = domains_[i];
  if (vcpu < 0 || vcpu >= static_cast<int>(d.vcpus.size())) {
    return Status::Error("vCPU " + std::to_string(vcpu) +
                         " out of range: domain " + scenario_->domains[i].name +
                         " has " + std::to_string(d.vcpus.size()));
  }
  if (pcpus.Empty()) return Status::Error("empty cpumap");
  if (pcpus.Last() >= scenario_->pcpus) {
    return Status::Error("pCPU " + std::to_string(pcpus.Last()) +
                         " does not exist: host has " +
                         std::to_string(scenario_->pcpus));
  }
  const CpuSet offline = pcpus.Difference(online_);
  if (!offline.Empty()) {
    return Status::Error("pCPU " + offline.ToString() + " is offline");
  }
  if (d.vcpus[vcpu].affinity == pcpus) return false;
  d.vcpus[vcpu].affinity = pcpus;
  return true;
}

StatusOr<bool> World::SetTarget(const DomainKey& uuid, uint64_t memory_kib) {
  const int i = FindRunning(uuid);
  if (i < 0) return Status::Error("no running domain with UUID " + uuid);
  const DomainSpec& spec = scenario_->domains[i];
  if (memory_kib == 0) return Status::Error("memory size must be positive");
  const uint64_t max_kib =
      static_cast<uint64_t>(spec.max_memory_mib) * kKibPerMib;
  if (memory_kib > max_kib) {
    return Status::Error("cannot set memory of " + spec.name + " to " +
                         std::to_string(memory_kib) +
                         " KiB: higher than max memory " +
                         std::to_string(max_kib) + " KiB");
  }
  GuestMemory& m = domains_[i].memory;
  if (m.target_kib == static_cast<int64_t>(memory_kib)) return false;
  m.target_kib = static_cast<int64_t>(memory_kib);
  return true;
}

std::map<std::string, std::vector<int>> World::Assignment() const {
  std::map<std::string, std::vector<int>> out;
  for (size_t i = 0; i < domains_.size(); ++i) {
    if (!domains_[i].running) continue;
    std::vector<int>& pcpus = out[scenario_->domains[i].name];
    for (const VcpuState& v : domains_[i].vcpus) pcpus.push_back(v.pcpu);
  }
  return out;
}

int World::FindRunningByName(const std::string& name) const {
  for (size_t i = 0; i < domains_.size(); ++i) {
    if (domains_[i].running && scenario_->domains[i].name == name) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

int World::FindRunning(const DomainKey& uuid) const {
  for (size_t i = 0; i < domains_.size(); ++i) {
    if (domains_[i].running && scenario_->domains[i].uuid == uuid) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace sim
}  // namespace vmbalance
