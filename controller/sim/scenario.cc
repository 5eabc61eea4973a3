#include "controller/sim/scenario.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "controller/sim/json_reader.h"
#include "controller/sim/scenario_cpu.h"

namespace vmbalance {
namespace sim {
namespace {

using nlohmann::json;

const std::set<std::string> kScenarioKeys = {"name",
                                             "pcpus",
                                             "offline_pcpus",
                                             "host_memory_mib",
                                             "host_overhead_mib",
                                             "noise",
                                             "seed",
                                             "migrate_threshold",
                                             "cpu_quantum_ms",
                                             "balloon_mib_per_s",
                                             "guest_kernel_mib",
                                             "guest_reserved_mib",
                                             "epoch_s",
                                             "last_ran_jitter",
                                             "domains",
                                             "description",
                                             "fail_take_at",
                                             "fail_calls_at",
                                             "read_span_s",
                                             "slow_read_at",
                                             "slow_read_span_s",
                                             "qemu_overhead_mib",
                                             "host_holder_mib",
                                             "stats_period_s",
                                             "lazy_backing",
                                             "tick_records",
                                             "topology",
                                             "topology_file",
                                             "smt_yield",
                                             "remote_memory_speed",
                                             "host_load",
                                             "balancer",
                                             "linux_fairness",
                                             "migration_cost_ms",
                                             "rotation_period_ms",
                                             "read_jitter_s"};
const std::set<std::string> kDomainKeys = {"name",
                                           "uuid",
                                           "vcpus",
                                           "memory_mib",
                                           "max_memory_mib",
                                           "pin",
                                           "at",
                                           "cpu",
                                           "mem",
                                           "mem_workload",
                                           "grow_mib_per_s",
                                           "balloon_driver",
                                           "stats_stale_from",
                                           "start",
                                           "stop",
                                           "restart_at",
                                           "hang",
                                           "file_read_mib_per_s",
                                           "file_mib",
                                           "swap_mib",
                                           "vcpupin",
                                           "cpuset",
                                           "numatune",
                                           "policy",
                                           "memory_cell",
                                           "description"};

// Unknown keys are errors: a typo ("max_mem_mib") must not silently fall
// back to a default.
void CheckKeys(JsonReader* r, const json& obj, const std::string& path,
               const std::set<std::string>& known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (known.count(it.key()) == 0) {
      r->Fail(path + it.key(), "unknown field");
      return;
    }
  }
}

constexpr int64_t kMaxTick = std::numeric_limits<int32_t>::max();
constexpr int64_t kMaxMib = int64_t{1} << 30;  // 1 PiB in MiB

void ParseHang(JsonReader* r, const json& d, const std::string& p,
               DomainSpec* out) {
  auto hang = d.find("hang");
  if (hang == d.end()) return;
  const std::string path = p + "hang";
  if (!hang->is_object()) return r->Fail(path, "expected an object");
  CheckKeys(r, *hang, path + ".", {"from_tick", "ticks", "partial"});
  if (!hang->contains("from_tick") || !hang->contains("ticks")) {
    return r->Fail(path, "needs from_tick and ticks");
  }
  HangSpec spec;
  r->Integer(*hang, path + ".", "from_tick", 0, kMaxTick, &spec.from_tick);
  r->Integer(*hang, path + ".", "ticks", 1, kMaxTick, &spec.ticks);
  r->Bool(*hang, path + ".", "partial", &spec.partial);
  if (!r->failed()) out->hang = spec;
}

void ParseDomain(JsonReader* r, const json& d, const std::string& path,
                 const Scenario& s, DomainSpec* out) {
  if (!d.is_object()) return r->Fail(path, "expected an object");
  CheckKeys(r, d, path + ".", kDomainKeys);
  std::string p = path + ".";
  if (!d.contains("name")) return r->Fail(p + "name", "missing");
  r->String(d, p, "name", &out->name);
  if (!r->failed() && out->name.empty()) r->Fail(p + "name", "empty");
  r->String(d, p, "uuid", &out->uuid);
  if (out->uuid.empty()) out->uuid = DeterministicUuid(out->name);
  r->Integer(d, p, "vcpus", 1, 4096, &out->vcpus);
  r->Integer(d, p, "memory_mib", 1, kMaxMib, &out->memory_mib);
  out->max_memory_mib = out->memory_mib;
  r->Integer(d, p, "max_memory_mib", 1, kMaxMib, &out->max_memory_mib);
  if (r->failed()) return;
  if (out->max_memory_mib < out->memory_mib) {
    return r->Fail(p + "max_memory_mib", "is below memory_mib");
  }

  std::vector<int64_t> list;
  r->IntList(d, p, "pin", 0, s.pcpus - 1, &list);
  if (r->failed()) return;
  out->pin.assign(list.begin(), list.end());
  list.clear();
  r->IntList(d, p, "at", 0, s.pcpus - 1, &list);
  if (r->failed()) return;
  out->at.assign(list.begin(), list.end());
  for (const char* key : {"pin", "at"}) {
    const std::vector<int>& v = key[0] == 'p' ? out->pin : out->at;
    if (!v.empty() && static_cast<int>(v.size()) != out->vcpus) {
      return r->Fail(p + key, "needs one pCPU per vCPU (" +
                                  std::to_string(out->vcpus) + ")");
    }
    for (int cpu : v) {
      if (std::count(s.offline_pcpus.begin(), s.offline_pcpus.end(), cpu)) {
        return r->Fail(p + key, "pCPU " + std::to_string(cpu) + " is offline");
      }
    }
  }

  auto cpu = d.find("cpu");
  if (cpu == d.end()) {
    out->cpu.assign(out->vcpus, {});
  } else if (cpu->is_array() && !cpu->empty() && (*cpu)[0].is_array() &&
             !(*cpu)[0].empty() && (*cpu)[0][0].is_array()) {
    // One series per vCPU.
    if (static_cast<int>(cpu->size()) != out->vcpus) {
      return r->Fail(p + "cpu", "has " + std::to_string(cpu->size()) +
                                    " series for " +
                                    std::to_string(out->vcpus) + " vCPUs");
    }
    out->cpu.resize(out->vcpus);
    for (int i = 0; i < out->vcpus; ++i) {
      r->Series((*cpu)[i], p + "cpu[" + std::to_string(i) + "]", 0, 1,
                &out->cpu[i]);
      if (r->failed()) return;
    }
  } else {
    std::vector<SeriesPoint> series;
    r->Series(*cpu, p + "cpu", 0, 1, &series);
    out->cpu.assign(out->vcpus, series);
  }
  if (r->failed()) return;

  if (auto mem = d.find("mem"); mem != d.end()) {
    r->Series(*mem, p + "mem", 0, static_cast<double>(kMaxMib), &out->mem);
  }
  std::string workload = "profile";
  r->String(d, p, "mem_workload", &workload);
  if (r->failed()) return;
  if (workload == "profile") {
    out->mem_workload = MemWorkload::kProfile;
  } else if (workload == "grow") {
    out->mem_workload = MemWorkload::kGrow;
  } else {
    return r->Fail(
        p + "mem_workload",
        "expected \"profile\" or \"grow\", got \"" + workload + "\"");
  }
  r->Number(d, p, "grow_mib_per_s", 0, 1e6, &out->grow_mib_per_s);
  r->Bool(d, p, "balloon_driver", &out->balloon_driver);
  r->Number(d, p, "file_read_mib_per_s", 0, 1e6, &out->file_read_mib_per_s);
  int64_t file_mib = -1;
  r->Integer(d, p, "file_mib", 0, kMaxMib, &file_mib);
  if (file_mib >= 0) out->file_mib = file_mib;
  r->Integer(d, p, "swap_mib", 0, kMaxMib, &out->swap_mib);
  int64_t stale = -1;
  r->Integer(d, p, "stats_stale_from", 0, kMaxTick, &stale);
  if (stale >= 0) out->stats_stale_from = stale;
  r->Integer(d, p, "start", 0, kMaxTick, &out->start);
  int64_t stop = -1;
  r->Integer(d, p, "stop", 0, kMaxTick, &stop);
  if (r->failed()) return;
  if (stop >= 0) {
    if (stop <= out->start) return r->Fail(p + "stop", "must be after start");
    out->stop = stop;
  }
  r->IntList(d, p, "restart_at", 0, kMaxTick, &out->restart_at);
  if (r->failed()) return;
  for (size_t i = 0; i < out->restart_at.size(); ++i) {
    int64_t t = out->restart_at[i];
    if (t <= out->start || (i > 0 && t <= out->restart_at[i - 1])) {
      return r->Fail(p + "restart_at",
                     "ticks must be ascending and after start");
    }
  }
  ParseHang(r, d, p, out);
  ParseDomainConfig(r, d, p, s, out);
}

}  // namespace

double StepAt(const std::vector<SeriesPoint>& series, int64_t tick) {
  if (series.empty()) return 0;
  double value = series.front().value;
  for (const SeriesPoint& p : series) {
    if (p.tick > tick) break;
    value = p.value;
  }
  return value;
}

double LinearAt(const std::vector<SeriesPoint>& series, double tick) {
  if (series.empty()) return 0;
  if (tick <= series.front().tick) return series.front().value;
  for (size_t i = 1; i < series.size(); ++i) {
    const SeriesPoint& a = series[i - 1];
    const SeriesPoint& b = series[i];
    if (tick <= b.tick) {
      double f = (tick - a.tick) / static_cast<double>(b.tick - a.tick);
      return a.value + f * (b.value - a.value);
    }
  }
  return series.back().value;
}

std::string DeterministicUuid(const std::string& name) {
  // Two independent 64-bit FNV-1a style hashes give 128 bits; then the
  // version (4) and variant bits are set so it looks like any other UUID.
  uint64_t h[2] = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL};
  for (int k = 0; k < 2; ++k) {
    for (unsigned char c : name) {
      h[k] ^= c + k;
      h[k] *= 0x100000001b3ULL;
    }
    h[k] ^= h[k] >> 29;
    h[k] *= 0xbf58476d1ce4e5b9ULL;
    h[k] ^= h[k] >> 32;
  }
  unsigned char b[16];
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<unsigned char>(h[0] >> (8 * i));
    b[8 + i] = static_cast<unsigned char>(h[1] >> (8 * i));
  }
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof(out),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                "%02x%02x%02x%02x%02x%02x",
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
                b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

