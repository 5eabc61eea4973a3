#include "exporter/domain_xml/memory_backing.h"

#include <cctype>
#include <limits>

namespace vmbalance {
namespace {

using xml::Element;

// libvirt's units (docs: formatdomain, "Memory Allocation"): k/KiB = 1024
// bytes, KB = 1000, and so on up; the default for <page size> is KiB.
std::optional<uint64_t> UnitBytes(std::string unit) {
  for (char& c : unit) c = static_cast<char>(std::tolower(c));
  struct Unit {
    const char* name;
    uint64_t bytes;
  };
  static const Unit kUnits[] = {
      {"b", 1},
      {"bytes", 1},
      {"kb", 1000},
      {"k", 1ull << 10},
      {"kib", 1ull << 10},
      {"mb", 1000ull * 1000},
      {"m", 1ull << 20},
      {"mib", 1ull << 20},
      {"gb", 1000ull * 1000 * 1000},
      {"g", 1ull << 30},
      {"gib", 1ull << 30},
      {"tb", 1000ull * 1000 * 1000 * 1000},
      {"t", 1ull << 40},
      {"tib", 1ull << 40},
  };
  for (const Unit& u : kUnits) {
    if (unit == u.name) return u.bytes;
  }
  return std::nullopt;
}

bool AnySharedCell(const Element& domain) {
  for (const Element& cell : domain.Path({"cpu", "numa"}).Children("cell")) {
    if (cell.Attr("memAccess").value_or("") == "shared") return true;
  }
  return false;
}

void ReadHugepages(const Element& hugepages, MemoryBacking* b,
                   std::vector<std::string>* problems) {
  b->hugepages = true;
  Element page = hugepages.Child("page");
  if (!page) return;
  std::optional<uint64_t> kib = LibvirtSizeKib(
      page.Attr("size").value_or(""), page.Attr("unit").value_or("KiB"));
  if (kib) {
    b->hugepage_kib = *kib;
  } else {
    problems->push_back(
        "unreadable <hugepages><page size>: counted as "
        "hugepages of the host's default size");
  }
}

void ReadSource(const Element& source, MemoryBacking* b,
                std::vector<std::string>* problems) {
  if (!source) return;
  const std::string type = source.Attr("type").value_or("anonymous");
  if (type == "anonymous" || type == "file" || type == "memfd") {
    b->source = type;
    return;
  }
  // Unknown: a file is the case where the host's figure overstates what it
  // can spare, so assume it.
  problems->push_back("unknown <memoryBacking><source type='" + type +
                      "'>: counted as file-backed");
  b->source = "file";
}

}  // namespace

std::optional<uint64_t> LibvirtSizeKib(const std::string& size,
                                       const std::string& unit) {
  std::optional<uint64_t> n = xml::Number(size);
  std::optional<uint64_t> bytes = UnitBytes(unit);
  if (!n || !bytes || *n == 0) return std::nullopt;
  if (*n > std::numeric_limits<uint64_t>::max() / *bytes) return std::nullopt;
  const uint64_t total = *n * *bytes;
  if (total % 1024 != 0) return std::nullopt;
  return total / 1024;
}

std::optional<MemoryBacking> ReadMemoryBacking(
    const Element& domain, std::vector<std::string>* problems) {
  Element backing = domain.Child("memoryBacking");
  const bool shared_cell = AnySharedCell(domain);
  if (!backing && !shared_cell) return std::nullopt;
  MemoryBacking b;
  b.shared = shared_cell;
  if (!backing) return b;
  if (Element hugepages = backing.Child("hugepages")) {
    ReadHugepages(hugepages, &b, problems);
  }
  ReadSource(backing.Child("source"), &b, problems);
  if (backing.Child("access").Attr("mode").value_or("") == "shared") {
    b.shared = true;
  }
  b.locked = static_cast<bool>(backing.Child("locked"));
  b.nosharepages = static_cast<bool>(backing.Child("nosharepages"));
  b.preallocated =
      backing.Child("allocation").Attr("mode").value_or("") == "immediate";
  b.discard = static_cast<bool>(backing.Child("discard"));
  return b;
}

}  // namespace vmbalance
