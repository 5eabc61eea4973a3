// Simulator: a deterministic host behind the Hypervisor seam, for tests and
// benchmarks. It runs a Scenario in virtual time, answers Take() with the
// Samples libvirt would give, acts on PinVcpu/SetMemory like libvirt, and
// keeps the ground truth (true per-pCPU demand, kills, failures) to judge
// a policy by. Same scenario + same calls => same samples, bit for bit.
// Not thread-safe: one control loop owns it.
//
// Time: Take() call k (k = 0, 1, ...) simulates tick k, the interval
// [k*I, (k+1)*I), with the pins and balloon targets in force at the call,
// and returns the sample taken at its end (monotonic_ns = (k+1)*I). So the
// first Take() already shows one interval of cpu time. A domain runs during
// tick k when start <= k < stop; scenario ticks ("cpu", "mem") are absolute.
#ifndef VMBALANCE_CONTROLLER_SIM_SIMULATOR_H_
#define VMBALANCE_CONTROLLER_SIM_SIMULATOR_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "controller/sim/memory_model.h"
#include "controller/sim/scenario.h"
#include "exporter/core/hypervisor.h"

namespace vmbalance {
namespace sim {

// The ground truth of one tick, judged by the simulator alone.
struct TickRecord {
  int64_t tick = 0;
  // Per pCPU (indexed by number, offline ones 0): the sum of the nominal
  // (noise-free) demand of the vCPUs placed there during the tick.
  std::vector<double> pcpu_demand;
  double mean = 0;    // over online pCPUs
  double stddev = 0;  // population std-dev over online pCPUs
  // stddev <= 5% of mean and <= 0.05 absolute.
  bool balanced = false;
  // The least std-dev any placement of this tick's demands could reach
  // (exhaustive; only for up to 16 running vCPUs), and whether this tick
  // is balanced or within 1e-6 of that optimum: an infeasible load (3 busy
  // vCPUs on 2 pCPUs) is "settled" at its best reachable placement.
  std::optional<double> best_stddev;
  bool settled = false;
  int pin_changes = 0;      // PinVcpu calls since the previous Take()
  int balloon_changes = 0;  // SetMemory calls since the previous Take()
  int running_domains = 0;
  int64_t host_free_mib = 0;  // may go negative: the host is overcommitted
  std::optional<int64_t> min_guest_unused_mib;  // over guests with a driver
};

class Simulator : public Hypervisor {
 public:
  // interval_s > 0: the virtual length of one tick.
  Simulator(Scenario scenario, double interval_s);

  StatusOr<Sample> Take() override;
  Status PinVcpu(const DomainKey& uuid, int vcpu, const CpuSet& pcpus) override;
  Status SetMemory(const DomainKey& uuid, uint64_t memory_kib) override;
  std::string Describe() const override;  // "sim:<scenario name>"

  const Scenario& scenario() const { return scenario_; }
  int64_t ticks() const { return static_cast<int64_t>(records_.size()); }
  const std::vector<TickRecord>& records() const { return records_; }

  // Ground truth now (after the last Take).
  // Current pCPU of each vCPU, by domain name, of running domains.
  std::map<std::string, std::vector<int>> Assignment() const;
  // A running domain's memory state, by name; nullopt when not running.
  std::optional<GuestMemory> Memory(const std::string& name) const;
  // Current id of a running domain, by name; -1 when not running.
  int DomainId(const std::string& name) const;

  int pin_changes() const { return pin_changes_; }
  int balloon_changes() const { return balloon_changes_; }
  int guest_oom_kills() const { return guest_oom_kills_; }
  int workload_alloc_failures() const { return workload_alloc_failures_; }

  // ticks, pin_changes, first_balanced_tick (null if not balanced at the
  // end), balanced_ticks, final_stddev, final_mean, max_decision_seconds,
  // final_assignment {name: [pcpu per vCPU]}, balloon_changes,
  // guest_oom_kills, workload_alloc_failures, min_host_free_mib,
  // min_guest_unused_mib (null if none), final_actual_mib {name: MiB},
  // max_actual_mib {name: MiB}, host_overcommit_ticks, scenario, interval_s,
  // best_reachable_stddev (final tick; null if not computed),
  // first_settled_tick, settled_ticks (see TickRecord::settled).
  nlohmann::json Summary(double max_decision_seconds) const;
  // Writes Summary() as indented JSON.
  Status WriteSummary(const std::string& path,
                      double max_decision_seconds) const;

 private:
  struct VcpuState {
    CpuSet affinity;
    int pcpu = -1;
    double cpu_time_ns = 0;  // exact; reported rounded (and quantised)
    double delay_ns = 0;
    // Shares of the last tick it ran and waited: how its counters move
    // around the sample's stamp (Scenario::read_span_s).
    double run_share = 0;
    double wait_share = 0;
  };
  struct DomainRuntime {
    bool running = false;
    int id = -1;
    std::vector<VcpuState> vcpus;
    GuestMemory memory;
    int64_t max_actual_kib = 0;
    bool ever_ran = false;
    BalloonSample frozen_stats;  // stats as last reported before going stale
    // Consecutive ticks (and the longest run) with less than kShortUnusedMib
    // unused while below max memory: how long a needy guest waited.
    int short_ticks = 0;
    int max_short_ticks = 0;
  };

  void Boot(size_t index, bool keep_balloon);
  void UpdateLifecycle(int64_t tick);
  void RunCpu(int64_t tick, TickRecord* record);
  void RunMemory(int64_t tick, TickRecord* record);
  Sample BuildSample(int64_t tick);
  double Demand(size_t domain, int vcpu, int64_t tick, bool noisy) const;
  int FindRunning(const DomainKey& uuid) const;  // -1 when not running
  bool CallsFail() const;
  // The pCPU a sample reports a vCPU last ran on (see last_ran_jitter).
  int ReportedPcpu(size_t domain, int vcpu, int64_t tick)
      const;  // fault injection for the calls of this tick
  GuestMemoryParams MemoryParams(const DomainSpec& spec) const;

  Scenario scenario_;
  double interval_s_;
  int64_t interval_ns_;
  CpuSet online_;
  CpuSet all_pcpus_;
  std::vector<DomainRuntime> domains_;  // parallel to scenario_.domains
  std::vector<double> pcpu_busy_ns_;
  std::vector<double> pcpu_idle_ns_;
  int next_id_ = 1;

  std::vector<TickRecord> records_;
  // BestReachableStddev by sorted demand vector: loads repeat tick to tick.
  std::map<std::vector<double>, std::optional<double>> best_cache_;
  int pending_pin_changes_ = 0;
  int pending_balloon_changes_ = 0;
  int pin_changes_ = 0;
  int balloon_changes_ = 0;
  int guest_oom_kills_ = 0;
  int workload_alloc_failures_ = 0;
};

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_SIMULATOR_H_
