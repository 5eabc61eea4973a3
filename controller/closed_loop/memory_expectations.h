// Expectation: one named property a closed-loop memory run must have (no
// guest killed, host reserve held, ...), checked against a MemoryRun. The
// harness table lists, per row, the expectations that must hold and those
// that must be broken (by a baseline: proof that the expectation can fail).
#ifndef VMBALANCE_CONTROLLER_CLOSED_LOOP_MEMORY_EXPECTATIONS_H_
#define VMBALANCE_CONTROLLER_CLOSED_LOOP_MEMORY_EXPECTATIONS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "controller/closed_loop/memory_run.h"

namespace vmbalance {
namespace closed_loop {

struct Expectation {
  std::string name;
  // "" when the run meets the expectation, else what it did instead.
  std::function<std::string(const MemoryRun&)> violation;
};

// No guest squeezed below its use (the simulator's OOM kill).
Expectation NoGuestKilled();
// Host free memory never below the SPEC's reserve, in any tick.
Expectation HostReserveHeld();
// Host free memory never below mib, in any tick: the reserve the policy
// itself keeps where it is above the SPEC's (2% of a large host).
Expectation HostFreeAlwaysAtLeastMib(int64_t mib);
// The host's OOM killer never ran (the summary's host_oom_kills; broken when
// the run does not report it, so a silent harness cannot pass).
Expectation NoHostOomKill();
// Host free memory is back at the reserve within n ticks of falling below
// it (a guest booting can overcommit the host; no coordinator prevents that).
Expectation HostReserveRestoredWithin(int n);
// Host free memory at the end of the run is at least mib.
Expectation HostFreeEndsAtLeastMib(int64_t mib);
// The host's spare memory is handed out: host free memory comes within
// slack_mib of the reserve at some tick (a host that keeps it idle while
// guests starve fails this).
Expectation HostSpareHandedOut(int64_t slack_mib);
// At most n SetMemory calls in the whole run (no sawtooth).
Expectation ResizeCallsAtMost(int n);
// At most n workload allocation failures over all guests.
Expectation AllocFailuresAtMost(int n);
Expectation GuestAllocFailuresAtMost(const std::string& guest, int n);
// No guest that could grow waits more than n ticks below the low mark.
Expectation NeedyGuestServedWithin(int n);
// The guest's balloon reaches at least mib at some tick.
Expectation GuestReachesMib(const std::string& guest, int64_t mib);
// The guest's balloon never exceeds mib (it was not grown for memory it
// does not need, e.g. its page cache). Broken when the guest was never seen.
Expectation GuestPeakAtMostMib(const std::string& guest, int64_t mib);
// The guest's balloon ends at most at mib (idle memory came back).
Expectation GuestEndsAtMostMib(const std::string& guest, int64_t mib);
// The guest's balloon ends at least at mib (what it needs was kept).
Expectation GuestEndsAtLeastMib(const std::string& guest, int64_t mib);
// No SetMemory call for the guest acting on a sample from tick `from` on.
Expectation GuestNotResizedFrom(const std::string& guest, int64_t from);
// No SetMemory call for the guest acting on a sample from grace_ticks after
// its balloon statistics froze on (the simulator's stats_frozen_from): by
// then its data is stale. Broken too when its statistics never froze.
Expectation GuestNotResizedOnFrozenStats(const std::string& guest,
                                         int64_t grace_ticks);
// The simulator saw no resize of the guest at all (e.g. it has no balloon
// driver, so a resize could only go nowhere).
Expectation GuestNeverResized(const std::string& guest);
// Every guest that could still grow kept at least mib unused in every tick
// (negative: its workload asked for more than it had).
Expectation GuestUnusedBelowMaxAtLeastMib(int64_t mib);
// The guest's resizes change direction (grow after shrink or vice versa)
// at most n times.
Expectation GuestReversalsAtMost(const std::string& guest, int n);

}  // namespace closed_loop
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CLOSED_LOOP_MEMORY_EXPECTATIONS_H_
