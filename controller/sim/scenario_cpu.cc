#include "controller/sim/scenario_cpu.h"

#include <fstream>
#include <set>
#include <sstream>

#include "controller/sim/units.h"
#include "exporter/topology/capabilities_xml.h"

namespace vmbalance {
namespace sim {
namespace {

using nlohmann::json;

// Cells of `cores_per_cell` cores, `threads` threads each, numbered as Linux
// numbers such hosts: the first thread of every core, then the second
// (siblings N and N + cores).
StatusOr<HostTopology> GenerateTopology(int cells, int cores_per_cell,
                                        int threads, int64_t cell_memory_mib,
                                        int remote_distance) {
  const int cores = cells * cores_per_cell;
  std::vector<TopologyCell> cell_list(cells);
  for (int c = 0; c < cells; ++c) {
    cell_list[c].id = c;
    cell_list[c].memory_kib =
        static_cast<uint64_t>(cell_memory_mib) * kKibPerMib;
    for (int o = 0; o < cells; ++o) {
      cell_list[c].distances[o] = o == c ? 10 : remote_distance;
    }
  }
  std::vector<TopologyCpu> cpus;
  for (int core = 0; core < cores; ++core) {
    std::vector<int> ids;
    for (int t = 0; t < threads; ++t) ids.push_back(core + t * cores);
    CpuSet siblings(ids);
    for (int id : ids) {
      TopologyCpu cpu;
      cpu.id = id;
      cpu.cell = core / cores_per_cell;
      cpu.socket = cpu.cell;
      cpu.die = 0;
      cpu.core_id = core % cores_per_cell;
      cpu.siblings = siblings;
      cpus.push_back(cpu);
    }
  }
  return HostTopology::Build(std::move(cell_list), std::move(cpus));
}

void ParseInline(JsonReader* r, const json& t, Scenario* s) {
  if (!t.is_object()) return r->Fail("topology", "expected an object");
  for (auto it = t.begin(); it != t.end(); ++it) {
    static const std::set<std::string> kKeys = {
        "cells", "cores_per_cell", "threads_per_core", "cell_memory_mib",
        "remote_distance"};
    if (!kKeys.count(it.key())) {
      return r->Fail("topology." + it.key(), "unknown field");
    }
  }
  int cells = 1, cores = 1, threads = 1, distance = 21;
  int64_t memory_mib = 65536;
  r->Integer(t, "topology.", "cells", 1, 64, &cells);
  r->Integer(t, "topology.", "cores_per_cell", 1, 1024, &cores);
  r->Integer(t, "topology.", "threads_per_core", 1, 8, &threads);
  r->Integer(t, "topology.", "cell_memory_mib", 0, int64_t{1} << 30,
             &memory_mib);
  r->Integer(t, "topology.", "remote_distance", 10, 254, &distance);
  if (r->failed()) return;
  StatusOr<HostTopology> topo =
      GenerateTopology(cells, cores, threads, memory_mib, distance);
  if (!topo.ok()) return r->Fail("topology", topo.status().message());
  s->topology = *topo;
}

bool ReadText(const std::string& path, std::string* text) {
  std::ifstream in(path);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  *text = buffer.str();
  return true;
}

// The file as given (absolute or from the working directory), else under
// base_dir or one of its parents: a scenario in the repository can name a
// fixture by its path from the repository's root.
bool FindAndRead(const std::string& file, const std::string& base_dir,
                 std::string* text) {
  if (ReadText(file, text) || file.empty() || file[0] == '/') {
    return !text->empty();
  }
  std::string dir = base_dir;
  while (!dir.empty()) {
    if (ReadText(dir + "/" + file, text)) return true;
    const size_t slash = dir.find_last_of('/');
    if (slash == std::string::npos || slash == 0) break;
    dir = dir.substr(0, slash);
  }
  return false;
}

void ParseFile(JsonReader* r, const json& doc, const std::string& base_dir,
               Scenario* s) {
  std::string file;
  r->String(doc, "", "topology_file", &file);
  if (r->failed()) return;
  std::string text;
  if (!FindAndRead(file, base_dir, &text)) {
    return r->Fail("topology_file", "cannot read " + file);
  }
  StatusOr<HostTopology> topo = ParseCapabilitiesTopology(text);
  if (!topo.ok()) return r->Fail("topology_file", topo.status().message());
  s->topology = *topo;
}

PolicySwitch ReadSwitch(JsonReader* r, const json& obj, const std::string& p,
                        const char* key) {
  std::string value;
  r->String(obj, p, key, &value);
  if (value.empty() || r->failed()) return PolicySwitch::kDefault;
  if (value == "on") return PolicySwitch::kOn;
  if (value == "off") return PolicySwitch::kOff;
  r->Fail(p + key, "expected \"on\" or \"off\", got \"" + value + "\"");
  return PolicySwitch::kDefault;
}

// A cpuset string within the host's pCPUs.
std::optional<CpuSet> ReadCpuSet(JsonReader* r, const json& v,
                                 const std::string& where, int width) {
  if (!v.is_string()) {
    r->Fail(where, "expected a cpuset string like \"0-3,8\"");
    return std::nullopt;
  }
  std::optional<CpuSet> set = CpuSet::Parse(v.get<std::string>());
  if (!set || set->Empty()) {
    r->Fail(where, "not a cpuset: \"" + v.get<std::string>() + "\"");
    return std::nullopt;
  }
  if (set->Last() >= width) {
    r->Fail(where, "pCPU " + std::to_string(set->Last()) +
                       " does not exist: host has " + std::to_string(width));
    return std::nullopt;
  }
  return set;
}

}  // namespace

void ParseTopology(JsonReader* r, const json& doc, const std::string& base_dir,
                   bool pcpus_given, Scenario* s) {
  const bool inline_given = doc.contains("topology");
  const bool file_given = doc.contains("topology_file");
  if (!inline_given && !file_given) return;
  if (inline_given && file_given) {
    return r->Fail("topology", "give topology or topology_file, not both");
  }
  if (inline_given) {
    ParseInline(r, doc["topology"], s);
  } else {
    ParseFile(r, doc, base_dir, s);
  }
  if (r->failed()) return;
  int width = 0;
  for (const TopologyCpu& cpu : s->topology->cpus()) {
    width = std::max(width, cpu.id + 1);
  }
  if (pcpus_given && s->pcpus != width) {
    return r->Fail("pcpus", std::to_string(s->pcpus) +
                                " does not match the topology's " +
                                std::to_string(width) + " pCPUs");
  }
  s->pcpus = width;
  const CpuSet online = s->topology->online();
  for (int p = 0; p < width; ++p) {
    if (!online.Contains(p)) s->offline_pcpus.push_back(p);
  }
}

void ParseHostCpu(JsonReader* r, const json& doc, Scenario* s) {
  r->Number(doc, "", "smt_yield", 1, 8, &s->smt_yield);
  r->Number(doc, "", "remote_memory_speed", 0.05, 1, &s->remote_memory_speed);
  r->Number(doc, "", "linux_fairness", 0, 1, &s->linux_fairness);
  r->Number(doc, "", "migration_cost_ms", 0, 1000, &s->migration_cost_ms);
  r->Number(doc, "", "rotation_period_ms", 0.1, 1e6, &s->rotation_period_ms);
  r->Number(doc, "", "read_jitter_s", 0, 10, &s->read_jitter_s);
  std::string balancer = "sticky";
  r->String(doc, "", "balancer", &balancer);
  if (r->failed()) return;
  if (balancer == "sticky") {
    s->balancer = Balancer::kSticky;
  } else if (balancer == "linux") {
    s->balancer = Balancer::kLinux;
  } else {
    return r->Fail("balancer", "expected \"sticky\" or \"linux\", got \"" +
                                   balancer + "\"");
  }
  auto loads = doc.find("host_load");
  if (loads == doc.end()) return;
  if (!loads->is_array()) return r->Fail("host_load", "expected a list");
  for (size_t i = 0; i < loads->size(); ++i) {
    const json& e = (*loads)[i];
    const std::string p = "host_load[" + std::to_string(i) + "]";
    if (!e.is_object() || !e.contains("pcpus") || !e.contains("load")) {
      return r->Fail(p, "expected {\"pcpus\": \"0-3\", \"load\": 0.2}");
    }
    HostLoadSpec spec;
    std::optional<CpuSet> set =
        ReadCpuSet(r, e["pcpus"], p + ".pcpus", s->pcpus);
    if (!set) return;
    spec.pcpus = *set;
    r->Series(e["load"], p + ".load", 0, 1, &spec.load);
    if (r->failed()) return;
    s->host_load.push_back(std::move(spec));
  }
}

void ParseDomainConfig(JsonReader* r, const json& d, const std::string& p,
                       const Scenario& s, DomainSpec* out) {
  OperatorPlacement& placement = out->config.placement;
  if (auto cpuset = d.find("cpuset"); cpuset != d.end()) {
    placement.vcpu_cpuset = ReadCpuSet(r, *cpuset, p + "cpuset", s.pcpus);
    if (r->failed()) return;
  }
  if (auto pins = d.find("vcpupin"); pins != d.end()) {
    if (!pins->is_object()) {
      return r->Fail(p + "vcpupin", "expected {\"vCPU\": \"cpuset\"}");
    }
    for (auto it = pins->begin(); it != pins->end(); ++it) {
      const std::string where = p + "vcpupin." + it.key();
      int64_t vcpu = -1;
      if (!r->ReadInteger(json::parse(it.key(), nullptr, false), where, 0,
                          out->vcpus - 1, &vcpu)) {
        return;
      }
      std::optional<CpuSet> set = ReadCpuSet(r, it.value(), where, s.pcpus);
      if (!set) return;
      placement.vcpupin[static_cast<int>(vcpu)] = *set;
    }
  }
  if (auto numa = d.find("numatune"); numa != d.end()) {
    if (!numa->is_object() || !numa->contains("nodeset")) {
      return r->Fail(p + "numatune", "expected {\"mode\", \"nodeset\"}");
    }
    placement.memory_mode = "strict";
    r->String(*numa, p + "numatune.", "mode", &placement.memory_mode);
    std::string nodeset;
    r->String(*numa, p + "numatune.", "nodeset", &nodeset);
    if (r->failed()) return;
    placement.memory_cells = CpuSet::Parse(nodeset);
    if (!placement.memory_cells || placement.memory_cells->Empty()) {
      return r->Fail(p + "numatune.nodeset", "not a cell list: " + nodeset);
    }
  }
  if (auto policy = d.find("policy"); policy != d.end()) {
    if (!policy->is_object())
      return r->Fail(p + "policy", "expected an object");
    out->config.policy.cpu = ReadSwitch(r, *policy, p + "policy.", "cpu");
    out->config.policy.memory = ReadSwitch(r, *policy, p + "policy.", "memory");
  }
  int cell = -1;
  r->Integer(d, p, "memory_cell", 0, 1023, &cell);
  if (cell >= 0) out->memory_cell = cell;
}

}  // namespace sim
}  // namespace vmbalance
