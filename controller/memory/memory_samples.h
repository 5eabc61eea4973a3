// Test helpers for the memory policy: hand-made Samples, and ToyMemoryWorld,
// a deliberately small model of guests and a host (workloads that grow,
// balloons that move at a set speed, allocation failures and OOM kills) for
// driving DecideBalloons over sequences. Test-only; not thread-safe.
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

// A domain with a working balloon driver; uuid = "uuid-" + name.
DomainSample Guest(const std::string& name, uint64_t actual_mib,
                   uint64_t unused_mib, uint64_t max_mib,
                   int64_t last_update_s);

// A sample at kEpochS + t_s with the given host figures and domains.
Sample HostWith(uint64_t total_mib, uint64_t free_mib, int64_t t_s,
                std::vector<DomainSample> domains);

struct ToyGuest {
  std::string name;
  double actual_mib = 512;
  double max_mib = 2048;
  double kernel_mib = 64;   // used by the guest kernel
  double workload_mib = 0;  // used by the workload
  double grow_mib_s = 0;    // workload growth while below hold_mib
  double hold_mib = 1e18;   // the workload stops growing here
  bool repeat = false;      // after an allocation failure, grow again
  bool balloon_driver = true;
  // Results.
  int alloc_failures = 0;  // wanted more than it had: freed everything
  int oom_kills = 0;       // balloon pushed below use: guest died
  double max_actual_mib = 0;
  double target_mib = -1;  // balloon target; < 0: none
};

class ToyMemoryWorld {
 public:
  ToyMemoryWorld(double host_total_mib, double host_overhead_mib,
                 double balloon_mib_s)
      : host_total_mib_(host_total_mib),
        host_overhead_mib_(host_overhead_mib),
        balloon_mib_s_(balloon_mib_s) {}

  ToyGuest& Add(const ToyGuest& guest);
  ToyGuest& guest(size_t i) { return guests_[i]; }
  size_t size() const { return guests_.size(); }

  Sample Take() const;
  // Sets balloon targets (by uuid "uuid-" + name); counts the calls.
  void SetTargets(const std::vector<std::pair<std::string, uint64_t>>& kib);
  // Advances time: workloads grow (failing when they would not fit),
  // balloons move, a guest squeezed below its use dies.
  void Step(double dt_s);

  double HostFreeMib() const;
  double min_host_free_mib() const { return min_host_free_mib_; }
  int balloon_changes() const { return balloon_changes_; }
  int oom_kills() const;
  int alloc_failures() const;

 private:
  double host_total_mib_;
  double host_overhead_mib_;
  double balloon_mib_s_;
  double t_s_ = 0;
  double min_host_free_mib_ = 1e18;
  int balloon_changes_ = 0;
  std::vector<ToyGuest> guests_;
};

}  // namespace testing_memory
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_MEMORY_MEMORY_SAMPLES_H_
