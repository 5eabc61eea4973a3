// Reads a HostTopology out of libvirt's capabilities XML
// (virConnectGetCapabilities, `virsh capabilities`): the <host><topology>
// cells with their memory, distances and CPUs. Pure: text in, value out.
#ifndef VMBALANCE_EXPORTER_TOPOLOGY_CAPABILITIES_XML_H_
#define VMBALANCE_EXPORTER_TOPOLOGY_CAPABILITIES_XML_H_

#include <string_view>

#include "exporter/core/host_topology.h"
#include "exporter/core/status.h"

namespace vmbalance {

// Fails, saying why, on text that is not XML, has no <host><topology><cells>,
// or lists cells and CPUs that contradict each other (see
// HostTopology::Build). A CPU listed with only its id is offline: libvirt
// prints socket, die, core and siblings only for online CPUs. A cell with no
// CPUs is memory only (e.g. CXL or persistent memory exposed as a node).
StatusOr<HostTopology> ParseCapabilitiesTopology(std::string_view xml);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_TOPOLOGY_CAPABILITIES_XML_H_
