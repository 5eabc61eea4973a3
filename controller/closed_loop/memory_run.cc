#include "controller/closed_loop/memory_run.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <optional>

#include "controller/controller.h"
#include "controller/memory/baseline_policies.h"
#include "controller/sim/scenario.h"
#include "controller/sim/simulator.h"

namespace vmbalance {
namespace closed_loop {
namespace {

constexpr int64_t kKibPerMib = 1024;
// The SPEC's host reserve ("do not give the host's memory away when the host
// has 200 MiB or less free"), fixed here rather than read from the policy's
// config, so a policy whose reserve drifts fails the harness.
constexpr int64_t kSpecHostReserveMib = 200;

// What a guest's workload wants in a tick, as the scenario says (a grow
// workload without "mem" has no cap).
int64_t WantKib(const sim::DomainSpec& spec, int64_t tick) {
  if (spec.mem.empty() && spec.mem_workload == sim::MemWorkload::kGrow) {
    return std::numeric_limits<int64_t>::max();
  }
  return std::llround(sim::LinearAt(spec.mem, static_cast<double>(tick)) *
                      kKibPerMib);
}

// Attributes allocation failures to guests from the simulator's ground
// truth after each tick: a profile workload failed when it holds less than
// it wants; a grow workload failed when it lost memory it still wanted (it
// frees everything and starts again). A killed guest's workload counts too.
class AllocFailureCounter {
 public:
  explicit AllocFailureCounter(const sim::Scenario& scenario)
      : scenario_(scenario) {}

  void Observe(const sim::Simulator& simulator, int64_t tick,
               std::map<std::string, int>* failures) {
    for (const sim::DomainSpec& spec : scenario_.domains) {
      std::optional<sim::GuestMemory> memory = simulator.Memory(spec.name);
      if (!memory) {
        prev_in_use_kib_.erase(spec.name);
        continue;
      }
      const int64_t want = WantKib(spec, tick);
      const int64_t held = memory->in_use_kib;
      bool failed = false;
      if (spec.mem_workload == sim::MemWorkload::kProfile) {
        failed = held < want;
      } else {
        auto prev = prev_in_use_kib_.find(spec.name);
        failed = prev != prev_in_use_kib_.end() &&
                 held < std::min(prev->second, want);
      }
      if (failed) ++(*failures)[spec.name];
      prev_in_use_kib_[spec.name] = held;
    }
  }

 private:
  const sim::Scenario& scenario_;
  std::map<std::string, int64_t> prev_in_use_kib_;
};

using Decide = std::function<std::vector<BalloonChange>(const Sample&)>;

Decide BaselineDecide(Coordinator coordinator) {
  switch (coordinator) {
    case Coordinator::kFixedThresholds:
      return DecideFixedThresholds;
    case Coordinator::kMomLike:
      return DecideMomLike;
    default:
      return [](const Sample&) { return std::vector<BalloonChange>(); };
  }
}

// One tick of a baseline in the Controller's order: sample, decide, resize.
void BaselineTick(const Decide& decide, Hypervisor* hypervisor) {
  StatusOr<Sample> sample = hypervisor->Take();
  if (!sample.ok()) return;
  for (const BalloonChange& change : decide(*sample)) {
    hypervisor->SetMemory(change.uuid, change.to_kib);
  }
}

// The operator states the host's QEMU overhead (--qemu_overhead_mib): here
// the simulated world's, so that these rows test the policy's rules in that
// world. The default is a safe upper bound for hosts that do not know it;
// the overcommit tests run with it.
std::unique_ptr<Controller> VmbalanceController(Coordinator coordinator,
                                                const sim::Scenario& scenario,
                                                Hypervisor* hypervisor) {
  if (coordinator != Coordinator::kVmbalance &&
      coordinator != Coordinator::kVmbalanceDryRun) {
    return nullptr;
  }
  ControllerOptions options;
  options.cpu = false;
  options.dry_run = coordinator == Coordinator::kVmbalanceDryRun;
  options.memory_config.qemu_overhead_kib =
      static_cast<uint64_t>(scenario.qemu_overhead_mib) * 1024;
  return std::make_unique<Controller>(hypervisor, options, nullptr, nullptr);
}

}  // namespace

const char* CoordinatorName(Coordinator coordinator) {
  switch (coordinator) {
    case Coordinator::kVmbalance:
      return "vmbalance";
    case Coordinator::kVmbalanceDryRun:
      return "vmbalance-dry-run";
    case Coordinator::kFixedThresholds:
      return "fixed";
    case Coordinator::kMomLike:
      return "mom-like";
    case Coordinator::kNone:
      return "none";
  }
  return "?";
}

int MemoryRun::resize_calls() const {
  return static_cast<int>(balloon_calls.size());
}
int MemoryRun::alloc_failures() const {
  return summary.value("workload_alloc_failures", 0);
}
int MemoryRun::guest_kills() const {
  return summary.value("guest_oom_kills", 0);
}
int64_t MemoryRun::min_host_free_mib() const {
  return summary.value("min_host_free_mib", int64_t{0});
}

MemoryRun RunMemoryScenario(const MemoryRunSpec& spec) {
  MemoryRun run;
  StatusOr<sim::Scenario> scenario =
      sim::LoadScenario("controller/sim/testdata/" + spec.scenario);
  if (!scenario.ok()) {
    run.error = scenario.status().message();
    return run;
  }
  run.reserve_mib = kSpecHostReserveMib;
  sim::Simulator simulator(*scenario, spec.interval_s);
  RecordingHypervisor recorder(&simulator);
  std::unique_ptr<Controller> controller =
      VmbalanceController(spec.coordinator, *scenario, &recorder);
  const Decide decide = BaselineDecide(spec.coordinator);
  AllocFailureCounter failures(*scenario);
  for (int tick = 0; tick < spec.ticks; ++tick) {
    if (controller != nullptr) {
      controller->Tick();
    } else {
      BaselineTick(decide, &recorder);
    }
    failures.Observe(simulator, tick, &run.guest_alloc_failures);
  }
  run.summary = simulator.Summary(0);
  run.balloon_calls = recorder.balloon_calls();
  for (const sim::TickRecord& record : simulator.records()) {
    run.host_free_mib.push_back(record.host_free_mib);
  }
  return run;
}

}  // namespace closed_loop
}  // namespace vmbalance
