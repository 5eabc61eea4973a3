// MemoryBacking: how a guest's RAM is backed on the host, from the domain
// XML's <memoryBacking> (and its NUMA cells' memAccess). It decides what a
// balloon can give back to the host and which host figure pays for the
// guest's memory (see controller/memory/backing_rule.h). Plain values;
// exporter/domain_xml/memory_backing.h reads them.
#ifndef VMBALANCE_EXPORTER_CORE_MEMORY_BACKING_H_
#define VMBALANCE_EXPORTER_CORE_MEMORY_BACKING_H_

#include <cstdint>
#include <string>

namespace vmbalance {

struct MemoryBacking {
  // <hugepages>: RAM comes from the host's hugepage pool, which the host
  // keeps apart from MemAvailable.
  bool hugepages = false;
  uint64_t hugepage_kib = 0;  // the first <page size>; 0 = the host default
  // <source type>: "anonymous" (libvirt's default), "file" or "memfd".
  std::string source = "anonymous";
  // <access mode='shared'>, or a NUMA cell with memAccess='shared' (e.g.
  // for vhost-user): QEMU maps a file or memfd shared.
  bool shared = false;
  bool locked = false;        // <locked/>: QEMU mlocks all guest memory
  bool nosharepages = false;  // <nosharepages/>: no KSM merging
  bool preallocated = false;  // <allocation mode='immediate'>
  bool discard = false;       // <discard/>

  // RAM in a file on a host filesystem: libvirt backs shared memory with a
  // file under memory_backing_dir unless it is memfd or hugepages. Its
  // pages are host page cache (MemAvailable counts them as reclaimable).
  bool FileBacked() const {
    return !hugepages && source != "memfd" && (source == "file" || shared);
  }
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_CORE_MEMORY_BACKING_H_
