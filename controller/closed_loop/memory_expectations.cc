#include "controller/closed_loop/memory_expectations.h"

#include <algorithm>

namespace vmbalance {
namespace closed_loop {
namespace {

std::string Str(int64_t n) { return std::to_string(n); }

// "" when value <= limit, else "<what> = <value> > <limit>".
std::string AtMost(const std::string& what, int64_t value, int64_t limit) {
  return value <= limit ? "" : what + " = " + Str(value) + " > " + Str(limit);
}

std::string AtLeast(const std::string& what, int64_t value, int64_t limit) {
  return value >= limit ? "" : what + " = " + Str(value) + " < " + Str(limit);
}

// The guest's entry in one of the summary's per-guest maps; -1 when absent.
int64_t GuestValue(const MemoryRun& run, const char* key,
                   const std::string& guest) {
  auto map = run.summary.find(key);
  if (map == run.summary.end()) return -1;
  return map->value(guest, int64_t{-1});
}

}  // namespace

Expectation NoGuestKilled() {
  return {"no guest killed", [](const MemoryRun& run) {
            return AtMost("guest kills", run.guest_kills(), 0);
          }};
}

Expectation HostReserveHeld() {
  return {"host reserve held", [](const MemoryRun& run) {
            return AtLeast("min host free MiB", run.min_host_free_mib(),
                           run.reserve_mib);
          }};
}

Expectation HostFreeAlwaysAtLeastMib(int64_t mib) {
  return {"host free always >= " + Str(mib) + " MiB",
          [mib](const MemoryRun& run) {
            return AtLeast("min host free MiB", run.min_host_free_mib(), mib);
          }};
}

Expectation NoHostOomKill() {
  return {"no host OOM kill", [](const MemoryRun& run) {
            if (!run.summary.contains("host_oom_kills")) {
              return std::string("host_oom_kills not reported");
            }
            return AtMost("host OOM kills",
                          run.summary["host_oom_kills"].get<int64_t>(), 0);
          }};
}

Expectation HostReserveRestoredWithin(int n) {
  return {"host reserve restored within " + Str(n) + " ticks",
          [n](const MemoryRun& run) {
            int below = 0;
            int longest = 0;
            for (int64_t free_mib : run.host_free_mib) {
              below = free_mib < run.reserve_mib ? below + 1 : 0;
              longest = std::max(longest, below);
            }
            return AtMost("ticks below the host reserve", longest, n);
          }};
}

Expectation HostFreeEndsAtLeastMib(int64_t mib) {
  return {"host free ends at >= " + Str(mib) + " MiB",
          [mib](const MemoryRun& run) {
            const int64_t last =
                run.host_free_mib.empty() ? 0 : run.host_free_mib.back();
            return AtLeast("final host free MiB", last, mib);
          }};
}

Expectation HostSpareHandedOut(int64_t slack_mib) {
  return {"host spare handed out (slack " + Str(slack_mib) + " MiB)",
          [slack_mib](const MemoryRun& run) {
            return AtMost("min host free MiB", run.min_host_free_mib(),
                          run.reserve_mib + slack_mib);
          }};
}

Expectation ResizeCallsAtMost(int n) {
  return {"resize calls <= " + Str(n), [n](const MemoryRun& run) {
            return AtMost("resize calls", run.resize_calls(), n);
          }};
}

Expectation AllocFailuresAtMost(int n) {
  return {"alloc failures <= " + Str(n), [n](const MemoryRun& run) {
            return AtMost("alloc failures", run.alloc_failures(), n);
          }};
}

Expectation GuestAllocFailuresAtMost(const std::string& guest, int n) {
  return {guest + " alloc failures <= " + Str(n),
          [guest, n](const MemoryRun& run) {
            auto it = run.guest_alloc_failures.find(guest);
            const int failures =
                it == run.guest_alloc_failures.end() ? 0 : it->second;
            return AtMost(guest + " alloc failures", failures, n);
          }};
}

Expectation NeedyGuestServedWithin(int n) {
  return {"needy guest served within " + Str(n) + " ticks",
          [n](const MemoryRun& run) {
            return AtMost("ticks short of memory",
                          run.summary.value("max_ticks_short_of_memory", 0), n);
          }};
}

Expectation GuestReachesMib(const std::string& guest, int64_t mib) {
  return {guest + " reaches " + Str(mib) + " MiB",
          [guest, mib](const MemoryRun& run) {
            return AtLeast(guest + " max actual MiB",
                           GuestValue(run, "max_actual_mib", guest), mib);
          }};
}

Expectation GuestPeakAtMostMib(const std::string& guest, int64_t mib) {
  return {guest + " peak <= " + Str(mib) + " MiB",
          [guest, mib](const MemoryRun& run) {
            const int64_t peak = GuestValue(run, "max_actual_mib", guest);
            if (peak < 0) return guest + " was never seen";
            return AtMost(guest + " max actual MiB", peak, mib);
          }};
}

Expectation GuestEndsAtMostMib(const std::string& guest, int64_t mib) {
  return {guest + " ends at <= " + Str(mib) + " MiB",
          [guest, mib](const MemoryRun& run) {
            return AtMost(guest + " final actual MiB",
                          GuestValue(run, "final_actual_mib", guest), mib);
          }};
}

Expectation GuestEndsAtLeastMib(const std::string& guest, int64_t mib) {
  return {guest + " ends at >= " + Str(mib) + " MiB",
          [guest, mib](const MemoryRun& run) {
            return AtLeast(guest + " final actual MiB",
                           GuestValue(run, "final_actual_mib", guest), mib);
          }};
}

Expectation GuestNotResizedFrom(const std::string& guest, int64_t from) {
  return {guest + " not resized from tick " + Str(from),
          [guest, from](const MemoryRun& run) {
            int calls = 0;
            for (const BalloonCall& call : run.balloon_calls) {
              calls += call.domain == guest && call.tick >= from;
            }
            return AtMost(guest + " resizes from tick " + Str(from), calls, 0);
          }};
}

Expectation GuestNotResizedOnFrozenStats(const std::string& guest,
                                         int64_t grace_ticks) {
  return {
      guest + " not resized " + Str(grace_ticks) +
          " ticks after its stats froze",
      [guest, grace_ticks](const MemoryRun& run) -> std::string {
        const int64_t frozen = GuestValue(run, "stats_frozen_from", guest);
        if (frozen < 0) return guest + "'s stats never froze";
        return GuestNotResizedFrom(guest, frozen + grace_ticks).violation(run);
      }};
}

Expectation GuestNeverResized(const std::string& guest) {
  return {guest + " never resized",
          [guest](const MemoryRun& run) -> std::string {
            const int64_t changes =
                GuestValue(run, "balloon_changes_by_domain", guest);
            if (changes < 0) return guest + " was never seen";
            return AtMost(guest + " balloon changes", changes, 0);
          }};
}

Expectation GuestUnusedBelowMaxAtLeastMib(int64_t mib) {
  return {"guest unused below max >= " + Str(mib) + " MiB",
          [mib](const MemoryRun& run) {
            auto v = run.summary.find("min_guest_unused_below_max_mib");
            // null: no guest below its max in any tick, nothing to judge.
            if (v == run.summary.end() || !v->is_number()) return std::string();
            return AtLeast("min guest unused below max MiB", v->get<int64_t>(),
                           mib);
          }};
}

Expectation GuestReversalsAtMost(const std::string& guest, int n) {
  return {guest + " direction reversals <= " + Str(n),
          [guest, n](const MemoryRun& run) {
            int reversals = 0;
            int last = 0;  // +1 grow, -1 shrink, 0 none yet
            for (const BalloonCall& call : run.balloon_calls) {
              if (call.domain != guest || call.to_kib == call.from_kib) {
                continue;
              }
              const int direction = call.to_kib > call.from_kib ? 1 : -1;
              reversals += last != 0 && last != direction;
              last = direction;
            }
            return AtMost(guest + " reversals", reversals, n);
          }};
}

}  // namespace closed_loop
}  // namespace vmbalance
