// The scenario parser's CPU-placement parts (issue 12): the host's topology
// (inline or a capabilities XML file), host load, the kernel balancer's
// figures, and each domain's operator placement and policy switch. Used by
// scenario.cc only; errors name the field like the rest of the parser.
#ifndef VMBALANCE_CONTROLLER_SIM_SCENARIO_CPU_H_
#define VMBALANCE_CONTROLLER_SIM_SCENARIO_CPU_H_

#include <nlohmann/json.hpp>
#include <string>

#include "controller/sim/json_reader.h"
#include "controller/sim/scenario.h"

namespace vmbalance {
namespace sim {

// "topology" / "topology_file": sets s->topology, s->pcpus (width) and adds
// the topology's offline pCPUs to s->offline_pcpus. A "pcpus" given too
// must match the width.
void ParseTopology(JsonReader* r, const nlohmann::json& doc,
                   const std::string& base_dir, bool pcpus_given, Scenario* s);

// "smt_yield", "remote_memory_speed", "host_load", "balancer",
// "linux_fairness", "migration_cost_ms", "rotation_period_ms",
// "read_jitter_s" (after pcpus is known).
void ParseHostCpu(JsonReader* r, const nlohmann::json& doc, Scenario* s);

// A domain's "vcpupin", "cpuset", "numatune", "policy", "memory_cell".
void ParseDomainConfig(JsonReader* r, const nlohmann::json& d,
                       const std::string& p, const Scenario& s,
                       DomainSpec* out);

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_SCENARIO_CPU_H_
