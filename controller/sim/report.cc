#include "controller/sim/report.h"

#include <algorithm>
#include <fstream>
#include <optional>

#include "controller/sim/units.h"

namespace vmbalance {
namespace sim {
namespace {

using nlohmann::json;

json OrNull(const std::optional<int64_t>& value) {
  return value ? json(*value) : json(nullptr);
}

// From the Referee's RunTotals, so a run that kept only the last tick's
// record (TickRecords::kLastOnly) reports the same as one that kept all.
void AddCpu(const World& world, const Referee& referee, json* j) {
  const RunTotals& totals = referee.totals();
  const TickRecord& last = referee.last_record();
  const bool judged = totals.ticks > 0;
  (*j)["pin_changes"] = referee.pin_changes();
  (*j)["balanced_ticks"] = totals.balanced_ticks;
  (*j)["settled_ticks"] = totals.settled_ticks;
  // The first tick of the run of balanced (settled) ticks that lasts to the
  // end, or null when the last tick is not.
  (*j)["first_balanced_tick"] = OrNull(totals.balanced_run_from);
  (*j)["first_settled_tick"] = OrNull(totals.settled_run_from);
  (*j)["best_reachable_stddev"] =
      judged && last.best_stddev ? json(*last.best_stddev) : json(nullptr);
  (*j)["final_stddev"] = judged ? last.stddev : 0.0;
  (*j)["final_mean"] = judged ? last.mean : 0.0;
  // From the guests' side (TickRecord): means over the run's ticks.
  const double n = std::max<int64_t>(1, totals.ticks);
  (*j)["mean_min_served"] = totals.sum_min_served / n;
  (*j)["mean_served"] = totals.sum_mean_served / n;
  (*j)["mean_jain_served"] = totals.sum_jain_served / n;
  (*j)["crowded_core_ticks"] = totals.crowded_core_ticks;
  (*j)["opted_out_pin_calls"] = referee.opted_out_pin_calls();
  (*j)["operator_set_violations"] = referee.operator_set_violations();
  json assignment = json::object();
  for (const auto& [name, pcpus] : world.Assignment()) assignment[name] = pcpus;
  (*j)["final_assignment"] = assignment;
}

void AddMemory(const World& world, const Referee& referee, json* j) {
  (*j)["balloon_changes"] = referee.balloon_changes();
  (*j)["balloon_changes_by_domain"] = referee.balloon_changes_by_domain();
  (*j)["guest_oom_kills"] = referee.guest_oom_kills();
  (*j)["workload_alloc_failures"] = referee.workload_alloc_failures();
  const RunTotals& totals = referee.totals();
  (*j)["min_host_free_mib"] = OrNull(totals.min_host_free_mib);
  (*j)["min_guest_unused_mib"] = OrNull(totals.min_guest_unused_mib);
  (*j)["min_guest_unused_below_max_mib"] =
      OrNull(totals.min_guest_unused_below_max_mib);
  (*j)["host_overcommit_ticks"] = totals.host_overcommit_ticks;
  (*j)["host_oom_kills"] = referee.host_oom_kills();
  (*j)["max_ticks_short_of_memory"] = referee.max_ticks_short_of_memory();
  json final_actual = json::object();
  const std::vector<DomainRuntime>& domains = world.domains();
  for (size_t i = 0; i < domains.size(); ++i) {
    if (domains[i].running) {
      final_actual[world.scenario().domains[i].name] =
          ToMib(domains[i].memory.actual_kib);
    }
  }
  (*j)["final_actual_mib"] = final_actual;
  (*j)["max_actual_mib"] = referee.max_actual_mib();
  (*j)["stats_frozen_from"] = referee.stats_frozen_from();
}

}  // namespace

json BuildSummary(const World& world, const Referee& referee, double interval_s,
                  double max_decision_seconds) {
  json j;
  j["scenario"] = world.scenario().name;
  j["interval_s"] = interval_s;
  j["ticks"] = referee.ticks();
  j["max_decision_seconds"] = max_decision_seconds;
  AddCpu(world, referee, &j);
  AddMemory(world, referee, &j);
  return j;
}

Status WriteJson(const json& json, const std::string& path) {
  std::ofstream out(path);
  if (!out) return Status::Error("cannot write summary to " + path);
  out << json.dump(2) << "\n";
  out.close();
  if (!out) return Status::Error("error writing summary to " + path);
  return Status::Ok();
}

}  // namespace sim
}  // namespace vmbalance
