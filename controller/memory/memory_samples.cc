#include "controller/memory/memory_samples.h"

#include <algorithm>

namespace vmbalance {
namespace testing_memory {

DomainSample Guest(const std::string& name, uint64_t actual_mib,
                   uint64_t unused_mib, uint64_t max_mib,
                   int64_t last_update_s) {
  DomainSample d;
  d.uuid = "uuid-" + name;
  d.name = name;
  d.id = 1;
  d.state = DomainState::kRunning;
  d.max_memory_kib = max_mib * kMiB;
  d.balloon.actual_kib = actual_mib * kMiB;
  d.balloon.maximum_kib = max_mib * kMiB;
  d.balloon.unused_kib = unused_mib * kMiB;
  d.balloon.available_kib =
      (actual_mib - std::min<uint64_t>(actual_mib, 40)) * kMiB;
  d.balloon.rss_kib = (actual_mib + kAssumedOverheadMib) * kMiB;
  d.balloon.last_update_s = last_update_s;
  return d;
}

Sample HostWith(uint64_t total_mib, uint64_t free_mib, int64_t t_s,
                std::vector<DomainSample> domains) {
  Sample s;
  s.wall_time_s = kEpochS + t_s;
  s.monotonic_ns = (t_s + 1) * 1000000000LL;
  s.host.memory_total_kib = total_mib * kMiB;
  s.host.memory_free_kib = free_mib * kMiB;
  std::sort(domains.begin(), domains.end(),
            [](const DomainSample& a, const DomainSample& b) {
              return a.uuid < b.uuid;
            });
  s.domains = std::move(domains);
  return s;
}

}  // namespace testing_memory
}  // namespace vmbalance
