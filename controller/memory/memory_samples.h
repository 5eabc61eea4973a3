// Test helpers for the memory policy: hand-made Samples (a guest with its
// balloon stats, a host with its free memory). Closed-loop tests use the
// simulator instead (controller/closed_loop). Test-only.
#ifndef VMBALANCE_CONTROLLER_MEMORY_MEMORY_SAMPLES_H_
#define VMBALANCE_CONTROLLER_MEMORY_MEMORY_SAMPLES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "exporter/core/sample.h"

namespace vmbalance {
namespace testing_memory {

constexpr uint64_t kMiB = 1024;  // in KiB
constexpr int64_t kEpochS = 1700000000;

// MemoryPolicyConfig's default qemu_overhead_kib, in MiB.
constexpr uint64_t kAssumedOverheadMib = 256;

// A domain with a working balloon driver; uuid = "uuid-" + name. Its QEMU
// rss is actual + kAssumedOverheadMib: every page it has was touched (fully
// backed), so it owes the host nothing but its in-flight grows. Tests of
// commitment accounting set rss_kib themselves.
DomainSample Guest(const std::string& name, uint64_t actual_mib,
                   uint64_t unused_mib, uint64_t max_mib,
                   int64_t last_update_s);

// A sample at kEpochS + t_s with the given host figures and domains.
Sample HostWith(uint64_t total_mib, uint64_t free_mib, int64_t t_s,
                std::vector<DomainSample> domains);

}  // namespace testing_memory
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_MEMORY_MEMORY_SAMPLES_H_
