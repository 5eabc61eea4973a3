#include "controller/memory/memory_samples.h"

#include <algorithm>
#include <cmath>

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

ToyGuest& ToyMemoryWorld::Add(const ToyGuest& guest) {
  guests_.push_back(guest);
  guests_.back().max_actual_mib = guest.actual_mib;
  return guests_.back();
}

double ToyMemoryWorld::HostFreeMib() const {
  double free = host_total_mib_ - host_overhead_mib_;
  for (const ToyGuest& g : guests_) free -= g.actual_mib;
  return free;
}

Sample ToyMemoryWorld::Take() const {
  std::vector<DomainSample> domains;
  const int64_t now = static_cast<int64_t>(std::floor(t_s_));
  for (const ToyGuest& g : guests_) {
    const double used = g.kernel_mib + g.workload_mib;
    DomainSample d =
        Guest(g.name, 0, 0, static_cast<uint64_t>(g.max_mib), kEpochS + now);
    d.balloon.actual_kib = static_cast<uint64_t>(g.actual_mib * kMiB);
    d.balloon.unused_kib =
        static_cast<uint64_t>(std::max(0.0, g.actual_mib - used) * kMiB);
    if (!g.balloon_driver) d.balloon = BalloonSample();
    domains.push_back(d);
  }
  Sample s = HostWith(static_cast<uint64_t>(host_total_mib_), 0, now,
                      std::move(domains));
  s.monotonic_ns = static_cast<int64_t>((t_s_ + 1) * 1e9);
  s.host.memory_free_kib =
      static_cast<uint64_t>(std::max(0.0, HostFreeMib()) * kMiB);
  return s;
}

void ToyMemoryWorld::SetTargets(
    const std::vector<std::pair<std::string, uint64_t>>& kib) {
  for (const auto& [uuid, target_kib] : kib) {
    for (ToyGuest& g : guests_) {
      if ("uuid-" + g.name != uuid || !g.balloon_driver) continue;
      g.target_mib = std::min(g.max_mib, target_kib / double(kMiB));
      ++balloon_changes_;
    }
  }
}

void ToyMemoryWorld::Step(double dt_s) {
  // Small sub-steps so the balloon and the workload interleave.
  const int parts = 20;
  const double h = dt_s / parts;
  for (int i = 0; i < parts; ++i) {
    for (ToyGuest& g : guests_) {
      if (g.workload_mib < g.hold_mib) {
        const double want =
            std::min(g.hold_mib, g.workload_mib + g.grow_mib_s * h);
        if (g.kernel_mib + want > g.actual_mib) {
          ++g.alloc_failures;
          g.workload_mib = 0;
          if (!g.repeat) g.hold_mib = 0;  // the course's workload exits
        } else {
          g.workload_mib = want;
        }
      }
      if (g.target_mib >= 0) {
        const double step = balloon_mib_s_ * h;
        if (g.target_mib > g.actual_mib) {
          g.actual_mib = std::min(g.target_mib, g.actual_mib + step);
        } else {
          g.actual_mib = std::max(g.target_mib, g.actual_mib - step);
        }
      }
      g.max_actual_mib = std::max(g.max_actual_mib, g.actual_mib);
      if (g.kernel_mib + g.workload_mib > g.actual_mib) {
        ++g.oom_kills;  // the kernel had nothing left: panic and reboot
        g.workload_mib = 0;
      }
    }
    min_host_free_mib_ = std::min(min_host_free_mib_, HostFreeMib());
    t_s_ += h;
  }
}

int ToyMemoryWorld::oom_kills() const {
  int n = 0;
  for (const ToyGuest& g : guests_) n += g.oom_kills;
  return n;
}

int ToyMemoryWorld::alloc_failures() const {
  int n = 0;
  for (const ToyGuest& g : guests_) n += g.alloc_failures;
  return n;
}

}  // namespace testing_memory
}  // namespace vmbalance
