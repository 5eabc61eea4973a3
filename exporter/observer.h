// Observer: the "observe" step of every vmbalance loop. One Tick() takes one
// Sample through the Hypervisor seam, derives Usage against the previous good
// sample, and publishes one metrics Snapshot. Not thread-safe: owned and ticked
// by one loop (the MetricsCollector it publishes to is thread-safe).
#ifndef VMBALANCE_EXPORTER_OBSERVER_H_
#define VMBALANCE_EXPORTER_OBSERVER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "exporter/core/hypervisor.h"
#include "exporter/core/sample.h"
#include "exporter/core/status.h"
#include "exporter/core/usage.h"
#include "exporter/metrics/metrics_collector.h"

namespace vmbalance {

// The file that defines --domain_metadata_labels, for --helpshort.
const char* ObserverFlagsFile();

class Observer {
 public:
  struct Observation {
    bool ok = false;               // Take() succeeded
    Status status;                 // why not, when !ok
    std::optional<Sample> sample;  // set when ok
    std::optional<Usage> usage;    // set when ok (all invalid on first tick)
  };

  // `hypervisor` is not owned and must outlive the Observer. `metrics` may be
  // null (no publishing, e.g. in benchmarks).
  Observer(Hypervisor* hypervisor, std::shared_ptr<MetricsCollector> metrics);

  // A failed Take() publishes libvirt_up 0 with no domain series, counts one
  // error, and forgets the previous sample: the first good sample after an
  // outage yields no rates (rates averaged over the outage would not describe
  // the present), the one after it does. Logs outages once, not every tick.
  // Per domain it follows readability, read timeouts and restarts (a new id
  // under the same UUID; logged), and forgets a domain that leaves the
  // Samples (logged). A domain read kTimedOut is counted in the Sample's
  // errors by its source, which also logs the episode.
  Observation Tick();

  uint64_t errors_total() const { return errors_total_; }

 private:
  struct Track {
    DomainHealth health;
    int id = -1;
  };
  // Folds one good sample into tracks_; the health of its domains, in order.
  std::vector<DomainHealth> FollowDomains(const Sample& sample);

  Hypervisor* hypervisor_;
  std::shared_ptr<MetricsCollector> metrics_;
  bool metadata_labels_;  // --domain_metadata_labels when constructed
  std::shared_ptr<const Snapshot> last_good_;  // holds the previous sample
  uint64_t errors_total_ = 0;
  std::optional<bool> was_up_;  // for logging state changes only
  std::map<DomainKey, Track> tracks_;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_OBSERVER_H_
