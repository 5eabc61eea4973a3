#include "exporter/libvirt/sample_deadline_flags.h"

#include <algorithm>
#include <cmath>
#include <string>

DEFINE_double(
    sample_deadline_fraction, 0.5,
    "Fraction of the interval one sample may wait for guests' QEMU "
    "monitors; a guest that has not answered by then is reported "
    "as timed out for that interval, the others as usual. In (0, 1].");
// 1000: a healthy guest's balloon query took over 1.4 s on a crowded TCG
// host (12 guests on 2 cores); with a 500 ms floor healthy guests were
// marked timed out. The wait is paid once per hang: while a guest's call is
// outstanding it is not asked again, so later ticks do not wait for it.
DEFINE_int32(sample_deadline_min_ms, 1000,
             "Floor of the sampling deadline in milliseconds (>= 0).");

namespace vmbalance {

StatusOr<std::chrono::milliseconds> SampleDeadline(double interval_s,
                                                   double fraction,
                                                   int min_ms) {
  if (!(fraction > 0 && fraction <= 1)) {
    return Status::Error("--sample_deadline_fraction must be in (0, 1], not " +
                         std::to_string(fraction));
  }
  if (min_ms < 0) {
    return Status::Error("--sample_deadline_min_ms must be >= 0, not " +
                         std::to_string(min_ms));
  }
  if (!(interval_s > 0) || !std::isfinite(interval_s)) {
    return Status::Error("the interval must be a positive number of seconds");
  }
  const auto scaled = static_cast<int64_t>(
      std::llround(std::min(interval_s * fraction * 1000.0, 86400.0 * 1000.0)));
  return std::chrono::milliseconds(std::max<int64_t>(scaled, min_ms));
}

StatusOr<std::chrono::milliseconds> SampleDeadlineFromFlags(double interval_s) {
  return SampleDeadline(interval_s, FLAGS_sample_deadline_fraction,
                        FLAGS_sample_deadline_min_ms);
}

const char* SampleDeadlineFlagsFile() { return __FILE__; }

}  // namespace vmbalance
