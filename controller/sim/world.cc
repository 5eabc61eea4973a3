#include "controller/sim/world.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "controller/sim/cpu_balancer.h"
#include "controller/sim/cpu_share.h"
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
  layout_ = CoreLayout::Of(*scenario, online_);
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
  d.memory_cell = -1;
  const OperatorPlacement& placement = spec.config.placement;
  if (placement.memory_cells && scenario_->topology) {
    d.memory_cell = placement.memory_cells->First();
  } else if (spec.memory_cell && scenario_->topology) {
    d.memory_cell = *spec.memory_cell;
  }
  for (int v = 0; v < spec.vcpus; ++v) {
    // libvirt starts a vCPU with its vcpupin (else the domain's cpuset);
    // "pin" is a live pin made after start.
    d.vcpus[v].affinity = placement.AllowedFor(v).value_or(all_pcpus_);
    if (!spec.pin.empty()) d.vcpus[v].affinity = CpuSet{spec.pin[v]};
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

void World::Place(int64_t tick, std::vector<PlacedVcpu>* placed,
                  const std::vector<std::pair<size_t, int>>& owner) {
  if (scenario_->balancer == Balancer::kSticky) {
    PlaceVcpus(scenario_->pcpus, scenario_->migrate_threshold, placed);
    return;
  }
  LinuxBalancerParams params;
  params.smt_yield = scenario_->smt_yield;
  params.remote_memory_speed = scenario_->remote_memory_speed;
  std::vector<int> home;
  for (const auto& [i, v] : owner) home.push_back(domains_[i].memory_cell);
  PlaceLinux(layout_, params, HostLoad(tick), home, placed);
}

std::vector<double> World::HostLoad(int64_t tick) const {
  std::vector<double> load(scenario_->pcpus, 0.0);
  for (const HostLoadSpec& spec : scenario_->host_load) {
    const double value = StepAt(spec.load, tick);
    for (int p : spec.pcpus.ToVector())
      load[p] = std::min(1.0, load[p] + value);
  }
  return load;
}

double World::MemorySpeed(size_t domain, int pcpu) const {
  const int home = domains_[domain].memory_cell;
  if (home < 0 || pcpu < 0 || layout_.cell_of[pcpu] == home) return 1.0;
  return scenario_->remote_memory_speed;
}

CpuSet World::OperatorSet(size_t index, int vcpu) const {
  if (OptedOut(index)) return domains_[index].vcpus[vcpu].affinity;
  std::optional<CpuSet> set =
      scenario_->domains[index].config.placement.AllowedFor(vcpu);
  return set ? set->Intersection(online_) : online_;
}

void World::RunCpu(int64_t tick, TickTruth* truth) {
  // Place every running vCPU, Linux style, on what it wants now.
  std::vector<std::pair<size_t, int>> owner;
  std::vector<PlacedVcpu> placed = RunningVcpus(tick, &owner);
  Place(tick, &placed, owner);
  const std::vector<double> host_load = HostLoad(tick);
  std::vector<ShareClaim> claims;
  for (size_t k = 0; k < placed.size(); ++k) {
    auto [i, v] = owner[k];
    domains_[i].vcpus[v].pcpu = placed[k].pcpu;
    if (domains_[i].memory_cell < 0 && v == 0 && scenario_->topology &&
        placed[k].pcpu >= 0) {
      domains_[i].memory_cell = layout_.cell_of[placed[k].pcpu];  // first touch
    }
    claims.push_back(
        {placed[k].pcpu, placed[k].demand, MemorySpeed(i, placed[k].pcpu)});
    truth->vcpu_demands.push_back(Demand(i, v, tick, false));
  }
  std::vector<double> busy;
  std::vector<ShareResult> shares =
      ShareCpus(layout_, scenario_->smt_yield, host_load, claims, &busy);
  if (scenario_->balancer == Balancer::kLinux) {
    RotateGroups(placed, scenario_->linux_fairness,
                 scenario_->migration_cost_ms / scenario_->rotation_period_ms,
                 &shares);
  }
  const double interval_ns = static_cast<double>(interval_ns_);
  truth->pcpu_demand = host_load;
  truth->pcpu_host_load = host_load;
  for (size_t k = 0; k < placed.size(); ++k) {
    auto [i, v] = owner[k];
    VcpuState& vs = domains_[i].vcpus[v];
    const ShareResult& r = shares[k];
    // A vCPU granted less than it needs stretches its work phases while
    // its idle ones stay as they were: it runs `time` and waits
    // 1 - time/time_want of the interval, as real counters show (run time
    // over the time not waiting is the need, wherever it is placed).
    vs.cpu_time_ns += r.time * interval_ns;
    vs.run_share = r.time;
    vs.delay_ns += r.wait * interval_ns;
    vs.wait_share = r.wait;
    if (placed[k].pcpu >= 0) {
      truth->pcpu_demand[placed[k].pcpu] += truth->vcpu_demands[k];
    }
    truth->vcpus.push_back({i, v, placed[k].pcpu, truth->vcpu_demands[k],
                            placed[k].demand, r.work, r.wait,
                            OperatorSet(i, v)});
  }
  for (int p : online_.ToVector()) {
    pcpu_busy_ns_[p] += busy[p] * interval_ns;
    pcpu_idle_ns_[p] += (1.0 - busy[p]) * interval_ns;
  }
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
