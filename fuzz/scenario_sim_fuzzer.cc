// Fuzzes what --simulate=FILE does with a scenario the parser accepts: the
// simulator runs it for a few ticks while a controller pins vCPUs and
// resizes guests, as vmbalanced would. Accepted input must never crash the
// simulator; every sample lists only the scenario's domains, each with its
// vCPUs. Only small scenarios are run, so each input takes milliseconds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "controller/sim/scenario.h"
#include "controller/sim/simulator.h"
#include "exporter/core/cpu_set.h"
#include "fuzz/fuzz_check.h"

namespace {

constexpr int kTicks = 6;
// The referee's search for the best reachable placement is bounded by a
// node budget whose nodes cost O(pCPUs): at 42 pCPUs and 6 vCPUs a tick
// took 3.7 s here under ASan (found by this target). Wider hosts only slow
// the fuzzer down, so they are left out.
constexpr int kMaxPcpus = 8;
constexpr int kMaxVcpus = 32;  // over all domains

bool Small(const vmbalance::sim::Scenario& s) {
  int vcpus = 0;
  for (const auto& d : s.domains) vcpus += d.vcpus;
  return s.pcpus <= kMaxPcpus && vcpus <= kMaxVcpus;
}

// Acts on the sample as a controller might: moves every vCPU one pCPU on
// and grows or shrinks every guest, so pins and balloon targets change.
void Act(vmbalance::sim::Simulator* sim, const vmbalance::Sample& sample,
         int tick) {
  const int pcpus = sim->scenario().pcpus;
  for (const vmbalance::DomainSample& d : sample.domains) {
    for (size_t v = 0; v < d.vcpus.size(); ++v) {
      const int pcpu = static_cast<int>((tick + v) % pcpus);
      sim->PinVcpu(d.uuid, static_cast<int>(v), vmbalance::CpuSet{pcpu});
    }
    const uint64_t kib = d.max_memory_kib / (tick % 3 + 1);
    sim->SetMemory(d.uuid, kib);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  vmbalance::StatusOr<vmbalance::sim::Scenario> scenario =
      vmbalance::sim::ParseScenario(text);
  if (!scenario.ok() || !Small(*scenario)) return 0;
  const size_t domains = scenario->domains.size();
  vmbalance::sim::Simulator sim(std::move(*scenario), /*interval_s=*/1.0);
  for (int tick = 0; tick < kTicks; ++tick) {
    vmbalance::StatusOr<vmbalance::Sample> sample = sim.Take();
    if (!sample.ok()) continue;  // a scenario's injected failure
    FUZZ_CHECK(sample->domains.size() <= domains);
    for (const vmbalance::DomainSample& d : sample->domains) {
      FUZZ_CHECK(!d.uuid.empty());
    }
    Act(&sim, *sample, tick);
  }
  return 0;
}
