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

void KeepMin(const std::optional<int64_t>& value, std::optional<int64_t>* min) {
  if (value && (!*min || *value < **min)) *min = value;
}

void AddCpu(const World& world, const Referee& referee, json* j) {
  const std::vector<TickRecord>& records = referee.records();
  const int64_t ticks = static_cast<int64_t>(records.size());
  (*j)["pin_changes"] = referee.pin_changes();
  int balanced_ticks = 0, settled_ticks = 0;
  for (const TickRecord& r : records) {
    balanced_ticks += r.balanced;
    settled_ticks += r.settled;
  }
  (*j)["balanced_ticks"] = balanced_ticks;
  (*j)["settled_ticks"] = settled_ticks;
  // The first tick of the run of balanced (settled) ticks that lasts to the
  // end, or null when the last tick is not.
  auto first_of_final_run = [&](bool TickRecord::*flag) {
    int64_t first = ticks;
    while (first > 0 && records[first - 1].*flag) --first;
    return first < ticks ? json(first) : json(nullptr);
  };
  (*j)["first_balanced_tick"] = first_of_final_run(&TickRecord::balanced);
  (*j)["first_settled_tick"] = first_of_final_run(&TickRecord::settled);
  (*j)["best_reachable_stddev"] = !records.empty() && records.back().best_stddev
                                      ? json(*records.back().best_stddev)
                                      : json(nullptr);
  (*j)["final_stddev"] = records.empty() ? 0.0 : records.back().stddev;
  (*j)["final_mean"] = records.empty() ? 0.0 : records.back().mean;
  // From the guests' side (TickRecord): means over the run's ticks.
  double min_served = 0, mean_served = 0, jain = 0;
  int crowded_ticks = 0;
  for (const TickRecord& r : records) {
    min_served += r.min_served;
    mean_served += r.mean_served;
    jain += r.jain_served;
    crowded_ticks += r.crowded_cores > 0;
  }
  const double n = std::max<int64_t>(1, ticks);
  (*j)["mean_min_served"] = min_served / n;
  (*j)["mean_served"] = mean_served / n;
  (*j)["mean_jain_served"] = jain / n;
  (*j)["crowded_core_ticks"] = crowded_ticks;
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
  std::optional<int64_t> min_host, min_unused, min_unused_below_max;
  int overcommit = 0;
  for (const TickRecord& r : referee.records()) {
    KeepMin(r.host_free_mib, &min_host);
    KeepMin(r.min_guest_unused_mib, &min_unused);
    KeepMin(r.min_guest_unused_below_max_mib, &min_unused_below_max);
    overcommit += r.host_free_mib < 0;
  }
  (*j)["min_host_free_mib"] = OrNull(min_host);
  (*j)["min_guest_unused_mib"] = OrNull(min_unused);
  (*j)["min_guest_unused_below_max_mib"] = OrNull(min_unused_below_max);
  (*j)["host_overcommit_ticks"] = overcommit;
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
  j["ticks"] = static_cast<int64_t>(referee.records().size());
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
