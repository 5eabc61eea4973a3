#include "exporter/http/readiness.h"

#include <cstdio>

namespace vmbalance {

void Readiness::Record(bool ok, const std::string& why, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  last_attempt_ = now;
  last_failed_ = !ok;
  if (ok) {
    last_ok_ = now;
  } else {
    last_error_ = why;
  }
}

Status Readiness::Check(Clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!last_attempt_) return Status::Error("no sample taken yet");
  if (last_failed_) {
    return Status::Error("the last sample failed: " + last_error_);
  }
  const std::chrono::duration<double> age = now - *last_ok_;
  if (age > max_age_) {
    char text[160];
    std::snprintf(text, sizeof(text),
                  "the last sample is %.1f s old (more than %d intervals, "
                  "%.1f s)",
                  age.count(), intervals_, max_age_.count());
    return Status::Error(text);
  }
  return Status::Ok();
}

}  // namespace vmbalance
