#include "exporter/libvirt/topology_reader.h"

#include <glog/logging.h>

#include <cstdlib>
#include <utility>

#include "exporter/libvirt/libvirt_errors.h"
#include "exporter/topology/capabilities_xml.h"

namespace vmbalance {
namespace {

constexpr char kFailureKey[] = "host topology";

StatusOr<std::string> GetCapabilities(virConnectPtr conn) {
  char* xml = virConnectGetCapabilities(conn);
  if (xml == nullptr) {
    return libvirt_internal::ErrorFromLibvirt("virConnectGetCapabilities");
  }
  std::string text(xml);
  std::free(xml);
  return text;
}

}  // namespace

TopologyReader::TopologyReader(Options options, Fetch fetch)
    : options_(options),
      fetch_(fetch != nullptr ? std::move(fetch) : Fetch(GetCapabilities)) {}

void TopologyReader::Reset() { read_ = false; }

bool TopologyReader::Due(const CpuSet& online, Clock::time_point now) const {
  if (!read_) return true;
  if (online != read_for_) return true;
  return failed_ && now - read_at_ >= options_.retry_after;
}

HostTopology TopologyReader::Read(virConnectPtr conn, const CpuSet& online,
                                  FailureLog* failures, Clock::time_point now) {
  if (!Due(online, now)) return topology_;
  const bool changed = read_ && online != read_for_;
  read_ = true;
  read_for_ = online;
  read_at_ = now;
  ++reads_;
  StatusOr<std::string> xml = fetch_(conn);
  StatusOr<HostTopology> parsed = xml.ok()
                                      ? ParseCapabilitiesTopology(*xml)
                                      : StatusOr<HostTopology>(xml.status());
  failed_ = !parsed.ok();
  if (failed_) {
    topology_ = HostTopology();
    failures->Fail(kFailureKey,
                   "cannot read the host's topology, placing as "
                   "if flat: " +
                       parsed.status().message());
    return topology_;
  }
  topology_ = std::move(parsed).value();
  failures->Clear(kFailureKey);
  if (changed || topology_.online() != online) {
    // Logged on a change of the online set, and when libvirt's view differs
    // from the host's (it caches some of it).
    LOG(INFO) << "host topology: " << topology_.Summary() << "; online pCPUs "
              << online.ToString() << " per the host, "
              << topology_.online().ToString() << " per the capabilities";
  } else {
    LOG(INFO) << "host topology: " << topology_.Summary();
  }
  return topology_;
}

}  // namespace vmbalance
