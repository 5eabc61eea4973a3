// Decision time of DecideBalloons for 10, 100 and 1000 guests, in steady
// state (state carried between calls and every change committed, as in the
// controller's loop with an actuator that accepts all) with a mix of needy,
// idle, settled and stale guests.
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "controller/memory/memory_policy.h"
#include "controller/memory/memory_samples.h"

namespace vmbalance {
namespace {

using testing_memory::Guest;
using testing_memory::HostWith;
using testing_memory::kEpochS;

Sample MakeSample(int guests, int64_t t) {
  std::vector<DomainSample> domains;
  domains.reserve(guests);
  for (int i = 0; i < guests; ++i) {
    // A quarter each: consuming (unused falls), idle (lots unused), settled,
    // and stale (last_update frozen at t = 0).
    const int kind = i % 4;
    const uint64_t unused = kind == 0   ? 300 - (t * 7 + i) % 250
                            : kind == 1 ? 900
                                        : 200;
    domains.push_back(Guest("vm" + std::to_string(i), 1024, unused, 2048,
                            kind == 3 ? kEpochS : kEpochS + t));
  }
  return HostWith(64 * 1024 * 1024, 32 * 1024 * 1024, t, std::move(domains));
}

void BM_DecideBalloons(benchmark::State& bench) {
  const int guests = static_cast<int>(bench.range(0));
  std::vector<Sample> samples;
  for (int t = 0; t < 16; ++t) samples.push_back(MakeSample(guests, t));
  MemoryPolicyConfig config;
  config.stale_after_s = 1 << 30;  // keep the frozen quarter in play longer
  MemoryPolicyState state;
  size_t next = 0;
  int64_t changes = 0;
  for (auto _ : bench) {
    const MemoryDecision d = DecideBalloons(config, samples[next], &state);
    CommitBalloons(d.changes, &state);
    changes += static_cast<int64_t>(d.changes.size());
    benchmark::DoNotOptimize(d);
    next = (next + 1) % samples.size();
  }
  bench.counters["guests"] = guests;
  bench.counters["changes_per_call"] = benchmark::Counter(
      static_cast<double>(changes), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_DecideBalloons)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vmbalance
