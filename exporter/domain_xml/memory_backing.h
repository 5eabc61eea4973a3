// Reads a domain's MemoryBacking from its definition: <memoryBacking>
// (hugepages, source, access, locked, nosharepages, allocation, discard)
// and <cpu><numa><cell memAccess>. Pure.
#ifndef VMBALANCE_EXPORTER_DOMAIN_XML_MEMORY_BACKING_H_
#define VMBALANCE_EXPORTER_DOMAIN_XML_MEMORY_BACKING_H_

#include <optional>
#include <string>
#include <vector>

#include "exporter/core/memory_backing.h"
#include "exporter/xml/xml_doc.h"

namespace vmbalance {

// nullopt when the domain says nothing about its backing (neither
// <memoryBacking> nor a shared NUMA cell): plain anonymous memory. Parts
// that cannot be read are added to *problems and read as the safer choice
// for the host (an unreadable page size still counts as hugepages).
std::optional<MemoryBacking> ReadMemoryBacking(
    const xml::Element& domain, std::vector<std::string>* problems);

// A libvirt memory size (`size` with `unit`, default KiB) in KiB; nullopt
// when unreadable or not a whole number of KiB.
std::optional<uint64_t> LibvirtSizeKib(const std::string& size,
                                       const std::string& unit);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_DOMAIN_XML_MEMORY_BACKING_H_
