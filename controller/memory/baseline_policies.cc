#include "controller/memory/baseline_policies.h"

#include <algorithm>
#include <cmath>

namespace vmbalance {
namespace {

constexpr double kMiB = 1024;

bool HasStats(const DomainSample& d) {
  return d.balloon.actual_kib && d.balloon.unused_kib;
}

BalloonChange Change(const DomainSample& d, double to_kib) {
  return {d.uuid, d.name, *d.balloon.actual_kib,
          static_cast<uint64_t>(std::llround(std::max(0.0, to_kib)))};
}

}  // namespace

std::vector<BalloonChange> DecideFixedThresholds(const Sample& sample) {
  std::vector<BalloonChange> changes;
  const double host_free = static_cast<double>(sample.host.memory_free_kib);
  for (const DomainSample& d : sample.domains) {
    if (!HasStats(d)) continue;
    const double actual = static_cast<double>(*d.balloon.actual_kib);
    const double unused = static_cast<double>(*d.balloon.unused_kib);
    const double max = static_cast<double>(d.max_memory_kib);
    if (unused < 100 * kMiB && host_free > 200 * kMiB) {
      const double to = std::min(max, actual + 100 * kMiB);
      if (to > actual) changes.push_back(Change(d, to));
    } else if (unused > 150 * kMiB) {
      const double to = std::max(200 * kMiB, actual - 20 * kMiB);
      if (to < actual) changes.push_back(Change(d, to));
    }
  }
  return changes;
}

std::vector<BalloonChange> DecideMomLike(const Sample& sample) {
  constexpr double kPressure = 0.20;
  constexpr double kCritical = 0.05;
  constexpr double kGuestFree = 0.20;
  constexpr double kStep = 0.05;
  constexpr double kMinChange = 0.0025;
  std::vector<BalloonChange> changes;
  if (sample.host.memory_total_kib == 0) return changes;
  const double host_free_pct =
      static_cast<double>(sample.host.memory_free_kib) /
      static_cast<double>(sample.host.memory_total_kib);
  for (const DomainSample& d : sample.domains) {
    if (!HasStats(d)) continue;
    const double cur = static_cast<double>(*d.balloon.actual_kib);
    const double used = cur - static_cast<double>(*d.balloon.unused_kib);
    const double max = static_cast<double>(d.max_memory_kib);
    double to = cur;
    if (host_free_pct < kPressure) {
      const double free_share = host_free_pct <= kCritical
                                    ? host_free_pct - 0.05
                                    : kGuestFree * host_free_pct / kPressure;
      to = std::max(cur * (1 - kStep), used + free_share * cur);
      if (to > cur) continue;
    } else {
      if (cur >= max) continue;
      to = std::max(std::min(cur * (1 + kStep), max), used + kGuestFree * max);
    }
    if (std::fabs(to - cur) > kMinChange * cur)
      changes.push_back(Change(d, to));
  }
  return changes;
}

}  // namespace vmbalance
