#include "exporter/topology/capabilities_xml.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exporter/xml/xml_doc.h"

namespace vmbalance {
namespace {

using xml::Element;
using xml::Number;

// An int attribute: nullopt when absent; an error when present but not a
// small non-negative number.
StatusOr<std::optional<int>> IntAttr(const Element& node, const char* name) {
  std::optional<std::string> text = node.Attr(name);
  if (!text) return std::optional<int>();
  std::optional<uint64_t> value = Number(*text);
  if (!value || *value > (1u << 20)) {
    return Status::Error(std::string("bad ") + name + "='" + *text + "'");
  }
  return std::optional<int>(static_cast<int>(*value));
}

StatusOr<uint64_t> MemoryKib(const Element& memory) {
  const std::string unit = memory.Attr("unit").value_or("KiB");
  std::optional<uint64_t> value = Number(memory.Text());
  if (!value) return Status::Error("bad cell memory '" + memory.Text() + "'");
  if (unit == "KiB") return *value;
  if (unit == "MiB") return *value * 1024;
  if (unit == "GiB") return *value * 1024 * 1024;
  return Status::Error("unknown memory unit '" + unit + "'");
}

StatusOr<TopologyCpu> ParseCpu(const Element& node, int cell) {
  TopologyCpu cpu;
  cpu.cell = cell;
  int* fields[] = {&cpu.id, &cpu.socket, &cpu.die, &cpu.core_id};
  const char* names[] = {"id", "socket_id", "die_id", "core_id"};
  for (int i = 0; i < 4; ++i) {
    StatusOr<std::optional<int>> value = IntAttr(node, names[i]);
    if (!value.ok()) return value.status();
    if (value->has_value()) *fields[i] = **value;
  }
  if (cpu.id < 0) return Status::Error("a <cpu> without an id");
  std::optional<std::string> siblings = node.Attr("siblings");
  if (siblings) {
    std::optional<CpuSet> parsed = CpuSet::Parse(*siblings);
    if (!parsed) return Status::Error("bad siblings='" + *siblings + "'");
    cpu.siblings = *parsed;
  }
  // libvirt writes the topology attributes only for online CPUs.
  cpu.online = siblings.has_value() || cpu.socket >= 0;
  return cpu;
}

Status ParseCell(const Element& node, std::vector<TopologyCell>* cells,
                 std::vector<TopologyCpu>* cpus) {
  StatusOr<std::optional<int>> id = IntAttr(node, "id");
  if (!id.ok()) return id.status();
  if (!id->has_value()) return Status::Error("a <cell> without an id");
  TopologyCell cell;
  cell.id = **id;
  const std::string where = "cell " + std::to_string(cell.id) + ": ";
  if (Element memory = node.Child("memory")) {
    StatusOr<uint64_t> kib = MemoryKib(memory);
    if (!kib.ok()) return Status::Error(where + kib.status().message());
    cell.memory_kib = *kib;
  }
  for (const Element& sibling : node.Path({"distances"}).Children("sibling")) {
    StatusOr<std::optional<int>> to = IntAttr(sibling, "id");
    StatusOr<std::optional<int>> value = IntAttr(sibling, "value");
    if (!to.ok() || !value.ok() || !to->has_value() || !value->has_value()) {
      return Status::Error(where + "bad <sibling> distance");
    }
    cell.distances[**to] = **value;
  }
  for (const Element& cpu_node : node.Path({"cpus"}).Children("cpu")) {
    StatusOr<TopologyCpu> cpu = ParseCpu(cpu_node, cell.id);
    if (!cpu.ok()) return Status::Error(where + cpu.status().message());
    cpus->push_back(*cpu);
  }
  cells->push_back(std::move(cell));
  return Status::Ok();
}
}  // namespace

StatusOr<HostTopology> ParseCapabilitiesTopology(std::string_view xml) {
  StatusOr<xml::XmlDoc> doc = xml::XmlDoc::Parse(xml);
  if (!doc.ok()) {
    return Status::Error("capabilities are not valid XML: " +
                         doc.status().message());
  }
  Element cells_node = doc->root().Path({"host", "topology", "cells"});
  if (doc->root().name() != "capabilities" || !cells_node) {
    return Status::Error("capabilities have no <host><topology><cells>");
  }
  std::vector<TopologyCell> cells;
  std::vector<TopologyCpu> cpus;
  for (const Element& cell : cells_node.Children("cell")) {
    Status parsed = ParseCell(cell, &cells, &cpus);
    if (!parsed.ok()) return parsed;
  }
  if (cells.empty()) return Status::Error("capabilities list no NUMA cell");
  StatusOr<HostTopology> topology =
      HostTopology::Build(std::move(cells), std::move(cpus));
  if (!topology.ok()) {
    return Status::Error("inconsistent topology: " +
                         topology.status().message());
  }
  return topology;
}

}  // namespace vmbalance
