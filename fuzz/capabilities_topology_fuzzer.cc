// Fuzzes ParseCapabilitiesTopology, which reads libvirtd's capabilities XML
// (virConnectGetCapabilities): any text, well-formed or not. What parses must
// be a consistent HostTopology: every CPU in a listed cell, every online CPU
// on exactly one core that contains it, lookups in range.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/core/host_topology.h"
#include "exporter/topology/capabilities_xml.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  vmbalance::StatusOr<vmbalance::HostTopology> topology =
      vmbalance::ParseCapabilitiesTopology(text);
  if (!topology.ok()) {
    FUZZ_CHECK(!topology.status().message().empty());
    return 0;
  }
  const vmbalance::HostTopology& t = *topology;
  (void)t.Summary();
  int previous = -1;
  int online = 0;
  for (const vmbalance::TopologyCpu& cpu : t.cpus()) {
    FUZZ_CHECK(cpu.id > previous);  // ascending, unique
    previous = cpu.id;
    FUZZ_CHECK(t.CellOf(cpu.id) == cpu.cell);
    if (!cpu.online) {
      FUZZ_CHECK(t.CoreOf(cpu.id) == -1);
      FUZZ_CHECK(!t.online().Contains(cpu.id));
      continue;
    }
    ++online;
    FUZZ_CHECK(t.online().Contains(cpu.id));
    FUZZ_CHECK(t.CellCpus(cpu.cell).Contains(cpu.id));
    const int core = t.CoreOf(cpu.id);
    FUZZ_CHECK(core >= 0 && core < t.core_count());
    FUZZ_CHECK(t.CoreCpus(core).Contains(cpu.id));
  }
  FUZZ_CHECK(t.online().Size() == online);
  FUZZ_CHECK(t.max_threads_per_core() >= (online > 0 ? 1 : 0));
  return 0;
}
