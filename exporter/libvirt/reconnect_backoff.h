// ReconnectBackoff: when to try reconnecting after failures. Exponential:
// the first retry waits `initial`, each further failure doubles the wait up to
// `max`; a success resets it. Pure: the caller passes the time in. Not
// thread-safe.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_RECONNECT_BACKOFF_H_
#define VMBALANCE_EXPORTER_LIBVIRT_RECONNECT_BACKOFF_H_

#include <algorithm>
#include <chrono>

namespace vmbalance {

class ReconnectBackoff {
 public:
  using Clock = std::chrono::steady_clock;
  using Duration = Clock::duration;

  ReconnectBackoff(Duration initial, Duration max)
      : initial_(initial), max_(std::max(initial, max)) {}

  // True when an attempt is due: no failure pending, or the wait is over.
  bool MayAttempt(Clock::time_point now) const {
    return failures_ == 0 || now >= next_attempt_;
  }
  void RecordFailure(Clock::time_point now) {
    delay_ = failures_ == 0 ? initial_ : std::min(delay_ * 2, max_);
    ++failures_;
    next_attempt_ = now + delay_;
  }
  void RecordSuccess() {
    failures_ = 0;
    delay_ = Duration::zero();
  }

  int failures() const { return failures_; }  // since the last success
  Duration delay() const { return delay_; }   // the current wait
  Clock::time_point next_attempt() const { return next_attempt_; }

 private:
  Duration initial_;
  Duration max_;
  Duration delay_ = Duration::zero();
  int failures_ = 0;
  Clock::time_point next_attempt_{};
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_RECONNECT_BACKOFF_H_
