// Readiness: what /-/ready answers. The sampling loop records each sample's
// outcome; the server asks whether the process is ready: the last sample
// succeeded (libvirt connected) and was taken within `intervals` intervals.
// Thread-safe: recorded by the loop, checked by HTTP workers.
#ifndef VMBALANCE_EXPORTER_HTTP_READINESS_H_
#define VMBALANCE_EXPORTER_HTTP_READINESS_H_

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "exporter/core/status.h"

namespace vmbalance {

class Readiness {
 public:
  using Clock = std::chrono::steady_clock;

  // A loop that has not sampled for 3 intervals is stuck or far behind:
  // one late sample is normal under load, three are not.
  explicit Readiness(double interval_s, int intervals = 3)
      : max_age_(std::chrono::duration<double>(interval_s * intervals)),
        intervals_(intervals) {}

  // After each sample: whether it succeeded, and why not.
  void Record(bool ok, const std::string& why,
              Clock::time_point now = Clock::now());

  // OK when ready, else a one-line reason.
  Status Check(Clock::time_point now = Clock::now()) const;

 private:
  const std::chrono::duration<double> max_age_;
  const int intervals_;
  mutable std::mutex mutex_;
  std::optional<Clock::time_point> last_ok_;
  std::optional<Clock::time_point> last_attempt_;
  bool last_failed_ = false;
  std::string last_error_;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_HTTP_READINESS_H_
