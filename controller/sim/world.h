// World: the simulated host's ground truth (which domains run, where each
// vCPU runs and how long it has run and waited, each guest's memory) and
// how one tick advances it under the pins and balloon targets in force.
// Applies PinVcpu/SetMemory with libvirt's checks. It reports what really
// happened (TickTruth); what a sample shows of it is the Sensor's job.
// Not thread-safe: the Simulator owns it.
#ifndef VMBALANCE_CONTROLLER_SIM_WORLD_H_
#define VMBALANCE_CONTROLLER_SIM_WORLD_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "controller/sim/cpu_model.h"
#include "controller/sim/cpu_share.h"
#include "controller/sim/faults.h"
#include "controller/sim/memory_model.h"
#include "controller/sim/scenario.h"
#include "exporter/core/cpu_set.h"
#include "exporter/core/sample.h"
#include "exporter/core/status.h"

namespace vmbalance {
namespace sim {

struct VcpuState {
  CpuSet affinity;
  int pcpu = -1;
  double cpu_time_ns = 0;  // exact; the sensor rounds (and quantises)
  double delay_ns = 0;
  // Shares of the last tick it ran and waited: how its counters move
  // around the sample's stamp (Scenario::read_span_s).
  double run_share = 0;
  double wait_share = 0;
};

struct DomainRuntime {
  bool running = false;
  int id = -1;
  // Counts qemu processes started: a restart forgets what the old process
  // reported, an OOM reboot inside the guest does not.
  int64_t process = 0;
  // The NUMA cell holding its memory (numatune, memory_cell, else where
  // vCPU 0 first ran); -1 before it first ran, or without a topology.
  int memory_cell = -1;
  std::vector<VcpuState> vcpus;
  GuestMemory memory;
};

// One running guest's memory after a tick, for the referee.
struct GuestTruth {
  std::string name;
  bool balloon_driver = true;
  int64_t actual_kib = 0;
  int64_t max_memory_kib = 0;
  int64_t unused_kib = 0;  // TrueUnusedKib: negative when overcommitted
};

// One running vCPU in one tick, for judging fairness from the guest's side.
struct VcpuTruth {
  size_t domain = 0;  // index in the scenario
  int vcpu = 0;
  int pcpu = -1;       // where it ran (the integral placement)
  double nominal = 0;  // the scenario's demand (noise-free)
  double want = 0;     // what its workload wanted this tick (with noise)
  double work = 0;     // what it got done, in want's units
  double wait = 0;     // fraction of the tick it waited
  // Where it may run by the operator's word: its vcpupin or cpuset, else
  // every online pCPU; for a guest opted out of the CPU policy, its
  // affinity (nobody may move it).
  CpuSet allowed;
};

// What one tick did, noise-free where the referee judges.
struct TickTruth {
  // Per pCPU number: nominal demand there, host load included.
  std::vector<double> pcpu_demand;
  std::vector<double> pcpu_host_load;  // per pCPU number
  std::vector<VcpuTruth> vcpus;        // running vCPUs
  std::vector<double> vcpu_demands;    // nominal, each running vCPU
  std::vector<GuestTruth> guests;      // running domains
  int running_domains = 0;
  // The host's available memory: total - host overhead - host holder -
  // what the guests' QEMU processes hold (touched guest pages + overhead).
  // Negative: the host is out of memory and its kernel would OOM-kill.
  int64_t host_free_mib = 0;
  int guest_oom_kills = 0;
  int workload_alloc_failures = 0;
};

class World {
 public:
  // `scenario` must outlive the World; interval_s > 0.
  World(const Scenario* scenario, double interval_s);

  // Runs tick `tick`: starts, stops and restarts domains, shares the pCPUs,
  // moves balloons and workloads.
  TickTruth Advance(int64_t tick, const Faults& faults);

  // Like virDomainPinVcpu: true when the affinity changed.
  StatusOr<bool> Pin(const DomainKey& uuid, int vcpu, const CpuSet& pcpus);
  // Like virDomainSetMemory: true when the balloon target changed. A guest
  // without a balloon driver accepts the call and its balloon never moves.
  StatusOr<bool> SetTarget(const DomainKey& uuid, uint64_t memory_kib);

  const Scenario& scenario() const { return *scenario_; }
  const std::vector<DomainRuntime>& domains() const { return domains_; }
  const CpuSet& online() const { return online_; }
  int64_t interval_ns() const { return interval_ns_; }
  double pcpu_busy_ns(int p) const { return pcpu_busy_ns_[p]; }
  double pcpu_idle_ns(int p) const { return pcpu_idle_ns_[p]; }
  // Host available memory after the last tick (see TickTruth).
  int64_t host_free_mib() const { return host_free_mib_; }
  GuestMemoryParams MemoryParams(size_t index) const;
  // The guest pages the host backs: what the guest touched with lazy
  // backing, its whole balloon without.
  int64_t BackedKib(const GuestMemory& m) const {
    return scenario_->lazy_backing ? m.touched_kib : m.actual_kib;
  }
  // What a running guest's QEMU process holds besides the guest's pages.
  int64_t QemuOverheadKib() const {
    return scenario_->qemu_overhead_mib * 1024;
  }
  // The scenario's host-side memory holder in tick `tick`.
  int64_t HostHolderMib(int64_t tick) const;

  // Current pCPU of each vCPU, by domain name, of running domains.
  std::map<std::string, std::vector<int>> Assignment() const;
  const CoreLayout& layout() const { return layout_; }
  // Where vCPU `vcpu` of domain `index` may run by the operator's word (see
  // VcpuTruth::allowed).
  CpuSet OperatorSet(size_t index, int vcpu) const;
  bool OptedOut(size_t index) const {
    return scenario_->domains[index].config.policy.cpu == PolicySwitch::kOff;
  }
  // Index of the running domain with this name or UUID; -1 when none.
  int FindRunningByName(const std::string& name) const;
  int FindRunning(const DomainKey& uuid) const;

 private:
  void Boot(size_t index, bool keep_balloon);
  void UpdateLifecycle(int64_t tick, const Faults& faults);
  void RunCpu(int64_t tick, TickTruth* truth);
  // Every running vCPU as the placer sees it; owner: (domain, vCPU) each.
  std::vector<PlacedVcpu> RunningVcpus(
      int64_t tick, std::vector<std::pair<size_t, int>>* owner) const;
  void Place(int64_t tick, std::vector<PlacedVcpu>* placed,
             const std::vector<std::pair<size_t, int>>& owner);
  std::vector<double> HostLoad(int64_t tick) const;
  // remote_memory_speed when the vCPU runs outside its memory's cell.
  double MemorySpeed(size_t domain, int pcpu) const;
  void RunMemory(int64_t tick, TickTruth* truth);
  double Demand(size_t domain, int vcpu, int64_t tick, bool noisy) const;

  const Scenario* scenario_;
  double interval_s_;
  int64_t interval_ns_;
  CpuSet all_pcpus_;
  CpuSet online_;
  CoreLayout layout_;
  std::vector<DomainRuntime> domains_;  // parallel to scenario_->domains
  std::vector<double> pcpu_busy_ns_;
  std::vector<double> pcpu_idle_ns_;
  int next_id_ = 1;
  int64_t host_free_mib_ = 0;
};

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_WORLD_H_
