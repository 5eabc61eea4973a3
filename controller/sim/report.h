// Report: a simulated run as one JSON summary (what run_scenario prints,
// --summary_json writes and tools/bench.sh tabulates), built from the
// Referee's judgement and the World's final state. Pure functions.
#ifndef VMBALANCE_CONTROLLER_SIM_REPORT_H_
#define VMBALANCE_CONTROLLER_SIM_REPORT_H_

#include <nlohmann/json.hpp>
#include <string>

#include "controller/sim/referee.h"
#include "controller/sim/world.h"
#include "exporter/core/status.h"

namespace vmbalance {
namespace sim {

// Keys: scenario, interval_s, ticks, max_decision_seconds;
// CPU: pin_changes, balanced_ticks, settled_ticks, first_balanced_tick and
// first_settled_tick (the first tick of the run that lasts to the end; null
// if the last tick is not), best_reachable_stddev (final tick; null if not
// computed), final_stddev, final_mean, final_assignment {name: [pcpu per
// vCPU]}; from the guests' side (TickRecord), means over ticks:
// mean_min_served, mean_served, mean_jain_served; crowded_core_ticks (ticks
// with two busy vCPUs on a core while a core they may use idles),
// opted_out_pin_calls, operator_set_violations;
// memory: balloon_changes, balloon_changes_by_domain {name: n},
// guest_oom_kills, workload_alloc_failures, min_host_free_mib (host
// available memory: touched guest pages, not balloon sizes, cost the host),
// host_overcommit_ticks (ticks with host available below 0: out of memory),
// host_oom_kills (see Referee::host_oom_kills), min_guest_unused_mib and
// min_guest_unused_below_max_mib (true values, see TickRecord; null if
// none), max_ticks_short_of_memory, final_actual_mib {name: MiB} (running
// domains), max_actual_mib {name: MiB} (every domain that ran),
// stats_frozen_from {name: first tick}. Under TickRecords::kLastOnly the
// per-domain maps cover only the domains running in the last tick.
nlohmann::json BuildSummary(const World& world, const Referee& referee,
                            double interval_s, double max_decision_seconds);

// Writes `json` indented to `path`.
Status WriteJson(const nlohmann::json& json, const std::string& path);

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_REPORT_H_
