// StoppableSchedule: the steady once-per-interval schedule of every vmbalance
// loop, woken early by SIGINT or SIGTERM. Construct it in main() before any
// thread starts (civetweb, libvirt): it blocks those signals so that threads
// inherit the mask and only this schedule receives them. Not thread-safe.
#ifndef VMBALANCE_EXPORTER_STOPPABLE_SCHEDULE_H_
#define VMBALANCE_EXPORTER_STOPPABLE_SCHEDULE_H_

#include <signal.h>

#include <chrono>

namespace vmbalance {

class StoppableSchedule {
 public:
  // The first slot is one interval after construction.
  explicit StoppableSchedule(double interval_s);

  StoppableSchedule(const StoppableSchedule&) = delete;
  StoppableSchedule& operator=(const StoppableSchedule&) = delete;

  // Sleeps until the next slot. A tick that overran skips the missed slots
  // (keeping the phase) rather than bunching ticks up. Returns the stop
  // signal if one arrived first, else 0.
  int WaitForNextSlot();

  // Returns a pending stop signal without waiting, else 0 (for loops that do
  // not wait, e.g. a simulation in virtual time).
  int PollStop();

 private:
  using Clock = std::chrono::steady_clock;

  // Waits until `deadline` or a stop signal; returns the signal or 0.
  int WaitUntil(Clock::time_point deadline);

  sigset_t stop_signals_;
  Clock::duration period_;
  Clock::time_point next_;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_STOPPABLE_SCHEDULE_H_