StatusOr<Scenario> ParseScenario(const std::string& json_text,
                                 const std::string& base_dir) {
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::exception& e) {
    return Status::Error(std::string("scenario is not valid JSON: ") +
                         e.what());
  }
  if (!doc.is_object()) return Status::Error("scenario: expected an object");

  JsonReader r;
  Scenario s;
  CheckKeys(&r, doc, "", kScenarioKeys);
  r.String(doc, "", "name", &s.name);
  r.Integer(doc, "", "pcpus", 1, 1 << 16, &s.pcpus);
  if (!r.failed()) ParseTopology(&r, doc, base_dir, doc.contains("pcpus"), &s);
  std::vector<int64_t> offline;
  if (!r.failed())
    r.IntList(doc, "", "offline_pcpus", 0, s.pcpus - 1, &offline);
  s.offline_pcpus.insert(s.offline_pcpus.end(), offline.begin(), offline.end());
  std::sort(s.offline_pcpus.begin(), s.offline_pcpus.end());
  s.offline_pcpus.erase(
      std::unique(s.offline_pcpus.begin(), s.offline_pcpus.end()),
      s.offline_pcpus.end());
  if (!r.failed() && static_cast<int>(s.offline_pcpus.size()) >= s.pcpus) {
    r.Fail("offline_pcpus", "leaves no pCPU online");
  }
  r.Integer(doc, "", "host_memory_mib", 1, kMaxMib, &s.host_memory_mib);
  r.Integer(doc, "", "host_overhead_mib", 0, kMaxMib, &s.host_overhead_mib);
  r.Number(doc, "", "noise", 0, 1, &s.noise);
  r.Integer(doc, "", "seed", 0, std::numeric_limits<int64_t>::max(), &s.seed);
  r.Number(doc, "", "migrate_threshold", 0, 1e6, &s.migrate_threshold);
  r.Integer(doc, "", "cpu_quantum_ms", 0, 1000, &s.cpu_quantum_ms);
  r.Number(doc, "", "last_ran_jitter", 0, 1, &s.last_ran_jitter);
  r.Number(doc, "", "balloon_mib_per_s", 1e-3, 1e9, &s.balloon_mib_per_s);
  r.Integer(doc, "", "guest_kernel_mib", 0, kMaxMib, &s.guest_kernel_mib);
  r.Integer(doc, "", "guest_reserved_mib", 0, kMaxMib, &s.guest_reserved_mib);
  r.Integer(doc, "", "epoch_s", 0, int64_t{1} << 40, &s.epoch_s);
  r.IntList(doc, "", "fail_take_at", 0, kMaxTick, &s.fail_take_at);
  r.IntList(doc, "", "fail_calls_at", 0, kMaxTick, &s.fail_calls_at);
  r.Number(doc, "", "read_span_s", 0, 3600, &s.read_span_s);
  r.IntList(doc, "", "slow_read_at", 0, kMaxTick, &s.slow_read_at);
  r.Number(doc, "", "slow_read_span_s", 0, 3600, &s.slow_read_span_s);
  r.Integer(doc, "", "qemu_overhead_mib", 0, kMaxMib, &s.qemu_overhead_mib);
  if (auto holder = doc.find("host_holder_mib");
      holder != doc.end() && !r.failed()) {
    r.Series(*holder, "host_holder_mib", 0, static_cast<double>(kMaxMib),
             &s.host_holder_mib);
  }
  r.Number(doc, "", "stats_period_s", 0, 3600, &s.stats_period_s);
  r.Bool(doc, "", "lazy_backing", &s.lazy_backing);
  r.Bool(doc, "", "tick_records", &s.tick_records);
  if (!r.failed()) ParseHostCpu(&r, doc, &s);
  for (auto* list : {&s.fail_take_at, &s.fail_calls_at, &s.slow_read_at}) {
    std::sort(list->begin(), list->end());
  }
  if (r.failed()) return r.error();

  auto domains = doc.find("domains");
  if (domains != doc.end()) {
    if (!domains->is_array()) return Status::Error("domains: expected a list");
    std::set<std::string> names, uuids;
    for (size_t i = 0; i < domains->size(); ++i) {
      std::string path = "domains[" + std::to_string(i) + "]";
      DomainSpec d;
      ParseDomain(&r, (*domains)[i], path, s, &d);
      if (r.failed()) return r.error();
      if (!names.insert(d.name).second) {
        return Status::Error(path + ".name: duplicate \"" + d.name + "\"");
      }
      if (!uuids.insert(d.uuid).second) {
        return Status::Error(path + ".uuid: duplicate \"" + d.uuid + "\"");
      }
      s.domains.push_back(std::move(d));
    }
  }
  return s;
}

StatusOr<Scenario> LoadScenario(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Error("cannot open scenario file " + path);
  std::stringstream text;
  text << in.rdbuf();
  const size_t slash = path.find_last_of('/');
  StatusOr<Scenario> s = ParseScenario(
      text.str(), slash == std::string::npos ? "." : path.substr(0, slash));
  if (!s.ok()) return Status::Error(path + ": " + s.status().message());
  if (s->name.empty()) {
    std::string base = path.substr(path.find_last_of('/') + 1);
    s->name = base.substr(0, base.rfind(".json"));
  }
  return s;
}

}  // namespace sim
}  // namespace vmbalance
