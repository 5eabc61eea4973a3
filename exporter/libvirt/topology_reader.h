// TopologyReader: the host's NUMA cells, cores and SMT siblings
// (HostTopology) from libvirt's capabilities, read once per connection and
// again when the host's set of online pCPUs changes (a CPU taken offline or
// brought back), not every interval: virConnectGetCapabilities makes the QEMU
// driver rebuild its whole capabilities document (~0.15 s measured on the
// testbed). Used by the one worker that reads the host's figures; not
// thread-safe.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_TOPOLOGY_READER_H_
#define VMBALANCE_EXPORTER_LIBVIRT_TOPOLOGY_READER_H_

#include <libvirt/libvirt.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "exporter/core/cpu_set.h"
#include "exporter/core/host_topology.h"
#include "exporter/core/status.h"
#include "exporter/libvirt/failure_log.h"

namespace vmbalance {

class TopologyReader {
 public:
  using Clock = std::chrono::steady_clock;
  // Returns the capabilities XML (virConnectGetCapabilities by default).
  using Fetch = std::function<StatusOr<std::string>(virConnectPtr)>;

  struct Options {
    // After a failed read (libvirtd busy at start, a driver without host
    // topology) the topology stays empty; the next try waits this long, so
    // a host that never answers costs one call a minute, not one per
    // interval, and a passing failure heals within a minute.
    std::chrono::seconds retry_after{60};
  };

  TopologyReader() : TopologyReader(Options{}) {}
  explicit TopologyReader(Options options, Fetch fetch = nullptr);

  // A new connection: the next Read asks libvirt again.
  void Reset();

  // The topology of a host whose online pCPUs are `online`. Reads the
  // capabilities when none were read on this connection, when `online`
  // differs from the set at the last read, or when the last read failed
  // `retry_after` ago; otherwise returns the cached value. Empty when the
  // read failed: logged once under "host topology" in `failures` until a
  // read works.
  HostTopology Read(virConnectPtr conn, const CpuSet& online,
                    FailureLog* failures, Clock::time_point now);

  int reads() const { return reads_; }  // calls to libvirt so far

 private:
  bool Due(const CpuSet& online, Clock::time_point now) const;

  Options options_;
  Fetch fetch_;
  bool read_ = false;  // a read was made on this connection
  bool failed_ = false;
  CpuSet read_for_;  // the online set the cached value was read for
  Clock::time_point read_at_;
  HostTopology topology_;
  int reads_ = 0;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_TOPOLOGY_READER_H_
