// Referee: judges each tick of a simulated run by the World's ground truth
// (nominal demand per pCPU, true guest memory), never by what a policy
// believes: balanced, settled at the best reachable placement, guest and
// host memory, guests left short, kills, and the calls that changed
// something. The rules it judges by are parameters (RefereeRules), the
// SPEC's by default. Not thread-safe: the Simulator owns it.
#ifndef VMBALANCE_CONTROLLER_SIM_REFEREE_H_
#define VMBALANCE_CONTROLLER_SIM_REFEREE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "controller/sim/world.h"

namespace vmbalance {
namespace sim {

// What "good" means. Defaults are the SPEC's; tests that want to judge by
// a policy's configured values pass those instead.
struct RefereeRules {
  // SPEC: balanced when the std-dev of pCPU demand is within 5% of the mean...
  double max_stddev_ratio = 0.05;
  // ...and at most 5 percentage points of one pCPU.
  double max_stddev_abs = 0.05;
  // Rounding slack, so that a perfectly even split is not lost to it.
  double balance_epsilon = 1e-9;
  // A placement this close to the best reachable std-dev is settled.
  double settled_tolerance = 1e-6;
  // The best-placement search is exhaustive: beyond this many running
  // vCPUs it is skipped (it grows exponentially).
  int max_exhaustive_vcpus = 16;
  // SPEC: keep at least 100 MiB unused in every guest; below it a guest
  // that could still grow is waiting for the coordinator.
  int64_t low_mark_mib = 100;
  // Fairness from the guests' side: a vCPU's "served" share is the work it
  // got done over the work it wanted; judged over vCPUs wanting at least
  // this much (an idle vCPU's ratio is noise).
  double fair_min_want = 0.05;
  // A core fault: two vCPUs wanting at least busy_want share one core
  // while a core they may use carries less than idle_core_load (vCPUs and
  // host load together).
  double busy_want = 0.5;
  double idle_core_load = 0.1;
};

// The ground truth of one tick, as judged.
struct TickRecord {
  int64_t tick = 0;
  // Per pCPU (indexed by number, offline ones 0): the sum of the nominal
  // (noise-free) demand of the vCPUs placed there during the tick.
  std::vector<double> pcpu_demand;
  double mean = 0;    // over online pCPUs
  double stddev = 0;  // population std-dev over online pCPUs
  // stddev <= max_stddev_ratio x mean and <= max_stddev_abs.
  bool balanced = false;
  // The least std-dev any placement of this tick's demands could reach
  // (only for up to max_exhaustive_vcpus running vCPUs), and whether this
  // tick is balanced or within settled_tolerance of that optimum: an
  // infeasible load (3 busy vCPUs on 2 pCPUs) is "settled" at its best.
  std::optional<double> best_stddev;
  bool settled = false;
  int pin_changes = 0;      // PinVcpu calls since the previous Take()
  int balloon_changes = 0;  // SetMemory calls since the previous Take()
  int running_domains = 0;
  // Host available memory (TickTruth::host_free_mib): may go negative, the
  // host is out of memory.
  int64_t host_free_mib = 0;
  // Over guests with a balloon driver: the least true unused memory
  // (negative: a workload asked for more than its guest had), overall and
  // over guests still below their max memory (a coordinator could have
  // given them more).
  std::optional<int64_t> min_guest_unused_mib;
  std::optional<int64_t> min_guest_unused_below_max_mib;
  // Guests whose balloon statistics in this tick's sample were frozen.
  std::vector<std::string> frozen_stats;
  // From the guests' side, over vCPUs wanting at least fair_min_want (1
  // when there are none): the least and the mean served share, and Jain's
  // index of the served shares (1: all equal; 1/n: one gets everything).
  double min_served = 1;
  double mean_served = 1;
  double jain_served = 1;
  // The most any such vCPU waited per unit of time it wanted to run.
  double max_wait_per_want = 0;
  // Cores holding two or more busy vCPUs while a core one of them may use
  // idles (see RefereeRules::busy_want).
  int crowded_cores = 0;
  // Pin calls since the previous Take() on guests opted out of the CPU
  // policy, and pins that left the operator's set (vcpupin or cpuset).
  int opted_out_pin_calls = 0;
  int operator_set_violations = 0;
};

// The run so far, folded tick by tick: what the summary (report.h) needs,
// kept whether or not the per-tick records are. Means are sums here.
struct RunTotals {
  int64_t ticks = 0;
  int balanced_ticks = 0;
  int settled_ticks = 0;
  // Index of the first tick of the run of balanced (settled) ticks that
  // includes the last tick judged; nullopt when the last tick is not.
  std::optional<int64_t> balanced_run_from;
  std::optional<int64_t> settled_run_from;
  double sum_min_served = 0;
  double sum_mean_served = 0;
  double sum_jain_served = 0;
  int crowded_core_ticks = 0;  // ticks with crowded_cores > 0
  std::optional<int64_t> min_host_free_mib;
  std::optional<int64_t> min_guest_unused_mib;
  std::optional<int64_t> min_guest_unused_below_max_mib;
  int host_overcommit_ticks = 0;  // ticks with host_free_mib < 0
};

// Whether the Referee keeps every tick's TickRecord (tests read them) or
// only the last one and the RunTotals: a long benchmark run (10,000 ticks
// at 64 pCPUs: about 0.6 KiB a tick) must not grow the process it measures.
// kLastOnly also forgets the per-domain figures (balloon changes, max
// actual, frozen stats) of a domain once it is no longer running, folding
// its short run into max_ticks_short_of_memory: otherwise a run that
// replaces guests grows by three map entries per guest that ever ran.
enum class TickRecords { kKeepAll, kLastOnly };

class Referee {
 public:
  // `cores`: which pCPUs share a core (empty: each pCPU its own).
  Referee(RefereeRules rules, std::vector<int> online_pcpus,
          std::vector<int> core_of = {},
          TickRecords keep = TickRecords::kKeepAll);

