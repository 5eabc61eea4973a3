#include "exporter/topology/capabilities_xml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vmbalance {
namespace {

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

bool Named(const xmlNode* node, const char* name) {
  return node->type == XML_ELEMENT_NODE &&
         xmlStrcmp(node->name, reinterpret_cast<const xmlChar*>(name)) == 0;
}

const xmlNode* Child(const xmlNode* parent, const char* name) {
  for (const xmlNode* n = parent->children; n != nullptr; n = n->next) {
    if (Named(n, name)) return n;
  }
  return nullptr;
}

std::vector<const xmlNode*> Children(const xmlNode* parent, const char* name) {
  std::vector<const xmlNode*> out;
  for (const xmlNode* n = parent->children; n != nullptr; n = n->next) {
    if (Named(n, name)) out.push_back(n);
  }
  return out;
}

std::optional<std::string> Attr(const xmlNode* node, const char* name) {
  xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return std::nullopt;
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return text;
}

std::string Text(const xmlNode* node) {
  xmlChar* value = xmlNodeGetContent(node);
  if (value == nullptr) return "";
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return text;
}

// A whole non-negative decimal number, or nullopt.
std::optional<uint64_t> Number(const std::string& text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return std::strtoull(text.c_str(), nullptr, 10);
}

// An int attribute: nullopt when absent; an error when present but not a
// small non-negative number.
StatusOr<std::optional<int>> IntAttr(const xmlNode* node, const char* name) {
  std::optional<std::string> text = Attr(node, name);
  if (!text) return std::optional<int>();
  std::optional<uint64_t> value = Number(*text);
  if (!value || *value > (1u << 20)) {
    return Status::Error(std::string("bad ") + name + "='" + *text + "'");
  }
  return std::optional<int>(static_cast<int>(*value));
}

StatusOr<uint64_t> MemoryKib(const xmlNode* memory) {
  const std::string unit = Attr(memory, "unit").value_or("KiB");
  std::optional<uint64_t> value = Number(Text(memory));
  if (!value) return Status::Error("bad cell memory '" + Text(memory) + "'");
  if (unit == "KiB") return *value;
  if (unit == "MiB") return *value * 1024;
  if (unit == "GiB") return *value * 1024 * 1024;
  return Status::Error("unknown memory unit '" + unit + "'");
}

StatusOr<TopologyCpu> ParseCpu(const xmlNode* node, int cell) {
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
  std::optional<std::string> siblings = Attr(node, "siblings");
  if (siblings) {
    std::optional<CpuSet> parsed = CpuSet::Parse(*siblings);
    if (!parsed) return Status::Error("bad siblings='" + *siblings + "'");
    cpu.siblings = *parsed;
  }
  // libvirt writes the topology attributes only for online CPUs.
  cpu.online = siblings.has_value() || cpu.socket >= 0;
  return cpu;
}

Status ParseCell(const xmlNode* node, std::vector<TopologyCell>* cells,
                 std::vector<TopologyCpu>* cpus) {
  StatusOr<std::optional<int>> id = IntAttr(node, "id");
  if (!id.ok()) return id.status();
  if (!id->has_value()) return Status::Error("a <cell> without an id");
  TopologyCell cell;
  cell.id = **id;
  const std::string where = "cell " + std::to_string(cell.id) + ": ";
  if (const xmlNode* memory = Child(node, "memory")) {
    StatusOr<uint64_t> kib = MemoryKib(memory);
    if (!kib.ok()) return Status::Error(where + kib.status().message());
    cell.memory_kib = *kib;
  }
  if (const xmlNode* distances = Child(node, "distances")) {
    for (const xmlNode* sibling : Children(distances, "sibling")) {
      StatusOr<std::optional<int>> to = IntAttr(sibling, "id");
      StatusOr<std::optional<int>> value = IntAttr(sibling, "value");
      if (!to.ok() || !value.ok() || !to->has_value() || !value->has_value()) {
        return Status::Error(where + "bad <sibling> distance");
      }
      cell.distances[**to] = **value;
    }
  }
  if (const xmlNode* list = Child(node, "cpus")) {
    for (const xmlNode* cpu_node : Children(list, "cpu")) {
      StatusOr<TopologyCpu> cpu = ParseCpu(cpu_node, cell.id);
      if (!cpu.ok()) return Status::Error(where + cpu.status().message());
      cpus->push_back(*cpu);
    }
  }
  cells->push_back(std::move(cell));
  return Status::Ok();
}

// <capabilities><host><topology><cells>, or null.
const xmlNode* CellsOf(const xmlNode* root) {
  if (root == nullptr || !Named(root, "capabilities")) return nullptr;
  const xmlNode* host = Child(root, "host");
  const xmlNode* topology = host ? Child(host, "topology") : nullptr;
  return topology ? Child(topology, "cells") : nullptr;
}

}  // namespace

StatusOr<HostTopology> ParseCapabilitiesTopology(std::string_view xml) {
  if (xml.size() > (64u << 20)) return Status::Error("capabilities too large");
  Doc doc(xmlReadMemory(
      xml.data(), static_cast<int>(xml.size()), "capabilities.xml", nullptr,
      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (doc == nullptr) return Status::Error("capabilities are not valid XML");
  const xmlNode* cells_node = CellsOf(xmlDocGetRootElement(doc.get()));
  if (cells_node == nullptr) {
    return Status::Error("capabilities have no <host><topology><cells>");
  }
  std::vector<TopologyCell> cells;
  std::vector<TopologyCpu> cpus;
  for (const xmlNode* cell : Children(cells_node, "cell")) {
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
