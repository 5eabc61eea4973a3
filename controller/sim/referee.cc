#include "controller/sim/referee.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_set>

#include "controller/sim/cpu_model.h"
#include "controller/sim/units.h"

namespace vmbalance {
namespace sim {
namespace {

void KeepMin(int64_t value, std::optional<int64_t>* min) {
  if (!*min || value < **min) *min = value;
}

}  // namespace

Referee::Referee(RefereeRules rules, std::vector<int> online_pcpus,
                 std::vector<int> core_of, TickRecords keep)
    : rules_(rules),
      online_(std::move(online_pcpus)),
      core_of_(std::move(core_of)),
      keep_(keep) {}

void Referee::NotePinCall(bool opted_out, bool outside_operator_set) {
  opted_out_pin_calls_ += opted_out;
  pending_opted_out_ += opted_out;
  operator_set_violations_ += outside_operator_set;
  pending_violations_ += outside_operator_set;
}

int Referee::CoreOf(int pcpu) const {
  if (pcpu >= 0 && pcpu < static_cast<int>(core_of_.size())) {
    return core_of_[pcpu];
  }
  return core_of_.empty() ? pcpu : -1;
}

void Referee::JudgeFairness(const TickTruth& truth, TickRecord* record) const {
  double sum = 0, squares = 0;
  int n = 0;
  for (const VcpuTruth& v : truth.vcpus) {
    if (v.want < rules_.fair_min_want) continue;
    const double served = std::min(1.0, v.work / v.want);
    record->min_served = n == 0 ? served : std::min(record->min_served, served);
    sum += served;
    squares += served * served;
    ++n;
    // Waiting per unit of wanted run time: what the guest feels as delay.
    record->max_wait_per_want =
        std::max(record->max_wait_per_want, v.wait / v.want);
  }
  if (n == 0) return;
  record->mean_served = sum / n;
  record->jain_served = squares > 0 ? sum * sum / (n * squares) : 1;
}

void Referee::JudgeCores(const TickTruth& truth, TickRecord* record) const {
  std::map<int, double> core_load;
  for (int p : online_) {
    core_load[CoreOf(p)] +=
        truth.pcpu_host_load.empty() ? 0.0 : truth.pcpu_host_load[p];
  }
  std::map<int, std::vector<const VcpuTruth*>> busy_on;
  for (const VcpuTruth& v : truth.vcpus) {
    if (v.pcpu < 0) continue;
    core_load[CoreOf(v.pcpu)] += v.nominal;
    if (v.nominal >= rules_.busy_want) busy_on[CoreOf(v.pcpu)].push_back(&v);
  }
  std::vector<int> idle_pcpus;  // online pCPUs of idle cores
  for (int p : online_) {
    if (core_load[CoreOf(p)] < rules_.idle_core_load) idle_pcpus.push_back(p);
  }
  if (idle_pcpus.empty()) return;
  for (const auto& [core, busy] : busy_on) {
    if (busy.size() < 2) continue;
    bool could_move = false;
    for (const VcpuTruth* v : busy) {
      for (int p : idle_pcpus)
        could_move = could_move || v->allowed.Contains(p);
    }
    record->crowded_cores += could_move;
  }
}

void Referee::NotePinChange() {
  ++pin_changes_;
  ++pending_pin_changes_;
}

void Referee::NoteBalloonChange(const std::string& domain) {
  ++balloon_changes_;
  ++pending_balloon_changes_;
  ++balloon_changes_by_domain_[domain];
}

void Referee::Judge(int64_t tick, const TickTruth& truth) {
  TickRecord record;
  record.tick = tick;
  record.pin_changes = pending_pin_changes_;
  record.balloon_changes = pending_balloon_changes_;
  pending_pin_changes_ = 0;
  pending_balloon_changes_ = 0;
  record.running_domains = truth.running_domains;
  guest_oom_kills_ += truth.guest_oom_kills;
  workload_alloc_failures_ += truth.workload_alloc_failures;
  record.opted_out_pin_calls = pending_opted_out_;
  record.operator_set_violations = pending_violations_;
  pending_opted_out_ = 0;
  pending_violations_ = 0;
  JudgeCpu(truth, &record);
  JudgeFairness(truth, &record);
  JudgeCores(truth, &record);
  JudgeMemory(truth, &record);
  if (keep_ == TickRecords::kLastOnly) ForgetStopped(truth);
  AddToTotals(record);
  if (keep_ == TickRecords::kKeepAll) records_.push_back(record);
  last_ = std::move(record);
}

void Referee::AddToTotals(const TickRecord& r) {
  RunTotals& t = totals_;
  const int64_t index = t.ticks++;
  t.balanced_ticks += r.balanced;
  t.settled_ticks += r.settled;
  auto extend_run = [index](bool flag, std::optional<int64_t>* from) {
    if (!flag) {
      from->reset();
    } else if (!*from) {
      *from = index;
    }
  };
  extend_run(r.balanced, &t.balanced_run_from);
  extend_run(r.settled, &t.settled_run_from);
  t.sum_min_served += r.min_served;
  t.sum_mean_served += r.mean_served;
  t.sum_jain_served += r.jain_served;
  t.crowded_core_ticks += r.crowded_cores > 0;
  KeepMin(r.host_free_mib, &t.min_host_free_mib);
  if (r.min_guest_unused_mib) {
    KeepMin(*r.min_guest_unused_mib, &t.min_guest_unused_mib);
  }
  if (r.min_guest_unused_below_max_mib) {
    KeepMin(*r.min_guest_unused_below_max_mib,
            &t.min_guest_unused_below_max_mib);
  }
  t.host_overcommit_ticks += r.host_free_mib < 0;
}

void Referee::NoteFrozenStats(std::vector<std::string> domains) {
  if (ticks() == 0) return;
  for (const std::string& name : domains) {
    stats_frozen_from_.emplace(name, last_.tick);  // keeps the first
  }
  if (keep_ == TickRecords::kKeepAll) records_.back().frozen_stats = domains;
  last_.frozen_stats = std::move(domains);
}

void Referee::JudgeCpu(const TickTruth& truth, TickRecord* record) {
  record->pcpu_demand = truth.pcpu_demand;
  const int n = static_cast<int>(online_.size());
  double sum = 0, sq = 0;
  for (int p : online_) sum += record->pcpu_demand[p];
  record->mean = sum / n;
  for (int p : online_) {
    const double diff = record->pcpu_demand[p] - record->mean;
    sq += diff * diff;
  }
  record->stddev = std::sqrt(sq / n);
  const double eps = rules_.balance_epsilon;
  record->balanced =
      record->stddev <= rules_.max_stddev_ratio * record->mean + eps &&
      record->stddev <= rules_.max_stddev_abs + eps;
  if (static_cast<int>(truth.vcpu_demands.size()) <=
      rules_.max_exhaustive_vcpus) {
    record->best_stddev = BestReachable(truth.vcpu_demands);
  }
  record->settled =
      record->balanced ||
      (record->best_stddev &&
       record->stddev <= *record->best_stddev + rules_.settled_tolerance);
}

std::optional<double> Referee::BestReachable(std::vector<double> demands) {
  std::sort(demands.begin(), demands.end());
  auto it = best_cache_.find(demands);
  if (it == best_cache_.end()) {
    std::optional<double> best = BestReachableStddev(
        demands, static_cast<int>(online_.size()), rules_.max_exhaustive_vcpus);
    it = best_cache_.emplace(std::move(demands), best).first;
  }
  return it->second;
}

void Referee::JudgeMemory(const TickTruth& truth, TickRecord* record) {
  record->host_free_mib = truth.host_free_mib;
  const bool had_memory = ticks() == 0 || last_.host_free_mib >= 0;
  if (truth.host_free_mib < 0 && had_memory) ++host_oom_kills_;
  for (const GuestTruth& g : truth.guests) {
    balloon_changes_by_domain_.emplace(g.name, 0);
    int64_t& max_actual = max_actual_mib_.emplace(g.name, 0).first->second;
    max_actual = std::max(max_actual, ToMib(g.actual_kib));
    // Without a driver the guest reports nothing and nobody can feed it.
    if (!g.balloon_driver) continue;
    const int64_t unused = ToMib(g.unused_kib);
    const bool can_grow = g.actual_kib < g.max_memory_kib;
    KeepMin(unused, &record->min_guest_unused_mib);
    if (can_grow) KeepMin(unused, &record->min_guest_unused_below_max_mib);
    ShortRun& run = short_runs_[g.name];
    run.current =
        unused < rules_.low_mark_mib && can_grow ? run.current + 1 : 0;
    run.longest = std::max(run.longest, run.current);
  }
}

void Referee::ForgetStopped(const TickTruth& truth) {
  std::unordered_set<std::string> running;
  for (const GuestTruth& g : truth.guests) running.insert(g.name);
  auto forget = [&running](auto* by_name) {
    for (auto it = by_name->begin(); it != by_name->end();) {
      it = running.count(it->first) ? std::next(it) : by_name->erase(it);
    }
  };
  for (const auto& [name, run] : short_runs_) {
    if (!running.count(name)) {
      forgotten_longest_short_ =
          std::max(forgotten_longest_short_, run.longest);
    }
  }
  forget(&short_runs_);
  forget(&balloon_changes_by_domain_);
  forget(&max_actual_mib_);
  forget(&stats_frozen_from_);
}

int Referee::max_ticks_short_of_memory() const {
  int longest = forgotten_longest_short_;
  for (const auto& [name, run] : short_runs_) {
    longest = std::max(longest, run.longest);
  }
  return longest;
}

}  // namespace sim
}  // namespace vmbalance