  // Calls that changed the world; they count toward the next tick judged.
  void NotePinChange();
  void NoteBalloonChange(const std::string& domain);
  // Every PinVcpu call: on a guest opted out of the CPU policy, and/or to a
  // set outside the operator's; they count toward the next tick judged.
  void NotePinCall(bool opted_out, bool outside_operator_set);
  // Judges one tick from what the World reports of it.
  void Judge(int64_t tick, const TickTruth& truth);
  // The Sensor's frozen statistics, onto the tick last judged.
  void NoteFrozenStats(std::vector<std::string> domains);

  const RefereeRules& rules() const { return rules_; }
  // Every tick judged, in order; empty under TickRecords::kLastOnly.
  const std::vector<TickRecord>& records() const { return records_; }
  // Ticks judged so far, and the last one's record (a default TickRecord
  // before the first), whichever TickRecords was chosen.
  int64_t ticks() const { return totals_.ticks; }
  const TickRecord& last_record() const { return last_; }
  const RunTotals& totals() const { return totals_; }
  int pin_changes() const { return pin_changes_; }
  int balloon_changes() const { return balloon_changes_; }
  int guest_oom_kills() const { return guest_oom_kills_; }
  int workload_alloc_failures() const { return workload_alloc_failures_; }
  // Times the host ran out of memory (available fell below 0 after a tick
  // with some left): each is one kill by the host kernel's OOM killer (its
  // largest process: the host holder, or a guest's QEMU). The simulator
  // does not carry the kill out, so a run stays comparable; it counts it.
  int host_oom_kills() const { return host_oom_kills_; }
  int opted_out_pin_calls() const { return opted_out_pin_calls_; }
  int operator_set_violations() const { return operator_set_violations_; }
  // By domain name, for every domain that ever ran (kLastOnly: that runs
  // in the last tick judged).
  const std::map<std::string, int>& balloon_changes_by_domain() const {
    return balloon_changes_by_domain_;
  }
  const std::map<std::string, int64_t>& max_actual_mib() const {
    return max_actual_mib_;
  }
  // The first tick each guest's statistics were frozen.
  const std::map<std::string, int64_t>& stats_frozen_from() const {
    return stats_frozen_from_;
  }
  // The longest run of ticks any guest spent below the low mark while it
  // could still have been grown: how long a needy guest waited.
  int max_ticks_short_of_memory() const;

 private:
  void JudgeCpu(const TickTruth& truth, TickRecord* record);
  void JudgeMemory(const TickTruth& truth, TickRecord* record);
  void JudgeFairness(const TickTruth& truth, TickRecord* record) const;
  void JudgeCores(const TickTruth& truth, TickRecord* record) const;
  int CoreOf(int pcpu) const;
  void AddToTotals(const TickRecord& record);
  void ForgetStopped(const TickTruth& truth);
  std::optional<double> BestReachable(std::vector<double> demands);

  RefereeRules rules_;
  std::vector<int> online_;
  std::vector<int> core_of_;
  TickRecords keep_;
  std::vector<TickRecord> records_;
  TickRecord last_;
  RunTotals totals_;
  // BestReachableStddev by sorted demand vector: loads repeat tick to tick.
  std::map<std::vector<double>, std::optional<double>> best_cache_;
  int pending_pin_changes_ = 0;
  int pending_balloon_changes_ = 0;
  int pin_changes_ = 0;
  int balloon_changes_ = 0;
  int guest_oom_kills_ = 0;
  int workload_alloc_failures_ = 0;
  int host_oom_kills_ = 0;
  int opted_out_pin_calls_ = 0;
  int operator_set_violations_ = 0;
  int pending_opted_out_ = 0;
  int pending_violations_ = 0;
  std::map<std::string, int> balloon_changes_by_domain_;
  std::map<std::string, int64_t> max_actual_mib_;
  std::map<std::string, int64_t> stats_frozen_from_;
  // Per guest: the current and the longest run of short ticks.
  struct ShortRun {
    int current = 0;
    int longest = 0;
  };
  std::map<std::string, ShortRun> short_runs_;
  int forgotten_longest_short_ = 0;  // of domains ForgetStopped dropped
};

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_REFEREE_H_
