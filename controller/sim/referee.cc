#include "controller/sim/referee.h"

#include <algorithm>
#include <cmath>

#include "controller/sim/cpu_model.h"
#include "controller/sim/units.h"

namespace vmbalance {
namespace sim {
namespace {

void KeepMin(int64_t value, std::optional<int64_t>* min) {
  if (!*min || value < **min) *min = value;
}

}  // namespace

Referee::Referee(RefereeRules rules, std::vector<int> online_pcpus)
    : rules_(rules), online_(std::move(online_pcpus)) {}

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
  JudgeCpu(truth, &record);
  JudgeMemory(truth, &record);
  records_.push_back(std::move(record));
}

void Referee::NoteFrozenStats(std::vector<std::string> domains) {
  if (records_.empty()) return;
  TickRecord& record = records_.back();
  for (const std::string& name : domains) {
    stats_frozen_from_.emplace(name, record.tick);  // keeps the first
  }
  record.frozen_stats = std::move(domains);
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
  const bool had_memory =
      records_.empty() || records_.back().host_free_mib >= 0;
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

int Referee::max_ticks_short_of_memory() const {
  int longest = 0;
  for (const auto& [name, run] : short_runs_) {
    longest = std::max(longest, run.longest);
  }
  return longest;
}

}  // namespace sim
}  // namespace vmbalance
