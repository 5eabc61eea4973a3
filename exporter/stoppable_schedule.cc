#include "exporter/stoppable_schedule.h"

#include <ctime>

#include "glog/logging.h"

namespace vmbalance {

StoppableSchedule::StoppableSchedule(double interval_s)
    : period_(std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(interval_s))),
      next_(Clock::now()) {
  sigemptyset(&stop_signals_);
  sigaddset(&stop_signals_, SIGINT);
  sigaddset(&stop_signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals_, nullptr);
}

int StoppableSchedule::WaitForNextSlot() {
  next_ += period_;
  const Clock::time_point now = Clock::now();
  if (next_ <= now) {
    const auto missed = (now - next_) / period_ + 1;
    LOG(WARNING) << "the tick overran the interval; skipping " << missed
                 << " slot(s)";
    next_ += missed * period_;
  }
  return WaitUntil(next_);
}

int StoppableSchedule::PollStop() {
  timespec zero{0, 0};
  const int signal = sigtimedwait(&stop_signals_, nullptr, &zero);
  return signal > 0 ? signal : 0;
}

int StoppableSchedule::WaitUntil(Clock::time_point deadline) {
  while (true) {
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) return 0;
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    timespec timeout{static_cast<time_t>(ns / 1000000000),
                     static_cast<long>(ns % 1000000000)};
    const int signal = sigtimedwait(&stop_signals_, nullptr, &timeout);
    if (signal > 0) return signal;
    // EAGAIN: timed out (checked on the next pass); EINTR: wait again.
  }
}

}  // namespace vmbalance
